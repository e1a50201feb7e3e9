"""Rule sample_posterior: Matched-filter time proxies, then flow samples and log densities for the event.

By hand: python workflow_scripts/sample_posterior.py --config C --event GW150914 --model model.json --network network.pt --waveforms W \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --samples npe_samples.hdf5
"""

from gwda.cli import run
from gwda.stages import inference

run(inference.sample_posterior, globals(), __doc__)

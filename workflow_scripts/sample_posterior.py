"""Rule sample_posterior: Matched-filter time proxies, then flow samples and log densities for the event.

By hand: python workflow_scripts/sample_posterior.py --config C --event GW150914 --model M --waveforms W --strain H1.hdf5 L1.hdf5 \
    --psd H1_psd.hdf5 L1_psd.hdf5 --samples npe_samples.hdf5
"""

from gwda import npe_stage
from gwda.cli import run

run(npe_stage.sample_posterior, globals(), __doc__,
    inputs={"model_path": "model", "waveform_path": "waveforms", "strain_paths": "strain+", "psd_paths": "psd+"},
    outputs={"output": "samples"})

"""Rule denoise_event: The denoiser's reconstruction of the event, against the posterior's waveforms.

By hand: python workflow_scripts/denoise_event.py --config C --event GW150914 --network network.pt --model model.json \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --posterior posterior.hdf5 \
    --reconstruction denoised.hdf5 --result event.json --figure denoised_strain.png
"""

from gwda.cli import run
from gwda.stages import denoise

run(denoise.denoise_event, globals(), __doc__)

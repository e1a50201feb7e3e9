"""Rule evaluate_denoiser: The denoiser on held-out injections, noise and glitches, next to its baselines.

By hand: python workflow_scripts/evaluate_denoiser.py --config C --event GW150914 --network network.pt \
    --losses losses.csv --psd H1_psd.hdf5 L1_psd.hdf5 --metrics metrics.json --figure overlap.png \
    --loss-figure loss.png [--glitch-network gan/network.pt] [--threads 2]
"""

from gwda.cli import run
from gwda.stages import denoise

run(denoise.evaluate_denoiser, globals(), __doc__)

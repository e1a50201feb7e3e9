"""Rule simulate_noise: Coloured Gaussian noise from the PSDs and its comparison with real data,
and the same noise with glitches injected.

By hand: python workflow_scripts/simulate_noise.py --config config/config.yaml --event GW150914 --strain H1.hdf5 L1.hdf5 \
    --psd H1_psd.hdf5 L1_psd.hdf5 --noise noise.hdf5 --summary noise_summary.json --figure noise_comparison.png \
    --glitch-noise noise_with_glitches.hdf5 --glitch-catalogue glitch_catalogue.csv --glitch-figure noise_glitches.png \
    --glitch-network results/glitches/gan/network.pt
"""

from gwda.cli import run
from gwda.stages import noise

run(noise.simulate_noise, globals(), __doc__)

"""Rule train_denoiser: Train the Transformer denoiser; resumes from its checkpoint.

By hand: python workflow_scripts/train_denoiser.py --config C --event GW150914 --waveforms W --psd H1_psd.hdf5 L1_psd.hdf5 \
    --network network.pt --losses losses.csv --summary training.json --workdir checkpoints \
    [--glitch-network gan/network.pt] [--threads 2]
"""

from gwda.cli import run
from gwda.stages import denoise

run(denoise.train_denoiser, globals(), __doc__)

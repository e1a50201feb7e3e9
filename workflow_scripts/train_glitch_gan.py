"""Rule train_glitch_gan: Train the conditional glitch GAN.

By hand: python workflow_scripts/train_glitch_gan.py --config C --training-set training_set.hdf5 --network network.pt \
    --losses losses.csv --summary training.json --workdir checkpoints [--threads 2]
"""

from gwda.cli import run
from gwda.stages import glitches

run(glitches.train_glitch_gan, globals(), __doc__)

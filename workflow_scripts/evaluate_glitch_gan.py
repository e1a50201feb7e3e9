"""Rule evaluate_glitch_gan: Metrics and figures of the glitch GAN.

By hand: python workflow_scripts/evaluate_glitch_gan.py --config C --training-set training_set.hdf5 --heldout-set heldout_set.hdf5 \
    --glitches generated.hdf5 --losses losses.csv --gan-summary training.json --metrics gan_metrics.json \
    --grid-figure grid.png --parameters-figure parameters.png --loss-figure losses.png
"""

from gwda.cli import run
from gwda.stages import glitches

run(glitches.evaluate_glitch_gan, globals(), __doc__)

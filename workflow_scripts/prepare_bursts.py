"""Rule prepare_bursts: The GAN's training and held-out bursts (simulated, or real glitches cut from strain).

By hand: python workflow_scripts/prepare_bursts.py --config C --training-set training_set.hdf5 --heldout-set heldout_set.hdf5 \
    [--glitch-table glitches.csv]
"""

from gwda.cli import run
from gwda.stages import glitches

run(glitches.prepare_bursts, globals(), __doc__)

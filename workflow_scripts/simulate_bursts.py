"""Rule simulate_bursts: The GAN's training and held-out bursts.

By hand: python workflow_scripts/simulate_bursts.py --config C --training-set training_set.hdf5 --heldout-set heldout_set.hdf5
"""

from gwda.cli import run
from gwda.stages import glitches

run(glitches.simulate_bursts, globals(), __doc__)

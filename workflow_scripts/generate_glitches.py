"""Rule generate_glitches: Glitches from the trained GAN.

By hand: python workflow_scripts/generate_glitches.py --config C --network network.pt --glitches generated.hdf5 [--threads 2]
"""

from gwda.cli import run
from gwda.stages import glitches

run(glitches.generate_glitches, globals(), __doc__)

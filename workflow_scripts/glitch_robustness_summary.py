"""Rule glitch_robustness_summary: the models trained without and with glitches, on clean data,
GAN glitches and gengli blips, side by side.

By hand: python workflow_scripts/glitch_robustness_summary.py --config C --event GW150914 \
    --results glitch_robustness.csv glitch_robustness_gengli.csv glitch_robustness_glitch_trained.csv \
    glitch_robustness_glitch_trained_gengli.csv --table summary.csv --figure summary.png
"""

from gwda.cli import run
from gwda.stages import coverage

run(coverage.glitch_robustness_summary, globals(), __doc__)

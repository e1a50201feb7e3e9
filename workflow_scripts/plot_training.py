"""Rule plot_training: Training and validation loss curves.

By hand: python workflow_scripts/plot_training.py --config C --event GW150914 --loss loss.csv --figure loss.png
"""

from gwda.cli import run
from gwda.stages import report

run(report.plot_training, globals(), __doc__)

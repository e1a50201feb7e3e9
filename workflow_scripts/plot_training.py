"""Rule plot_training: Training and validation loss curves.

By hand: python workflow_scripts/plot_training.py --config C --event GW150914 --loss loss.csv --figure loss.png
"""

from gwda import report_stage
from gwda.cli import run

run(report_stage.plot_training, globals(), __doc__,
    inputs={"loss_csv": "loss"},
    outputs={"figure": "figure"})

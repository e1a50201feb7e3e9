"""Rule summarise_run: the whole run's numbers, with its provenance -> results/summary.json.

By hand: python workflow_scripts/summarise_run.py --config config/config.yaml --results results --summary results/summary.json --events GW150914
"""

from gwda.cli import run
from gwda.stages import report

run(report.summarise_run, globals(), __doc__)

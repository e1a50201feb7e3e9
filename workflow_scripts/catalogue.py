"""Rule catalogue: every event's posterior side by side with its published one, as a table and a figure.

By hand: python workflow_scripts/catalogue.py --config C --posteriors A/posterior.hdf5 B/posterior.hdf5 \
    --events A B --references A/reference/2-OGC.hdf5 ... --table catalogue.csv --result catalogue.json \
    --figure catalogue.png
"""

from gwda.cli import run
from gwda.stages import report

run(report.catalogue, globals(), __doc__)

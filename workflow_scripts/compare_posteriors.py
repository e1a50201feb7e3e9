"""Rule compare_posteriors: JSDs and intervals against the references, corner plot, sky map, summary table.

By hand: python workflow_scripts/compare_posteriors.py --config C --event GW150914 --posterior posterior.hdf5 --references 2-OGC.hdf5 \
    --table comparison.csv --result comparison.json --corner corner.png --skymap skymap.png --summary-table table.png
"""

from gwda.cli import run
from gwda.stages import references

run(references.compare_posteriors, globals(), __doc__)

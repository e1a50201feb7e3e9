"""Rule compare_posteriors: JSDs and intervals against the references, corner plot, sky map, summary table.

By hand: python workflow_scripts/compare_posteriors.py --config C --event GW150914 --posterior posterior.hdf5 --references 2-OGC.hdf5 \
    --table comparison.csv --result comparison.json --corner corner.png --skymap skymap.png --summary-table table.png
"""

from gwda import comparison_stage
from gwda.cli import run

run(comparison_stage.compare_posteriors, globals(), __doc__,
    inputs={"posterior_path": "posterior", "reference_paths": "references+"},
    outputs={"table_csv": "table", "output_json": "result", "corner_png": "corner", "sky_png": "skymap", "table_png": "summary_table"})

"""Rule compare_with_bilby: JSDs of NPE and NPE-IS against the bilby run, and the wall times.

By hand: python workflow_scripts/compare_with_bilby.py --config C --event GW150914 --posterior posterior.hdf5 \
    --summary summary.json --bilby-posterior bilby_posterior.hdf5 --bilby-summary bilby_summary.json \
    --result comparison.json
"""

from gwda import bilby_stage
from gwda.cli import run

run(bilby_stage.compare_with_bilby, globals(), __doc__,
    inputs={"posterior_path": "posterior", "summary_path": "summary", "bilby_posterior": "bilby_posterior",
            "bilby_summary": "bilby_summary"},
    outputs={"output": "result"})

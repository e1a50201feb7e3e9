"""Rule compare_with_bilby: JSDs of NPE and NPE-IS against the bilby run, and the wall times.

By hand: python workflow_scripts/compare_with_bilby.py --config C --event GW150914 --posterior posterior.hdf5 --summary summary.json \
    --bilby-posterior bilby_posterior.hdf5 --bilby-summary bilby_summary.json --result comparison.json
"""

from gwda.cli import run
from gwda.stages import validation

run(validation.compare_with_bilby, globals(), __doc__)

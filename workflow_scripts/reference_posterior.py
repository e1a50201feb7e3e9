"""Rule reference_posterior: A published posterior (local file or download) in the project's names.

By hand: python workflow_scripts/reference_posterior.py --config C --event GW150914 --reference 2-OGC --output 2-OGC.hdf5
"""

from gwda import comparison_stage
from gwda.cli import run

run(comparison_stage.reference_posterior, globals(), __doc__,
    outputs={"output": "output"},
    params=("reference",))

"""Rule reference_posterior: A published posterior (local file or download) in the project's names.

By hand: python workflow_scripts/reference_posterior.py --config C --event GW150914 --reference 2-OGC --posterior 2-OGC.hdf5
"""

from gwda.cli import run
from gwda.stages import references

run(references.reference_posterior, globals(), __doc__)

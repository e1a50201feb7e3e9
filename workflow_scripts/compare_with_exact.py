"""Rules compare_with_exact and compare_with_bilby: NPE and NPE-IS against the exact posterior
of a bilby run on identical inputs (stored in the repository, or run fresh).

By hand: python workflow_scripts/compare_with_exact.py --config C --event GW150914 --posterior posterior.hdf5 \
    --summary summary.json --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 \
    --reference-posterior bench/reference/GW150914/posterior.hdf5 --reference-summary bench/reference/GW150914/summary.json \
    --result exact_comparison.json --table exact_comparison.png --corner corner_exact.png
"""

from gwda.cli import run
from gwda.stages import exact

run(exact.compare_with_exact, globals(), __doc__)

"""Rule pp_test: P–P coverage test of the trained model on injections from its prior.

By hand: python workflow_scripts/pp_test.py --config C --event GW150914 --model model.json --network network.pt --psd H1_psd.hdf5 L1_psd.hdf5 \
    --result pp_test.json --levels pp_levels.csv --figure pp_plot.png
"""

from gwda.cli import run
from gwda.stages import coverage

run(coverage.pp_test, globals(), __doc__)

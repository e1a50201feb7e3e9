"""Rule pp_test: P–P coverage test of the trained model on injections from its prior.

By hand: python workflow_scripts/pp_test.py --config C --event GW150914 --model M --psd H1_psd.hdf5 L1_psd.hdf5 \
    --result pp_test.json --levels pp_levels.csv --figure pp_plot.png
"""

from gwda import validation_stage
from gwda.cli import run

run(validation_stage.pp_test, globals(), __doc__,
    inputs={"model_path": "model", "psd_paths": "psd+"},
    outputs={"output": "result", "levels_csv": "levels", "figure": "figure"})

"""Rule importance_sample: Exact-likelihood weights, evidence, posterior.hdf5 and summary.json.

By hand: python workflow_scripts/importance_sample.py --config C --event GW150914 --samples S --model M --strain H1.hdf5 L1.hdf5 \
    --psd H1_psd.hdf5 L1_psd.hdf5 --posterior posterior.hdf5 --summary summary.json [--threads 2]
"""

from gwda import npe_stage
from gwda.cli import run

run(npe_stage.importance_sample, globals(), __doc__,
    inputs={"samples_path": "samples", "model_path": "model", "strain_paths": "strain+", "psd_paths": "psd+"},
    outputs={"posterior_path": "posterior", "summary_path": "summary"})

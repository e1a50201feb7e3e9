"""Rule importance_sample: Exact-likelihood weights, evidence, posterior.hdf5 and summary.json.

By hand: python workflow_scripts/importance_sample.py --config C --event GW150914 --samples npe_samples.hdf5 --model model.json \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --posterior posterior.hdf5 --summary summary.json [--threads 2]
"""

from gwda.cli import run
from gwda.stages import inference

run(inference.importance_sample, globals(), __doc__)

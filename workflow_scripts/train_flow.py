"""Rule train_flow: Train the neural posterior estimator; resumes from its checkpoint.

By hand: python workflow_scripts/train_flow.py --config C --event GW150914 --waveforms W --psd H1_psd.hdf5 L1_psd.hdf5 \
    --model model.pt --loss loss.csv --workdir checkpoints [--threads 2]
"""

from gwda import npe_stage
from gwda.cli import run

run(npe_stage.train_flow, globals(), __doc__,
    inputs={"waveform_path": "waveforms", "psd_paths": "psd+"},
    outputs={"model_path": "model", "loss_csv": "loss"},
    params=("workdir",))

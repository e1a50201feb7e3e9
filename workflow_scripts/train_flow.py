"""Rule train_flow: Train the neural posterior estimator; resumes from its checkpoint.

By hand: python workflow_scripts/train_flow.py --config C --event GW150914 --waveforms W --psd H1_psd.hdf5 L1_psd.hdf5 \
    --model model.json --network network.pt --loss loss.csv --workdir checkpoints [--threads 2]
"""

from gwda.cli import run
from gwda.stages import train

run(train.train_flow, globals(), __doc__)

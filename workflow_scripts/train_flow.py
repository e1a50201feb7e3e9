"""Rule train_flow: train the neural posterior estimator; resumes from its checkpoint.

By hand: python workflow_scripts/train_flow.py --config C --event GW150914 --waveforms W \
    --psd H1_psd.hdf5 L1_psd.hdf5 --model model.pt --loss loss.csv --workdir ckpt [--threads 2]
"""

import argparse

from gwda import npe_stage
from gwda.config import event_by_name, load_config
from gwda.runtime import setup_logging


def main(waveforms, psd, model, loss, workdir, event, trigger_time, config, threads, log=None):
    setup_logging(log)
    npe_stage.train_flow(waveforms, psd, model, loss, workdir, event, trigger_time, config, threads)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(sm.input.waveforms, list(sm.input.psd), sm.output.model, sm.output.loss, sm.params.workdir,
         sm.wildcards.event, sm.params.trigger_time, sm.params.config, sm.threads, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "event", "waveforms", "model", "loss", "workdir"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--psd", nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    cfg = load_config(args.config)
    main(args.waveforms, args.psd, args.model, args.loss, args.workdir, args.event,
         event_by_name(cfg, args.event).gps_time, cfg, args.threads)

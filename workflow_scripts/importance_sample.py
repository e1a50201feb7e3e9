"""Rule importance_sample: exact-likelihood weights, evidence, posterior.hdf5 and summary.json.

By hand: python workflow_scripts/importance_sample.py --config C --event GW150914 --samples S \
    --model M --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 \
    --posterior posterior.hdf5 --summary summary.json [--threads 2]
"""

import argparse

from gwda import npe_stage
from gwda.config import event_by_name, load_config
from gwda.runtime import setup_logging


def main(samples, strain, psd, model, posterior, summary, event, trigger_time, config, threads, log=None):
    setup_logging(log)
    npe_stage.importance_sample(samples, strain, psd, model, posterior, summary, event, trigger_time,
                                config, threads)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(sm.input.samples, list(sm.input.strain), list(sm.input.psd), sm.input.model,
         sm.output.posterior, sm.output.summary, sm.wildcards.event, sm.params.trigger_time,
         sm.params.config, sm.threads, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "event", "samples", "model", "posterior", "summary"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--strain", nargs="+", required=True)
    parser.add_argument("--psd", nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    cfg = load_config(args.config)
    main(args.samples, args.strain, args.psd, args.model, args.posterior, args.summary, args.event,
         event_by_name(cfg, args.event).gps_time, cfg, args.threads)

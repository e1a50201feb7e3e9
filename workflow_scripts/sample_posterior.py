"""Rule sample_posterior: flow samples and log densities for the event's analysis segment.

By hand: python workflow_scripts/sample_posterior.py --config C --event GW150914 --model M \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --output npe_samples.hdf5
"""

import argparse

from gwda import npe_stage
from gwda.config import event_by_name, load_config
from gwda.runtime import setup_logging


def main(model, strain, psd, output, event, trigger_time, config, threads, log=None):
    setup_logging(log)
    npe_stage.sample_posterior(model, strain, psd, output, event, trigger_time, config, threads)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(sm.input.model, list(sm.input.strain), list(sm.input.psd), sm.output[0], sm.wildcards.event,
         sm.params.trigger_time, sm.params.config, sm.threads, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "event", "model", "output"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--strain", nargs="+", required=True)
    parser.add_argument("--psd", nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    cfg = load_config(args.config)
    main(args.model, args.strain, args.psd, args.output, args.event,
         event_by_name(cfg, args.event).gps_time, cfg, args.threads)

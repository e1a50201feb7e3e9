"""Rule generate_waveforms: the intrinsic training waveforms (reduced basis) -> HDF5.

By hand: python workflow_scripts/generate_waveforms.py --config C --event GW150914 \
    --psd H1_psd.hdf5 L1_psd.hdf5 --output waveforms.hdf5 [--threads 2]
"""

import argparse

from gwda import npe_stage
from gwda.config import event_by_name, load_config
from gwda.runtime import setup_logging


def main(psd, output, event, trigger_time, config, threads, log=None):
    setup_logging(log)
    npe_stage.generate_waveforms(psd, output, event, trigger_time, config, threads)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(list(sm.input.psd), sm.output[0], sm.wildcards.event, sm.params.trigger_time,
         sm.params.config, sm.threads, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "event", "output"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--psd", nargs="+", required=True)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    cfg = load_config(args.config)
    main(args.psd, args.output, args.event, event_by_name(cfg, args.event).gps_time, cfg, args.threads)

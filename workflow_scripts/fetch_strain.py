"""Rule fetch_strain: one detector's checked strain around an event -> results/{event}/strain/{ifo}.hdf5.

By hand: python workflow_scripts/fetch_strain.py --config config/config.yaml --event GW150914 --ifo H1 --output H1.hdf5
"""

import argparse

from gwda import data_stage
from gwda.config import event_by_name, load_config
from gwda.runtime import setup_logging


def main(output, event, trigger_time, detector, config, log=None):
    setup_logging(log)
    data_stage.fetch_strain(output, event, trigger_time, detector, config)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(sm.output[0], sm.wildcards.event, sm.params.trigger_time, sm.wildcards.ifo,
         sm.params.config, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--ifo", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    config = load_config(args.config)
    main(args.output, args.event, event_by_name(config, args.event).gps_time, args.ifo, config)

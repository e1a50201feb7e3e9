"""Rule simulate_noise: coloured Gaussian noise from the PSDs and its comparison with real data.

By hand: python workflow_scripts/simulate_noise.py --config config/config.yaml --event GW150914 \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --noise noise.hdf5 \
    --summary noise_summary.json --figure noise_comparison.png
"""

import argparse

from gwda import data_stage
from gwda.config import load_config
from gwda.runtime import setup_logging


def main(strain, psd, noise, summary, figure, event, config, log=None):
    setup_logging(log)
    data_stage.simulate_noise(strain, psd, noise, summary, figure, event, config)


if "snakemake" in globals():
    sm = snakemake  # noqa: F821
    main(list(sm.input.strain), list(sm.input.psd), sm.output.noise, sm.output.summary,
         sm.output.figure, sm.wildcards.event, sm.params.config, sm.log[0])
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "event", "noise", "summary", "figure"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--strain", nargs="+", required=True)
    parser.add_argument("--psd", nargs="+", required=True)
    args = parser.parse_args()
    main(args.strain, args.psd, args.noise, args.summary, args.figure, args.event,
         load_config(args.config))

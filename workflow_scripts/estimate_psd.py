"""Rule estimate_psd: median-Welch PSD from off-source strain -> PSD (HDF5), ASD (text), ASD figure.

By hand: python workflow_scripts/estimate_psd.py --config config/config.yaml --strain H1.hdf5 \
    --psd H1_psd.hdf5 --asd H1_asd.txt --figure asd_H1.png
"""

import argparse

from gwda import data_stage
from gwda.config import load_config
from gwda.runtime import setup_logging


def main(strain, psd, asd, figure, config, log=None):
    setup_logging(log)
    data_stage.estimate_psd(strain, psd, asd, figure, config)


if "snakemake" in globals():
    out = snakemake.output  # noqa: F821
    main(snakemake.input.strain, out.psd, out.asd, out.figure,  # noqa: F821
         snakemake.params.config, snakemake.log[0])  # noqa: F821
else:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("config", "strain", "psd", "asd", "figure"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    main(args.strain, args.psd, args.asd, args.figure, load_config(args.config))

"""Rule estimate_psd: Median-Welch PSD from off-source strain -> PSD (HDF5), ASD (text), ASD figure.

By hand: python workflow_scripts/estimate_psd.py --config config/config.yaml --strain H1.hdf5 --psd H1_psd.hdf5 --asd H1_asd.txt --figure asd_H1.png
"""

from gwda import data_stage
from gwda.cli import run

run(data_stage.estimate_psd, globals(), __doc__,
    inputs={"strain_path": "strain"},
    outputs={"psd_path": "psd", "asd_path": "asd", "figure_path": "figure"})

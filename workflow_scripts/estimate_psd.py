"""Rule estimate_psd: Welch PSD (median by default) from off-source strain -> PSD (HDF5), ASD (text), ASD figure.

By hand: python workflow_scripts/estimate_psd.py --config config/config.yaml --strain H1.hdf5 --psd H1_psd.hdf5 --asd H1_asd.txt --figure asd_H1.png
"""

from gwda.cli import run
from gwda.stages import data

run(data.estimate_psd, globals(), __doc__)

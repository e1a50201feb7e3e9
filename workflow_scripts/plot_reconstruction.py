"""Rule plot_reconstruction: Whitened strain with the waveforms reconstructed from the posterior.

By hand: python workflow_scripts/plot_reconstruction.py --config C --event GW150914 --posterior posterior.hdf5 --model model.json \
    --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --figure whitened_strain.png
"""

from gwda.cli import run
from gwda.stages import report

run(report.plot_reconstruction, globals(), __doc__)

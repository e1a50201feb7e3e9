"""Rule bilby_reference: bilby + dynesty on the same data, PSD, window, band, prior and waveform.

By hand: python workflow_scripts/bilby_reference.py --config C --event GW150914 --strain H1.hdf5 L1.hdf5 --psd H1_psd.hdf5 L1_psd.hdf5 --fiducial posterior.hdf5 \
    --posterior bilby_posterior.hdf5 --summary bilby_summary.json [--threads 8]
"""

from gwda.cli import run
from gwda.stages import exact

run(exact.bilby_reference, globals(), __doc__)

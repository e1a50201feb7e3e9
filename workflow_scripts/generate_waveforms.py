"""Rule generate_waveforms: The intrinsic training waveforms (reduced basis) -> HDF5.

By hand: python workflow_scripts/generate_waveforms.py --config C --event GW150914 --psd H1_psd.hdf5 L1_psd.hdf5 --waveforms waveforms.hdf5 [--threads 2]
"""

from gwda.cli import run
from gwda.stages import train

run(train.generate_waveforms, globals(), __doc__)

"""Rule fetch_strain: One detector's checked strain around an event -> results/{event}/strain/{ifo}.hdf5.

By hand: python workflow_scripts/fetch_strain.py --config config/config.yaml --event GW150914 --ifo H1 --strain H1.hdf5
"""

from gwda.cli import run
from gwda.stages import data

run(data.fetch_strain, globals(), __doc__)

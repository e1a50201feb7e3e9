"""Rule fetch_search_strain: One detector's strain over the search span -> results/{event}/search/strain_{ifo}.hdf5.

By hand: python workflow_scripts/fetch_search_strain.py --config C --event GW150914 --ifo H1 --strain H1.hdf5
"""

from gwda.cli import run
from gwda.stages import search

run(search.fetch_search_strain, globals(), __doc__)

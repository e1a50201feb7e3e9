"""Rule search_event: A first matched-filter search over a wide bank -> results/{event}/search/settings.json.

By hand: python workflow_scripts/search_event.py --config C --event GW150914 --strain H1.hdf5 L1.hdf5 --settings settings.json
"""

from gwda.cli import run
from gwda.stages import search

run(search.search_event, globals(), __doc__)

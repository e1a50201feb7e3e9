"""Rule glitch_robustness: P–P injections analysed with and without a glitch near the merger.

By hand: python workflow_scripts/glitch_robustness.py --config C --event GW150914 --model model.json --network network.pt \
    --psd H1_psd.hdf5 L1_psd.hdf5 --result glitch_robustness.json --table glitch_robustness.csv \
    --figure glitch_robustness.png [--glitch-network gan/network.pt] [--threads 2]
"""

from gwda.cli import run
from gwda.stages import coverage

run(coverage.glitch_robustness, globals(), __doc__)

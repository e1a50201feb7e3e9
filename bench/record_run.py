"""Record a whole workflow run's numbers: ``results/summary.json`` (written by the workflow's
``summarise_run`` rule) appended to ``bench/results/workflow_<event>.json`` with the run's
provenance, the config file it ran with and the checksums of its networks and input strain.
``python -m bench.report`` then puts them in docs/results.md and the README's table.

    snakemake --cores all --configfile config/local_gw150914.yaml
    python bench/record_run.py --configfile config/local_gw150914.yaml
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from recording import RESULTS, ROOT, record

from gwda.io import layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=ROOT, help="the directory the workflow ran in")
    parser.add_argument("--configfile", required=True, help="the --configfile the run was given")
    parser.add_argument("--out", type=Path, default=None, help="default bench/results/workflow_<first event>.json")
    args = parser.parse_args()
    summary = json.loads((args.workdir / layout.RUN_SUMMARY).read_text())
    provenance = summary.pop("provenance")
    provenance["configfile"] = args.configfile
    from gwda.provenance import sha256_file

    networks, inputs = {}, {}
    for event, section in summary["events"].items():
        if "model" in section:
            network = layout.event_file(event, "network")
            networks[network.relative_to(layout.RESULTS).as_posix()] = {
                "path": str(network), "sha256": section["model"]["network"]["sha256"]}
        for path in sorted(layout.event_file(event, "strain", args.workdir).glob("*.hdf5")):
            inputs[path.relative_to(args.workdir / layout.RESULTS).as_posix()] = {
                "path": str(path.relative_to(args.workdir)), "sha256": sha256_file(path)}
    if "gan_network_sha256" in summary.get("glitches", {}):
        network = layout.glitch_file("gan_network")
        networks[network.relative_to(layout.RESULTS).as_posix()] = {
            "path": str(network), "sha256": summary["glitches"]["gan_network_sha256"]}
    provenance.update(networks=networks, inputs=inputs)
    out = args.out or RESULTS / f"workflow_{next(iter(summary['events']))}.json"
    record(out, summary, provenance)
    print(f"appended to {out}")


if __name__ == "__main__":
    main()

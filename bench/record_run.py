"""Record a whole workflow run's numbers: ``results/summary.json`` (written by the workflow's
``summarise_run`` rule) appended to ``bench/results/workflow_<event>.json`` with the run's
provenance, the config file it ran with and the checksums of its networks and input strain.
``python -m bench.report`` then puts them in docs/results.md and the README's table.

    snakemake --cores all --configfile config/local_gw150914.yaml
    python bench/record_run.py --configfile config/local_gw150914.yaml

A run of chosen targets (e.g. the catalogue of several events, without the denoiser and the
coverage tests) has no ``results/summary.json``: its numbers are then collected from the
event files now (:func:`gwda.io.run_summary.run_summary`), with the catalogue, and its
provenance names the code checked out in ``--workdir`` (the checkout that ran).

    snakemake --cores all --configfile config/o1_bbh.yaml results/catalogue/catalogue.json
    python bench/record_run.py --configfile config/o1_bbh.yaml --out bench/results/workflow_o1_bbh.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from recording import RESULTS, ROOT, record

from gwda.io import layout


def _summary(workdir: Path, configfile: str, events: list[str] | None = None) -> dict:
    """The run's summary.json, or for a run without one, its event files (of ``events``, by
    default the config's) and catalogue now."""
    if (workdir / layout.RUN_SUMMARY).is_file():
        return json.loads((workdir / layout.RUN_SUMMARY).read_text())
    import yaml
    from gwda.config import validate_config
    from gwda.io.run_summary import run_summary
    from gwda.provenance import git_state, provenance

    path = Path(configfile)
    config = validate_config(yaml.safe_load((path if path.is_absolute() else workdir / path).read_text()),
                             base=yaml.safe_load((workdir / "config" / "config.yaml").read_text()))
    block = provenance(config=config)
    block["git"] = git_state(workdir)
    block["collected_from_event_files"] = True
    summary = {"provenance": block, **run_summary(events or list(config["events"]), workdir)}
    catalogue = workdir / layout.CATALOGUE / "catalogue.json"
    if catalogue.is_file():
        summary["catalogue"] = json.loads(catalogue.read_text())
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=ROOT, help="the directory the workflow ran in")
    parser.add_argument("--configfile", required=True, help="the --configfile the run was given")
    parser.add_argument("--out", type=Path, default=None, help="default bench/results/workflow_<first event>.json")
    parser.add_argument("--events", nargs="*", default=None,
                        help="for a run without results/summary.json: the events to record (default: the config's)")
    args = parser.parse_args()
    summary = _summary(args.workdir, args.configfile, args.events)
    provenance = summary.pop("provenance")
    provenance["configfile"] = args.configfile
    from gwda.provenance import sha256_file

    networks, inputs = {}, {}
    for event, section in summary["events"].items():
        losses = layout.event_file(event, "loss", args.workdir)
        if losses.is_file():     # every epoch's seconds, also those before a resumed job
            import pandas as pd

            section["training_epochs_seconds"] = float(pd.read_csv(losses)["seconds"].sum())
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

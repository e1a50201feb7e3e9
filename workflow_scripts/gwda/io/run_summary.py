"""The whole run in one machine-readable file (``results/summary.json``): per event the
settings its search chose, the posterior's medians and intervals, importance-sampling efficiency, ESS and evidence, the
P–P test, the divergences from the references and from the exact posterior, the glitch
robustness test, the denoiser's metrics and every rule's wall time (Snakemake's benchmark
files); once for all events the glitch GAN's metrics. The numbers are the stages' own
outputs, copied whole; the networks are named by their SHA-256."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..provenance import sha256_file
from .layout import event_file, glitch_file

#: The event files copied into the summary (those present: some analyses are optional).
EVENT_SECTIONS = ("event_settings", "summary", "pp_test", "comparison", "exact_comparison", "glitch_robustness", "denoiser_metrics",
                  "denoiser_event", "denoiser_training", "noise_summary")


def _json(path: Path):
    return json.loads(path.read_text()) if path.is_file() else None


def wall_times(directory: Path) -> dict[str, dict]:
    """Seconds, peak memory (MiB) and CPU seconds of each job, from Snakemake's benchmark files
    (``{rule}.tsv``, one row per repeat: the last is kept)."""
    out = {}
    for path in sorted(Path(directory).glob("*.tsv")):
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if rows:
            row = rows[-1]
            out[path.stem] = {"seconds": float(row["s"]), "max_rss_mib": _number(row.get("max_rss")),
                              "cpu_seconds": _number(row.get("cpu_time"))}
    return out


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def event_section(event: str, root: str | Path = ".") -> dict:
    out = {name: _json(event_file(event, name, root)) for name in EVENT_SECTIONS}
    model = _json(event_file(event, "model", root))
    if model is not None:
        out["model"] = {k: v for k, v in model.items() if k != "config"}
    table = event_file(event, "glitch_robustness_summary", root)
    if table.is_file():
        with open(table, newline="") as fh:
            out["glitch_robustness_summary"] = list(csv.DictReader(fh))
    out["jobs"] = wall_times(event_file(event, "benchmarks", root))
    return {k: v for k, v in out.items() if v is not None}


def glitch_section(root: str | Path = ".") -> dict:
    out = {name: _json(glitch_file(name, root)) for name in ("gan_metrics", "gan_training")}
    network = glitch_file("gan_network", root)
    if network.is_file():
        out["gan_network_sha256"] = sha256_file(network)
    out["jobs"] = wall_times(glitch_file("benchmarks", root))
    return {k: v for k, v in out.items() if v is not None}


def run_summary(events: list[str], root: str | Path = ".") -> dict:
    """The summary of a run directory ``root`` (which holds ``results/``) for ``events``."""
    return {"events": {event: event_section(event, root) for event in events}, "glitches": glitch_section(root)}

"""Where the benchmarks put their figures: each measurement is appended, with its provenance
(git commit, command, config, input and network checksums, machine, date), to a JSON file under
``bench/results/`` that keeps every earlier run (:func:`gwda.provenance.record`);
``python -m bench.report`` writes ``docs/results.md`` from the latest run of each file."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
if str(ROOT / "workflow_scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "workflow_scripts"))

from gwda.provenance import provenance, record  # noqa: E402


def save(name: str, result: dict, *, out: str | Path | None = None, config: dict | None = None,
         inputs: dict | None = None, networks: dict | None = None, **extra) -> Path:
    """Append ``result`` to ``out`` (default ``bench/results/<name>.json``) with its provenance;
    ``extra`` keys are added to the provenance (e.g. settings that are not in a config)."""
    path = Path(out) if out else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    block = provenance(config=config, inputs=inputs, networks=networks)
    block.update(extra)
    record(path, result, block)
    print(f"appended to {path}")
    return path


def event_files(results_dir: str | Path) -> tuple[dict, dict]:
    """(inputs, networks) to checksum for a measurement on an analysed event's results
    directory: its strain, PSDs and posterior; its trained network."""
    d = Path(results_dir)
    inputs = {p.relative_to(d).as_posix(): p for p in sorted(d.glob("strain/*.hdf5")) + sorted(d.glob("psd/*_psd.hdf5"))}
    if (d / "posterior.hdf5").is_file():
        inputs["posterior.hdf5"] = d / "posterior.hdf5"
    networks = {"model/network.pt": d / "model" / "network.pt"} if (d / "model" / "network.pt").is_file() else {}
    return inputs, networks

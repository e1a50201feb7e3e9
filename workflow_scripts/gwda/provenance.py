"""What produced a number: the code (git commit), the config, the inputs and networks (SHA-256),
the machine and the date, recorded beside every measurement.

A measurement file under ``bench/results/`` keeps its history: :func:`record` appends a run
(its provenance and its result) instead of overwriting the previous one, and the documents
are generated from the latest run of each file.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from .runtime import atomic_output

#: The repository this package belongs to (its git state is the code's version).
REPOSITORY = Path(__file__).resolve().parents[2]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(obj) -> str:
    """Checksum of a JSON-serialisable object (keys sorted), e.g. a config."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def git_state(root: str | Path = REPOSITORY) -> dict:
    """The commit checked out in ``root``, whether tracked files differ from it, and how (the
    diff itself where it is short, its checksum always)."""
    def git(*args):
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    diff = git("diff", "HEAD")
    out = {"commit": commit, "dirty": bool(diff)}
    if diff:   # what the working tree changed, so that a run of uncommitted code still traces
        out["diff_sha256"] = hashlib.sha256(diff.encode()).hexdigest()
        if len(diff) <= 20000:
            out["diff"] = diff
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """The machine and software a measurement ran on (torch's threads and device where torch
    is loaded)."""
    out = {"cpu": cpu_model(), "logical_cores": os.cpu_count(),
           "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
           "platform": platform.platform(), "python": platform.python_version()}
    import numpy
    out["numpy"] = numpy.__version__
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
        out["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return out


def provenance(config: dict | None = None, overrides: dict | list | None = None,
               inputs: dict[str, str | Path] | None = None, networks: dict[str, str | Path] | None = None,
               command: list[str] | None = None) -> dict:
    """The provenance block of a measurement: date (UTC), git state, the command, the config's
    checksum (and the config itself) with the overrides given on top of it, SHA-256 of each
    named input file and network, and the machine."""
    out = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git": git_state(),
           "command": command if command is not None else [Path(sys.argv[0]).name, *sys.argv[1:]]}
    if config is not None:
        out["config_sha256"] = sha256_json(config)
        out["config"] = config
    if overrides:
        out["overrides"] = overrides
    for key, files in (("inputs", inputs), ("networks", networks)):
        if files:
            out[key] = {name: {"path": str(path), "sha256": sha256_file(path)} for name, path in files.items()}
    out["machine"] = machine()
    return out


def record(path: str | Path, result: dict, provenance_block: dict) -> dict:
    """Append a run (``{"provenance": ..., "result": ...}``) to the measurement file ``path``
    (``{"runs": [...]}``), keeping every earlier run; returns the file's content."""
    path = Path(path)
    history = json.loads(path.read_text()) if path.exists() else {"runs": []}
    if "runs" not in history:
        raise ValueError(f"{path} is not a measurement file with a history of runs")
    history["runs"].append({"provenance": provenance_block, "result": result})
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(history, indent=1) + "\n")
    return history


def latest(path: str | Path) -> dict:
    """The latest run of a measurement file: ``{"provenance": ..., "result": ...}``."""
    history = json.loads(Path(path).read_text())
    if not history.get("runs"):
        raise ValueError(f"{path} holds no runs")
    return history["runs"][-1]

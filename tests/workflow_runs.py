"""Running the workflow from a test: the Snakemake command, and the tiny test configuration
(config/test.yaml) pointed at a data directory."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def snakemake(root, *args, cwd=None, env=None, timeout=900):
    cmd = [sys.executable, "-m", "snakemake", "-s", str(root / "Snakefile"), *args]
    return subprocess.run(cmd, cwd=cwd or root, capture_output=True, text=True, timeout=timeout, env=env)


def write_tiny_config(directory, root, data, references=None):
    """test.yaml with ``data`` keys replaced and the given reference posteriors (label: file)."""
    base = yaml.safe_load((root / "config" / "test.yaml").read_text())
    base["data"].update(data)
    base["validation"]["references"] = [{"label": k, "path": str(v)} for k, v in (references or {}).items()]
    path = Path(directory) / "config.yaml"
    path.write_text(yaml.safe_dump(base))
    return path

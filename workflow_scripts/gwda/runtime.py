"""Small run-time helpers shared by the rule scripts: logging, seeding, JSON output."""

from __future__ import annotations

import json
import logging
import sys
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def setup_logging(log_path: str | Path | None = None, level: int = logging.INFO) -> None:
    """Log to stderr and, if given, to ``log_path`` (the rule's ``log:`` file)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=level, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)

    def log_uncaught(kind, value, tb):
        logging.getLogger("gwda").critical("failed: %s", value, exc_info=(kind, value, tb))

    sys.excepthook = log_uncaught


def rng(seed: int, *labels: str) -> np.random.Generator:
    """A generator determined by the master seed and labels (e.g. stage, event, detector),
    so that each stream is reproducible and independent of the order jobs run in."""
    keys = [int(seed)] + [zlib.crc32(label.encode()) for label in labels]
    return np.random.default_rng(np.random.SeedSequence(keys))


@contextmanager
def atomic_output(path: str | Path):
    """Yield a temporary path beside ``path`` that replaces it only when the block completes,
    so an interrupted write never leaves a file that looks complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def set_attrs(h5obj, attrs: dict) -> None:
    """HDF5 attributes: scalars and strings as they are, anything else as JSON text."""
    for key, value in attrs.items():
        h5obj.attrs[key] = value if isinstance(value, (int, float, str)) else json.dumps(value)


def write_json(path: str | Path, obj) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")

"""Small run-time helpers shared by the rule scripts: logging, seeding, JSON output."""

from __future__ import annotations

import json
import logging
import sys
import zlib
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


def write_json(path: str | Path, obj) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


_SHARED: tuple = ()
_LIMITS = None


def _share(args: tuple) -> None:
    """Worker start-up: keep the shared arguments, and one BLAS thread per worker (the
    workers already fill the cores; nested BLAS threads would oversubscribe them)."""
    global _SHARED, _LIMITS
    from threadpoolctl import threadpool_limits

    _SHARED = args
    _LIMITS = threadpool_limits(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _call_with_shared(job):
    func, chunk = job
    return func((chunk, *_SHARED))


def map_chunks(func, params: dict, args: tuple, threads: int = 1, chunk: int = 500) -> list:
    """``func((params_chunk, *args))`` over row chunks of the parameter arrays, in
    ``threads`` worker processes when there is more than one chunk; results in order.
    ``args`` (simulator, basis, ...) reach each worker once, not once per chunk."""
    from concurrent.futures import ProcessPoolExecutor

    n = len(next(iter(params.values())))
    chunks = [{k: v[i:i + chunk] for k, v in params.items()} for i in range(0, n, chunk)]
    if threads > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=threads, initializer=_share, initargs=(args,)) as pool:
            return list(pool.map(_call_with_shared, [(func, c) for c in chunks]))
    return [func((c, *args)) for c in chunks]

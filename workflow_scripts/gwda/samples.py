"""Posterior samples on disk: structured arrays in HDF5 (``posterior_samples`` datasets,
one per analysis group, as in LVK releases)."""

from __future__ import annotations

import h5py
import numpy as np


def to_structured(columns: dict) -> np.ndarray:
    names = list(columns)
    n = len(next(iter(columns.values())))
    out = np.empty(n, dtype=[(k, "f8") for k in names])
    for k in names:
        out[k] = columns[k]
    return out


def read_posterior_samples(path, group: str | None = None) -> dict[str, np.ndarray]:
    """Columns of ``{group}/posterior_samples`` (or a top-level ``posterior_samples``)."""
    with h5py.File(path, "r") as fh:
        data = fh[f"{group}/posterior_samples" if group else "posterior_samples"][()]
    return {k: data[k] for k in data.dtype.names}

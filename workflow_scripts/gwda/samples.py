"""Posterior samples on disk: structured arrays in HDF5 (``posterior_samples`` datasets,
one per analysis group, as in LVK releases)."""

from __future__ import annotations

import h5py
import numpy as np

from .runtime import atomic_output, set_attrs

#: The analysis groups of this workflow's posterior files.
ANALYSES = ("NPE", "NPE-IS")


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
        return _columns(fh[f"{group}/posterior_samples" if group else "posterior_samples"][()])


def _columns(data: np.ndarray) -> dict[str, np.ndarray]:
    return {k: data[k] for k in data.dtype.names}


def read_analyses(path) -> dict[str, dict[str, np.ndarray]]:
    """The NPE and NPE-IS samples (those the file has) of a posterior file, by group."""
    with h5py.File(path, "r") as fh:
        return {g: _columns(fh[f"{g}/posterior_samples"][()]) for g in ANALYSES if g in fh}


def write_posterior_samples(path, columns: dict, attrs: dict) -> None:
    """``columns`` as a top-level ``posterior_samples`` structured array, with ``attrs``."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh["posterior_samples"] = to_structured(columns)
        set_attrs(fh, attrs)

"""Glitch files (``results/glitches/``): labelled whitened bursts, the GAN's training and
held-out sets (``training_set.hdf5``, ``heldout_set.hdf5``) and the glitches it generates
(``generated.hdf5``). Each holds ``series`` (rows), ``labels`` and the ``parameters`` of each
row; the classes, the window and its band, and provenance as file attributes (non-scalars as
JSON text, :func:`gwda.runtime.set_attrs`)."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from ..runtime import atomic_output, set_attrs
from .hdf5 import write_dataset, write_parameters

SERIES = "whitened bursts (rows), unit optimal SNR (gwda.glitches.families)"
LABELS = "the class of each burst: an index into the file attribute classes"


def write_bursts(path: Path | str, series: np.ndarray, labels: np.ndarray, parameters: dict[str, np.ndarray],
                 attrs: dict) -> None:
    """A training or held-out set: bursts with their true parameters (NaN where a class has none)."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        write_dataset(fh, "series", series.astype(np.float32), SERIES)
        write_dataset(fh, "labels", labels, LABELS)
        write_parameters(fh, parameters, "the true parameter of each burst (NaN where its class has none)")
        set_attrs(fh, attrs)


def read_bursts(path: Path | str) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict]:
    """A file written by :func:`write_bursts`: series, labels, parameters and the file attributes as stored."""
    with h5py.File(path, "r") as fh:
        return (fh["series"][()], fh["labels"][()], {k: fh[f"parameters/{k}"][()] for k in fh["parameters"]},
                dict(fh.attrs))


def write_generated(path: Path | str, series: np.ndarray, labels: np.ndarray, snr: np.ndarray,
                    parameters: dict[str, np.ndarray], attrs: dict) -> None:
    """Generated glitches with their optimal SNR and the parameters they were conditioned on."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        write_dataset(fh, "series", series.astype(np.float32), SERIES)
        write_dataset(fh, "labels", labels, LABELS)
        write_dataset(fh, "snr", snr, "optimal SNR of each burst in whitened data")
        write_parameters(fh, parameters, "the parameter each burst was conditioned on (NaN where none)")
        set_attrs(fh, attrs)


def read_generated(path: Path | str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Series, labels and the file attributes (``classes`` decoded) of a file written by
    :func:`write_generated`."""
    with h5py.File(path, "r") as fh:
        attrs = {k: (json.loads(v) if k == "classes" else v) for k, v in fh.attrs.items()}
        return fh["series"][()], fh["labels"][()], attrs


def read_generated_parameters(path: Path | str) -> dict[str, np.ndarray]:
    """The parameters each generated burst of :func:`write_generated` was conditioned on."""
    with h5py.File(path, "r") as fh:
        return {k: fh[f"parameters/{k}"][()] for k in fh.get("parameters", {})}

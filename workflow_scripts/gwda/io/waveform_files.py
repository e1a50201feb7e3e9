"""The intrinsic training set (``training/waveforms.hdf5``): the drawn intrinsic
``parameters`` of each waveform, its reduced-basis ``coefficients`` and the ``basis``; the
approximant, the basis's reconstruction mismatch, timings and the config as file attributes."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..runtime import atomic_output
from .hdf5 import write_dataset, write_parameters


def write(path: Path | str, parameters: dict[str, np.ndarray], coefficients: np.ndarray, basis: np.ndarray,
          attrs: dict) -> None:
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        write_parameters(fh, parameters, "the intrinsic parameter of each waveform")
        write_dataset(fh, "coefficients", coefficients.astype(np.complex64),
                      "reduced-basis coefficients of each waveform at 1 Mpc (rows; h+ and h× for models "
                      "that are not separable)")
        write_dataset(fh, "basis", basis, "the reduced basis on the in-band bins: coefficients @ basis is the "
                      "waveform at 1 Mpc", "strain/Hz")
        fh.attrs.update(attrs)


def read(path: Path | str, n: int | None = None) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, dict]:
    """Parameters and coefficients of the first ``n`` waveforms (all by default), the basis
    and the file attributes."""
    rows = slice(n)
    with h5py.File(path, "r") as fh:
        params = {k: fh[f"parameters/{k}"][rows] for k in fh["parameters"]}
        return params, fh["coefficients"][rows], fh["basis"][()], dict(fh.attrs)

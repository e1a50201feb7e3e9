"""PSD files: HDF5 (frequencies, one-sided PSD, Welch settings and provenance) and the
two-column ASD text file of LVK data releases."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..gw.psd import PSD
from ..runtime import atomic_output, set_attrs
from .hdf5 import write_dataset


def write(psd: PSD, h5_path: Path | str, asd_txt_path: Path | str | None = None) -> None:
    with atomic_output(h5_path) as tmp, h5py.File(tmp, "w") as fh:
        write_dataset(fh, "frequencies", psd.frequencies, "frequencies of the PSD's bins", "Hz")
        write_dataset(fh, "psd", psd.values, "one-sided power spectral density", "strain^2/Hz (one-sided)")
        fh.attrs["detector"] = psd.detector
        fh.attrs["delta_f"] = psd.delta_f
        set_attrs(fh, psd.attrs)
    if asd_txt_path is not None:
        header = (f"{psd.detector} amplitude spectral density, {psd.attrs.get('average', '')}-Welch estimate\n"
                  "frequency [Hz]    ASD [strain/sqrt(Hz)]")
        with atomic_output(asd_txt_path) as tmp:
            np.savetxt(tmp, np.column_stack([psd.frequencies, psd.asd]), header=header, fmt="%.8e")


def read(h5_path: Path | str) -> PSD:
    with h5py.File(h5_path, "r") as fh:
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in fh.attrs.items()}
        return PSD(str(attrs.pop("detector")), fh["frequencies"][()], fh["psd"][()], attrs, str(h5_path))

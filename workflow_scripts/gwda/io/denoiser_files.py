"""The denoiser's reconstruction of an event (``denoiser/denoised.hdf5``): the whitened window
around the trigger per detector with the Transformer's reconstruction and posterior waveforms."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..runtime import atomic_output, set_attrs
from .hdf5 import write_dataset

DESCRIPTION = ("whitened strain (white noise: variance 1/<w^2> per sample in the band), the "
               "Transformer's reconstruction and posterior waveforms; times from the trigger")

#: The series of each detector's group, all whitened and on ``times``.
SERIES = {
    "data": "the whitened data",
    "denoised": "the denoiser's reconstruction of the signal",
    "max_likelihood": "the highest-likelihood waveform among the drawn posterior samples",
    "posterior_q05": "5th percentile of the drawn posterior waveforms at each time",
    "posterior_q95": "95th percentile of the drawn posterior waveforms at each time",
}


def write_reconstruction(path: Path | str, times: np.ndarray, detectors: dict[str, dict[str, np.ndarray]],
                         event: str, trigger_time: float, sample_rate: float) -> None:
    """``detectors``: per detector the whitened series named in :data:`SERIES`."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        write_dataset(fh, "times", times, "time of each sample from the trigger time", "s")
        for ifo, series in detectors.items():
            g = fh.create_group(ifo)
            for name, description in SERIES.items():
                write_dataset(g, name, series[name], description)
        set_attrs(fh, {"event": event, "trigger_time": trigger_time, "sample_rate": sample_rate,
                       "description": DESCRIPTION})

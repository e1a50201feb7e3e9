"""The noise stage's HDF5 files: coloured Gaussian noise drawn from each detector's PSD
(``noise/simulated_noise.hdf5``) and a stretch of it with and without injected glitches
(``noise/noise_with_glitches.hdf5``). One group per detector; the event, the whitening
convention, the domain and the config as file attributes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from ..gw.domain import WHITENING_CONVENTION, FrequencyDomain
from ..runtime import atomic_output
from .hdf5 import write_dataset


@dataclass
class SimulatedNoise:
    """One detector's simulated noise on the analysis domain."""
    frequency_domain: np.ndarray     # (realisations, bins)
    time_domain: np.ndarray          # one segment
    psd: np.ndarray                  # the PSD it was drawn from


def write_simulated_noise(path: Path | str, noise: dict[str, SimulatedNoise], domain: FrequencyDomain,
                          event: str, config: dict) -> None:
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh.attrs.update({"event": event, "convention": WHITENING_CONVENTION, "config": json.dumps(config),
                         "duration": domain.duration, "sample_rate": domain.sample_rate,
                         "roll_off": domain.roll_off})
        for det, n in noise.items():
            g = fh.create_group(det)
            write_dataset(g, "frequencies", domain.frequencies, "frequencies of the bins", "Hz")
            write_dataset(g, "frequency_domain", n.frequency_domain,
                          "coloured noise realisations (rows), windowed-data equivalent, zero outside the band",
                          "strain/Hz")
            td = write_dataset(g, "time_domain", n.time_domain, "one unwindowed segment of coloured noise", "strain")
            td.attrs.update({"gps_start": 0.0, "sample_rate": domain.sample_rate})
            write_dataset(g, "psd", n.psd, "the estimated PSD the noise is drawn from", "strain^2/Hz (one-sided)")


def write_noise_with_glitches(path: Path | str, stretches: dict[str, tuple[np.ndarray, np.ndarray]],
                              stretch: FrequencyDomain, event: str, config: dict) -> None:
    """``stretches``: per detector the Gaussian noise and the same with the glitches added."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh.attrs.update({"event": event, "convention": WHITENING_CONVENTION, "sample_rate": stretch.sample_rate,
                         "duration": stretch.duration, "gps_start": 0.0, "config": json.dumps(config)})
        for det, (gaussian, with_glitches) in stretches.items():
            g = fh.create_group(det)
            write_dataset(g, "gaussian", gaussian, "a stretch of coloured Gaussian noise", "strain")
            write_dataset(g, "with_glitches", with_glitches,
                          "the same Gaussian noise plus the glitches of the catalogue", "strain")

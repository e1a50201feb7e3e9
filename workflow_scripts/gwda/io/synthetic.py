"""Synthetic GWOSC-format data with a known PSD, for tests, demos and benchmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..gw.noise import time_domain_noise
from .gwosc_files import write_hdf5


def analytic_psd(frequencies: np.ndarray, scale: float = 9.0) -> np.ndarray:
    """aLIGO-like analytic PSD (Ajith 2011 fit, x = f / 215 Hz), flat below 10 Hz.

    ``scale`` multiplies the design-sensitivity fit (9 gives O1-like ~1e-23 /sqrt(Hz) at 100 Hz).
    """
    x = np.maximum(np.asarray(frequencies, dtype=float), 10.0) / 215.0
    s = 1e-49 * (x**-4.14 - 5 * x**-2 + 111 * (1 - x**2 + 0.5 * x**4) / (1 + 0.5 * x**2))
    return scale * s


def sine_gaussian(times: np.ndarray, t0: float, f0: float = 120.0, q: float = 9.0,
                  amplitude: float = 1e-21) -> np.ndarray:
    """A sine-Gaussian burst centred on t0 (a simple stand-in for an injected transient)."""
    tau = q / (np.sqrt(2) * np.pi * f0)
    dt = times - t0
    return amplitude * np.exp(-(dt / tau) ** 2) * np.sin(2 * np.pi * f0 * dt)


def write_gwosc_files(directory: Path | str, gps_start: int, duration: int,
                      detectors=("H1", "L1"), sample_rate: int = 4096, seed: int = 0,
                      injection_time: float | list[float] | None = None, injection_amplitude: float = 1e-21,
                      tag: str = "GWOSC_4KHZ_R1") -> dict[str, Path]:
    """Write one GWOSC-format HDF5 file per detector holding coloured Gaussian noise with
    :func:`analytic_psd`, optionally with a sine-Gaussian injected at ``injection_time`` (or
    at each of several times)."""
    rng = np.random.default_rng(seed)
    freqs = np.fft.rfftfreq(duration * sample_rate, 1.0 / sample_rate)
    psd = analytic_psd(freqs)
    paths = {}
    for det in detectors:
        x = time_domain_noise(freqs, psd, duration, sample_rate, rng)
        if injection_time is not None:
            t = gps_start + np.arange(x.size) / sample_rate
            for t0 in np.atleast_1d(injection_time):
                x = x + sine_gaussian(t, t0, amplitude=injection_amplitude)
        paths[det] = write_hdf5(directory, det, gps_start, sample_rate, x, tag=tag)
    return paths

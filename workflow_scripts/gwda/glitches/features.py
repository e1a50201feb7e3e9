"""Physical parameters measured on whitened bursts, the same way for every sample, real or
generated (the estimator is not the generator: it knows no formula).

For a burst x(t) on its window (rows of ``x``; :mod:`gwda.glitches.families`):

* ``peak_time``: where the envelope |x + i H[x]| (H the Hilbert transform) peaks (s from the
  window's start);
* ``central_frequency``, ``bandwidth``: mean and standard deviation of frequency over the
  in-band power spectrum |x̃(f)|²;
* ``duration``: standard deviation of time over the energy x(t)²;
* ``quality``: central_frequency / (√2 · bandwidth), which is the sine-Gaussian's
  Q = √2 π f0 τ (for exp(-t²/τ²) sin(2π f0 t), bandwidth = 1/(2πτ) and duration = τ/2);
* ``snr``: the optimal SNR (the convention of :mod:`gwda.glitches.families`).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import hilbert

from ..gw.domain import FrequencyDomain

FEATURES = ("peak_time", "central_frequency", "bandwidth", "duration", "quality", "snr")


def measure(x: np.ndarray, domain: FrequencyDomain) -> dict[str, np.ndarray]:
    """The :data:`FEATURES` of every row of ``x``."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    t = np.arange(domain.n_samples) / domain.sample_rate
    envelope = np.abs(hilbert(x, axis=-1))
    power = np.abs(domain.whitened_band(x)) ** 2           # in-band |x̃(f)|², in SNR² units
    f = domain.frequencies[domain.mask]
    f_mean = np.sum(power * f, axis=-1) / np.sum(power, axis=-1)
    f_std = np.sqrt(np.sum(power * (f - f_mean[:, None]) ** 2, axis=-1) / np.sum(power, axis=-1))
    energy = x**2
    t_mean = np.sum(energy * t, axis=-1) / np.sum(energy, axis=-1)
    t_std = np.sqrt(np.sum(energy * (t - t_mean[:, None]) ** 2, axis=-1) / np.sum(energy, axis=-1))
    return {"peak_time": t[np.argmax(envelope, axis=-1)], "central_frequency": f_mean, "bandwidth": f_std,
            "duration": t_std, "quality": f_mean / (np.sqrt(2) * f_std), "snr": np.sqrt(power.sum(axis=-1))}

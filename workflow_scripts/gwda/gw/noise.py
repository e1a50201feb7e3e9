"""Coloured Gaussian noise from a PSD, and how Gaussian whitened noise is.

Frequency-domain noise follows the convention of :mod:`gwda.gw.domain`: each in-band bin has
independent real and imaginary parts with standard deviation ``sqrt(S_eff T / 4)``, so
whitened simulated noise has unit variance per part, exactly like whitened windowed data.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .domain import FrequencyDomain


def frequency_domain_noise(psd: np.ndarray, domain: FrequencyDomain, n: int,
                           rng: np.random.Generator) -> np.ndarray:
    """``n`` realisations (rows) of windowed-data-equivalent noise; zero outside the band."""
    std = np.where(domain.mask, domain.noise_std(psd), 0.0)
    shape = (n, std.size)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * std


def time_domain_noise(psd_frequencies: np.ndarray, psd: np.ndarray, duration: float,
                      sample_rate: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary coloured noise in the time domain (no window), PSD interpolated as needed.

    Built in the frequency domain with ``E|n(f)|² = T S(f) / 2`` for 0 < f < Nyquist and
    transformed back with the convention ``x = irfft(n(f)) / Δt``.
    """
    n_samples = int(round(duration * sample_rate))
    freqs = np.fft.rfftfreq(n_samples, 1.0 / sample_rate)
    s = np.interp(freqs, psd_frequencies, psd)
    std = np.sqrt(s * duration / 4.0)
    std[0] = 0.0
    if n_samples % 2 == 0:
        std[-1] = 0.0
    spec = (rng.standard_normal(freqs.size) + 1j * rng.standard_normal(freqs.size)) * std
    return np.fft.irfft(spec, n=n_samples) * sample_rate


def whitened_offsource(chunks: list[np.ndarray], psd: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """Whitened in-band frequency-domain data of the non-overlapping analysis-length
    segments of the off-source ``chunks`` (rows: segments, columns: in-band bins)."""
    n = domain.n_samples
    return np.array([domain.whiten_segment(chunk[start:start + n], psd)
                     for chunk in chunks for start in range(0, chunk.size - n + 1, n)])


def gaussianity(whitened: np.ndarray) -> dict:
    """Statistics of the real and imaginary parts of whitened noise (or of a real whitened
    time series) against N(0, 1).

    ``variance`` should be 1 within ``variance_std`` (= sqrt(2 / N) for N Gaussian values);
    ``ks_pvalue`` tests the full N(0, 1) (known mean and variance); the Anderson–Darling
    test checks the normal shape with fitted mean and variance.
    """
    x = np.concatenate([whitened.real.ravel(), whitened.imag.ravel()]) if np.iscomplexobj(whitened) \
        else np.ravel(whitened)
    ad = stats.anderson(x, dist="norm", method="interpolate")
    ks = stats.kstest(x, "norm")
    return {
        "n_values": int(x.size),
        "mean": float(x.mean()),
        "variance": float(x.var()),
        "variance_std": float(np.sqrt(2.0 / x.size)),
        "excess_kurtosis": float(stats.kurtosis(x)),
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "anderson_darling": float(ad.statistic),
        "anderson_darling_pvalue": float(ad.pvalue),
    }

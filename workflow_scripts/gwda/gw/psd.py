"""Noise power spectral density by Welch's method (median or mean), stored on the analysis grid."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.signal.windows import tukey

from .domain import FrequencyDomain


@dataclass
class PSD:
    detector: str
    frequencies: np.ndarray
    values: np.ndarray          # one-sided PSD, strain²/Hz
    attrs: dict = field(default_factory=dict)
    source: str = ""            # the file it was read from, if any

    @property
    def asd(self) -> np.ndarray:
        return np.sqrt(self.values)

    @property
    def delta_f(self) -> float:
        return float(self.frequencies[1] - self.frequencies[0])


def median_bias(n: int) -> float:
    """Ratio of the sample median to the mean of n exponential (χ²₂) variates, as used by
    LAL/FINDCHIRP median PSD estimation: Σ_{k=1}^{n} (-1)^{k+1}/k for odd n; for even n the
    same series truncated at the odd n - 1."""
    k = 2.0 * np.arange(1, (n - 1) // 2 + 1)
    return float(1.0 + np.sum(1.0 / (k + 1.0) - 1.0 / k))


def periodograms(x: np.ndarray, sample_rate: float, seg_len: float, overlap: float,
                 roll_off: float) -> np.ndarray:
    """One-sided, window-normalised periodograms of the Welch segments of ``x`` (rows)."""
    n = int(round(seg_len * sample_rate))
    step = max(1, int(round(n * (1.0 - overlap))))
    if x.size < n:
        return np.empty((0, n // 2 + 1))
    starts = np.arange(0, x.size - n + 1, step)
    segs = np.lib.stride_tricks.sliding_window_view(x, n)[starts]
    segs = segs - segs.mean(axis=1, keepdims=True)
    w = tukey(n, alpha=min(1.0, 2 * roll_off / seg_len))
    spec = np.abs(np.fft.rfft(segs * w, axis=1)) ** 2 * (2.0 / (sample_rate * np.sum(w**2)))
    spec[:, 0] /= 2.0
    if n % 2 == 0:
        spec[:, -1] /= 2.0
    return spec


def welch(chunks: list[np.ndarray], sample_rate: float, seg_len: float, overlap: float = 0.5,
          average: str = "median", roll_off: float = 0.4) -> tuple[np.ndarray, np.ndarray, int]:
    """Welch PSD over the segments of several disjoint chunks of data.

    Returns (frequencies, psd, number of segments averaged). The median is divided by its
    bias for exponential variates so that it estimates the mean.
    """
    spec = np.concatenate([periodograms(c, sample_rate, seg_len, overlap, roll_off) for c in chunks])
    if spec.shape[0] == 0:
        raise ValueError(f"no {seg_len} s Welch segment fits in the PSD data")
    if average == "median":
        psd = np.median(spec, axis=0) / median_bias(spec.shape[0])
    else:
        psd = spec.mean(axis=0)
    freqs = np.fft.rfftfreq(int(round(seg_len * sample_rate)), 1.0 / sample_rate)
    return freqs, psd, spec.shape[0]


def estimate(chunks: list[np.ndarray], detector: str, domain: FrequencyDomain, psd_cfg: dict,
             attrs: dict | None = None) -> PSD:
    """PSD from off-source ``chunks``, on the frequency grid of ``domain``.

    With Welch segments shorter than the analysis segment the estimate is interpolated
    linearly onto the finer grid.
    """
    seg_len = psd_cfg["welch_segment"] or domain.duration
    freqs, values, n_avg = welch(chunks, domain.sample_rate, seg_len, psd_cfg["overlap"],
                                 psd_cfg["average"], domain.roll_off)
    if not np.allclose(freqs[1] - freqs[0], domain.delta_f):
        values = np.interp(domain.frequencies, freqs, values)
        freqs = domain.frequencies
    meta = {"welch_segment": seg_len, "overlap": psd_cfg["overlap"], "average": psd_cfg["average"],
            "n_averages": n_avg, "roll_off": domain.roll_off,
            "window_factor_analysis": domain.window_factor,
            "offsource_seconds": float(sum(c.size for c in chunks) / domain.sample_rate)}
    meta.update(attrs or {})
    return PSD(detector, freqs, values, meta)

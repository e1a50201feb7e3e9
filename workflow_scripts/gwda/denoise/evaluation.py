"""How well the denoiser recovers signals and suppresses noise and glitches, next to the
baselines it must beat.

* Overlap: the normalised inner product over detectors and samples between a reconstruction
  and the true whitened signal, per network-SNR bin (median, 10 % and 90 %).
* Phase and amplitude at the peak: from the analytic signals (Hilbert transform) of the
  reconstruction and the truth, at the truth's envelope peak in its louder detector: the
  relative amplitude error and the phase difference (rad).
* Suppression: on windows of noise only, the input's power over the output's (mean over
  windows of Σ_t x², over that of Σ_t ŷ²); on windows of noise and one glitch per detector,
  the glitches' power over the output's.
* Baselines: the data themselves, band-passed (the identity; whitened data are already in the
  band), and a Wiener filter, the best linear time-invariant estimate, with gain
  P_s / (P_s + P_n) per frequency, P_s the mean power spectrum of training-distribution signals
  in the window and P_n that of the known (white) noise.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import hilbert

from .training import network_overlap


class WienerFilter:
    def __init__(self, signal_power: np.ndarray, noise_power: np.ndarray):
        self.gain = signal_power / (signal_power + noise_power)

    @classmethod
    def fit(cls, signals: np.ndarray, noise: np.ndarray) -> WienerFilter:
        """From windows (rows, detectors, samples) of signals and of noise alone; one gain per
        detector and frequency."""
        power = lambda x: np.mean(np.abs(np.fft.rfft(x, axis=-1)) ** 2, axis=0)  # noqa: E731
        return cls(power(signals), power(noise))

    def __call__(self, data: np.ndarray) -> np.ndarray:
        return np.fft.irfft(np.fft.rfft(data, axis=-1) * self.gain, n=data.shape[-1], axis=-1)


def peak_errors(estimate: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative amplitude error and phase difference (rad, in (-π, π]) at the truth's envelope
    peak, in each row's louder detector (rows, detectors, samples)."""
    louder = np.argmax((truth**2).sum(-1), axis=-1)
    rows = np.arange(truth.shape[0])
    z_true, z_est = hilbert(truth[rows, louder], axis=-1), hilbert(estimate[rows, louder], axis=-1)
    peak = np.argmax(np.abs(z_true), axis=-1)
    a, b = z_true[rows, peak], z_est[rows, peak]
    return np.abs(b) / np.abs(a) - 1.0, np.angle(b / a)


def quantiles(x: np.ndarray) -> dict:
    if x.size == 0:
        return {"n": 0}
    q10, q50, q90 = np.percentile(x, [10, 50, 90])
    return {"n": int(x.size), "median": float(q50), "q10": float(q10), "q90": float(q90)}


def overlap_table(snr: np.ndarray, overlaps: dict[str, np.ndarray], edges: list[float]) -> list[dict]:
    """Per SNR bin [edges[i], edges[i+1]): the overlap quantiles of each method."""
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (snr >= lo) & (snr < hi) if hi != edges[-1] else (snr >= lo) & (snr <= hi)
        rows.append({"snr_min": lo, "snr_max": hi, **{k: quantiles(v[sel]) for k, v in overlaps.items()}})
    return rows


def power_ratio(numerator: np.ndarray, output: np.ndarray) -> float:
    """Mean window power of ``numerator`` over that of ``output`` (rows, detectors, samples)."""
    return float(np.mean((numerator**2).sum(-1)) / np.mean((output**2).sum(-1)))


def signal_metrics(data: np.ndarray, truth: np.ndarray, snr: np.ndarray, methods: dict[str, np.ndarray],
                   edges: list[float], high_snr: float) -> dict:
    """Overlap per SNR bin for each reconstruction in ``methods`` (and the band-passed data),
    with the peak phase and amplitude errors."""
    overlaps = {"data": network_overlap(data, truth), **{k: network_overlap(v, truth) for k, v in methods.items()}}
    loud = snr >= high_snr
    out = {"overlap_by_snr": overlap_table(snr, overlaps, edges),
           f"median_overlap_snr_above_{high_snr:g}": {k: float(np.median(v[loud])) if loud.any() else None
                                                      for k, v in overlaps.items()},
           "peak": {}}
    for k, v in methods.items():
        amp, phase = peak_errors(v, truth)
        out["peak"][k] = {f"snr_above_{high_snr:g}": {"amplitude_error_abs": quantiles(np.abs(amp[loud])),
                                                      "phase_error_rad_abs": quantiles(np.abs(phase[loud]))},
                          "all": {"amplitude_error_abs": quantiles(np.abs(amp)),
                                  "phase_error_rad_abs": quantiles(np.abs(phase))}}
    return out, overlaps

"""The frequency domain of an analysis segment, and the one Fourier/whitening convention.

Conventions (used everywhere in gwda):

* Fourier transform of a segment x sampled at Δt: ``h(f_k) = Δt · rfft(w · x)_k`` with the
  Tukey window w, frequencies ``f_k = k Δf``, ``Δf = 1 / T``.
* One-sided PSD S(f): for stationary Gaussian noise ``E|n(f_k)|² = (T / 2) S(f_k) ⟨w²⟩``.
  The window's power loss ⟨w²⟩ is folded into an *effective* PSD ``S_eff = S ⟨w²⟩`` that
  describes windowed data, so signals (unwindowed frequency-domain waveforms) and noise are
  whitened alike.
* Whitening: ``d_w(f) = d(f) / sqrt(S_eff(f) T / 4)``. Whitened Gaussian noise then has
  **unit variance in the real and in the imaginary part** of every bin inside the band
  (DC and Nyquist excluded), and the noise-weighted inner product is
  ``<a, b> = 4 Re Σ a* b Δf / S_eff = Re Σ a_w* b_w``, so an optimal SNR is ``sqrt(Σ |h_w|²)``.
* Back to time: whitened in-band data, inverse-transformed and scaled so that white noise
  has unit variance per sample (:meth:`FrequencyDomain.whitened_time_series`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.signal.windows import tukey

#: The convention above in one line (written into output files).
WHITENING_CONVENTION = (
    "h(f) = dt * rfft(tukey * x); whitened d_w = d(f) / sqrt(S(f) <w^2> T / 4): whitened "
    "Gaussian noise has unit variance in the real and in the imaginary part of each in-band bin"
)


@dataclass(frozen=True)
class FrequencyDomain:
    duration: float
    sample_rate: float
    f_min: float
    f_max: float
    roll_off: float = 0.4

    @property
    def n_samples(self) -> int:
        return int(round(self.duration * self.sample_rate))

    @property
    def delta_t(self) -> float:
        return 1.0 / self.sample_rate

    @property
    def delta_f(self) -> float:
        return 1.0 / self.duration

    @cached_property
    def frequencies(self) -> np.ndarray:
        return np.fft.rfftfreq(self.n_samples, self.delta_t)

    @cached_property
    def mask(self) -> np.ndarray:
        """Bins inside [f_min, f_max], excluding DC and Nyquist."""
        f = self.frequencies
        return (f >= self.f_min) & (f <= self.f_max) & (f > 0) & (f < self.sample_rate / 2)

    @cached_property
    def band_slice(self) -> slice:
        """The in-band bins as a slice (they are contiguous)."""
        idx = np.flatnonzero(self.mask)
        return slice(int(idx[0]), int(idx[-1]) + 1)

    @cached_property
    def window(self) -> np.ndarray:
        return tukey(self.n_samples, alpha=min(1.0, 2 * self.roll_off / self.duration))

    @cached_property
    def window_factor(self) -> float:
        """⟨w²⟩, the fraction of noise power the window keeps."""
        return float(np.mean(self.window**2))

    @classmethod
    def from_settings(cls, data: dict) -> FrequencyDomain:
        """The domain of the config's ``data`` section (segment, sample rate, band, window)."""
        return cls(duration=float(data["segment"]["duration"]), sample_rate=float(data["sample_rate"]),
                   f_min=float(data["frequency"]["f_min"]), f_max=float(data["frequency"]["f_max"]),
                   roll_off=float(data["window"]["roll_off"]))

    @property
    def decimation_factor(self) -> int:
        """The largest integer factor by which the sample rate can drop with the band kept
        below the new Nyquist frequency (and the segment a whole number of samples)."""
        factor = int(self.sample_rate // (2 * self.f_max))
        while factor > 1 and self.n_samples % factor:
            factor -= 1
        return max(factor, 1)

    def decimated(self) -> FrequencyDomain:
        """This domain at the sample rate divided by :attr:`decimation_factor`: band-limited
        series lose nothing there (f_max drops by at most one bin, the new Nyquist bin, which
        the mask excludes anyway). Its in-band bins are the first ones of this domain's."""
        rate = self.sample_rate / self.decimation_factor
        return FrequencyDomain(self.duration, rate, self.f_min, min(self.f_max, rate / 2 - self.delta_f),
                               self.roll_off)

    def time_to_frequency(self, x: np.ndarray) -> np.ndarray:
        """Windowed Fourier transform of segment(s) x (last axis: time)."""
        return np.fft.rfft(x * self.window, axis=-1) * self.delta_t

    def segment_in_band(self, x: np.ndarray) -> np.ndarray:
        """In-band frequency-domain data of time segment(s) x (last axis: time): mean
        removed, Tukey-windowed, Fourier transformed."""
        return self.time_to_frequency(x - x.mean(axis=-1, keepdims=True))[..., self.mask]

    def whiten_segment(self, x: np.ndarray, psd: np.ndarray) -> np.ndarray:
        """Whitened in-band data of time segment(s) x for the one-sided ``psd``."""
        return self.segment_in_band(x) * self.whitening_factor(psd)[self.mask]

    def on_full_grid(self, x_band: np.ndarray) -> np.ndarray:
        """In-band bins (last axis) placed on the full rfft grid, zero elsewhere."""
        full = np.zeros(np.shape(x_band)[:-1] + (self.frequencies.size,), dtype=complex)
        full[..., self.band_slice] = x_band
        return full

    def whitened_time_series(self, x_band: np.ndarray, band: tuple[float, float] | None = None) -> np.ndarray:
        """Time series (last axis) of whitened in-band data, optionally restricted to
        ``band``, scaled so that white Gaussian noise has unit variance per sample there."""
        full = self.on_full_grid(x_band)
        keep = self.mask if band is None else (self.frequencies >= band[0]) & (self.frequencies <= band[1])
        full[..., ~keep] = 0.0
        # With K bins of unit Re/Im variance, numpy's irfft gives each sample variance 4K/n².
        return np.fft.irfft(full, n=self.n_samples, axis=-1) * self.n_samples / (2 * np.sqrt(keep.sum()))

    def whitened_band(self, x: np.ndarray) -> np.ndarray:
        """In-band frequency-domain data (unit Re/Im variance for white noise) of a whitened
        time series x (last axis; periodic on the segment, no window) whose white noise has
        unit variance per sample in the band: the inverse of :meth:`whitened_time_series`,
        so that the optimal SNR of a whitened signal is ``sqrt(Σ |whitened_band(x)|²)``."""
        return np.fft.rfft(x, axis=-1)[..., self.mask] * 2 * np.sqrt(self.mask.sum()) / self.n_samples

    def coloured_time_series(self, whitened: np.ndarray, psd: np.ndarray) -> np.ndarray:
        """The strain segment whose whitened time series (``whiten_segment`` then
        ``whitened_time_series``) is the in-band part of ``whitened``: the inverse of whitening,
        exact for a domain without window (``roll_off`` 0)."""
        htilde = self.on_full_grid(self.whitened_band(whitened) / self.whitening_factor(psd)[self.mask])
        return np.fft.irfft(htilde, n=self.n_samples) / self.delta_t

    def effective_psd(self, psd: np.ndarray) -> np.ndarray:
        return psd * self.window_factor

    def whitening_factor(self, psd: np.ndarray) -> np.ndarray:
        """Multiply frequency-domain data by this to whiten it (zero outside the band)."""
        out = np.zeros_like(psd, dtype=float)
        s = self.effective_psd(psd[self.mask])
        out[self.mask] = 1.0 / np.sqrt(s * self.duration / 4.0)
        return out

    def whiten(self, htilde: np.ndarray, psd: np.ndarray) -> np.ndarray:
        return htilde * self.whitening_factor(psd)

    def noise_std(self, psd: np.ndarray) -> np.ndarray:
        """Standard deviation of the real (or imaginary) part of windowed noise per bin."""
        return np.sqrt(self.effective_psd(psd) * self.duration / 4.0)

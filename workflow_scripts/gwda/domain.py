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
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.signal.windows import tukey


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

    def time_to_frequency(self, x: np.ndarray) -> np.ndarray:
        """Windowed Fourier transform of segment(s) x (last axis: time)."""
        return np.fft.rfft(x * self.window, axis=-1) * self.delta_t

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


def domain_from_config(data: dict) -> FrequencyDomain:
    return FrequencyDomain(
        duration=float(data["segment"]["duration"]),
        sample_rate=float(data["sample_rate"]),
        f_min=float(data["frequency"]["f_min"]),
        f_max=float(data["frequency"]["f_max"]),
        roll_off=float(data["window"]["roll_off"]),
    )

"""The window the denoiser sees: whitened strain of each detector on a stretch of the analysis
segment, as a time series.

Signals and noise are simulated, and an event's data are whitened, in the frequency domain of
the analysis segment (:mod:`gwda.gw.domain`). The denoiser works on their whitened time series
band-limited to [f_min, f_max], sampled at the lowest rate that holds the band
(:meth:`~gwda.gw.domain.FrequencyDomain.decimated`: 2 f_max when it divides the data rate;
exact for band-limited series), cut to ``window`` seconds that start ``start`` seconds from the
trigger. The scale is that of :meth:`~gwda.gw.domain.FrequencyDomain.whitened_time_series`:
white noise of unit variance per sample in the band, so the sum of a whitened signal's squared
samples is, to the fraction of the band the mask keeps, its optimal SNR squared.

Real data are Tukey-windowed before whitening, and the whitening folds the window's power loss
⟨w²⟩ into the PSD, so where the window is flat (the denoiser's window must lie there) whitened
noise has variance 1/⟨w²⟩ per sample; simulated noise is drawn at that level
(:attr:`DenoiserWindow.noise_std`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..gw.domain import FrequencyDomain


@dataclass(frozen=True)
class DenoiserWindow:
    domain: FrequencyDomain         # the analysis segment's domain (data rate)
    trigger_offset: float           # trigger time - segment start (s)
    duration: float                 # window length (s)
    start: float                    # window start relative to the trigger (s)

    @classmethod
    def from_settings(cls, domain: FrequencyDomain, trigger_offset: float, settings: dict) -> DenoiserWindow:
        """The window of the config's ``denoiser`` section: ``window`` seconds, the trigger at
        the middle of ``merger_range`` (fractions of the window where training places mergers)."""
        duration = float(settings["window"])
        lo, hi = settings["merger_range"]
        if not 0 <= lo < hi <= 1:
            raise ValueError(f"denoiser.merger_range {settings['merger_range']} must be two increasing "
                             "fractions of the window in [0, 1]")
        window = cls(domain, float(trigger_offset), duration, -0.5 * (lo + hi) * duration)
        flat = (domain.roll_off, domain.duration - domain.roll_off)
        first = window.trigger_offset + window.start
        if first < flat[0] - 1e-9 or first + duration > flat[1] + 1e-9:
            raise ValueError(f"denoiser.window ({duration} s, the trigger at {-window.start:g} s into it) reaches "
                             f"outside the untapered part of the analysis segment ({flat[0]:g}–{flat[1]:g} s of "
                             f"{domain.duration:g} s, the trigger at {trigger_offset:g} s): shorten it, or move "
                             "denoiser.merger_range")
        if window.n_samples < 1:
            raise ValueError(f"denoiser.window {duration} s holds no sample")
        return window

    @cached_property
    def series_domain(self) -> FrequencyDomain:
        """The analysis domain at the rate the denoiser works at."""
        return self.domain.decimated()

    @property
    def sample_rate(self) -> float:
        return self.series_domain.sample_rate

    @property
    def n_samples(self) -> int:
        return int(round(self.duration * self.sample_rate))

    @property
    def first_sample(self) -> int:
        return int(round((self.trigger_offset + self.start) * self.sample_rate))

    @property
    def n_bins(self) -> int:
        """The in-band bins of the analysis domain that the series keeps (its first ones)."""
        return int(self.series_domain.mask.sum())

    @property
    def noise_std(self) -> float:
        return float(1.0 / np.sqrt(self.domain.window_factor))

    def times(self) -> np.ndarray:
        """Times of the window's samples relative to the trigger (s)."""
        return self.start + np.arange(self.n_samples) / self.sample_rate

    def window_band(self) -> tuple[int, int]:
        """[first, stop) rfft bins of a window-length series that lie in the analysis band."""
        f = np.fft.rfftfreq(self.n_samples, 1 / self.sample_rate)
        keep = np.flatnonzero((f >= self.domain.f_min) & (f <= self.series_domain.f_max) & (f > 0))
        return int(keep[0]), int(keep[-1]) + 1

    def cut(self, x_band):
        """The window of whitened in-band data ``x_band`` (last axis: the analysis domain's
        in-band bins; numpy or torch)."""
        d = self.series_domain
        n, band = d.n_samples, d.band_slice
        scale = n / (2 * np.sqrt(self.n_bins))
        rows = slice(self.first_sample, self.first_sample + self.n_samples)
        if isinstance(x_band, np.ndarray):
            full = np.zeros(x_band.shape[:-1] + (n // 2 + 1,), dtype=complex)
            full[..., band] = x_band[..., : self.n_bins]
            return np.fft.irfft(full, n=n, axis=-1)[..., rows] * scale
        import torch

        full = torch.zeros(x_band.shape[:-1] + (n // 2 + 1,), dtype=x_band.dtype, device=x_band.device)
        full[..., band] = x_band[..., : self.n_bins]
        return torch.fft.irfft(full, n=n, dim=-1)[..., rows] * scale

    def to_dict(self) -> dict:
        d = self.domain
        return {"duration": self.duration, "start": self.start, "trigger_offset": self.trigger_offset,
                "domain": {"duration": d.duration, "sample_rate": d.sample_rate, "f_min": d.f_min, "f_max": d.f_max,
                           "roll_off": d.roll_off}}

    @classmethod
    def from_dict(cls, blob: dict) -> DenoiserWindow:
        return cls(FrequencyDomain(**blob["domain"]), blob["trigger_offset"], blob["duration"], blob["start"])

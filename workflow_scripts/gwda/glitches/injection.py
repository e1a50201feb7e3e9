"""Glitches in simulated coloured noise: a Poisson catalogue (time, class, SNR), the glitches
placed in a whitened stretch at their SNR, coloured by the detector's PSD and added to
coloured Gaussian noise.

A glitch of optimal SNR ρ is ρ times a unit-SNR burst (:mod:`gwda.glitches.families`); its
whitened series keeps that SNR in any longer stretch, because the whitened-series convention
(white noise of unit variance per sample in the band) does not depend on the length.
Colouring inverts the whitening of :mod:`gwda.gw.domain` on the stretch's own domain (no
window: :meth:`~gwda.gw.domain.FrequencyDomain.coloured_time_series`), so whitening the sum by
the same PSD gives back the glitches at their SNR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..gw.domain import FrequencyDomain


def stretch_domain(duration: float, sample_rate: float, f_min: float, f_max: float) -> FrequencyDomain:
    return FrequencyDomain(duration, sample_rate, f_min, f_max, roll_off=0.0)


def power_law(rng: np.random.Generator, n: int, alpha: float, lo: float, hi: float) -> np.ndarray:
    """``n`` draws from p(x) ∝ x^alpha on [lo, hi]."""
    u = rng.uniform(size=n)
    if np.isclose(alpha, -1.0):
        return lo * (hi / lo) ** u
    a = alpha + 1
    return (lo**a + u * (hi**a - lo**a)) ** (1 / a)


def draw_snrs(rng: np.random.Generator, n: int, snr: dict) -> np.ndarray:
    """``n`` optimal SNRs from a glitch section's ``snr`` settings (the schema's ``glitch_snr``):
    p(ρ) ∝ ρ^alpha on [minimum, maximum]."""
    return power_law(rng, n, snr["alpha"], snr["minimum"], snr["maximum"])


def add_burst(out: np.ndarray, burst: np.ndarray, start: int, snr: float) -> None:
    """Add ``snr`` times a unit-SNR ``burst`` to the series ``out`` from sample ``start``
    (cut at the series' end)."""
    piece = burst[: out.shape[-1] - start]
    out[start:start + piece.size] += snr * piece


def draw_catalogue(rate: float, duration: float, window: float, snr: dict, classes: list[str],
                   rng: np.random.Generator) -> pd.DataFrame:
    """Poisson(rate · duration) glitches of equally likely ``classes``; ``time`` is where a
    glitch's window starts (s from the stretch's start), the window inside the stretch."""
    n = rng.poisson(rate * duration)
    return pd.DataFrame({
        "start": np.sort(rng.uniform(0, duration - window, n)),
        "class": rng.choice(classes, n),
        "snr": draw_snrs(rng, n, snr),
    })


def whitened_stretch(bursts: np.ndarray, starts: np.ndarray, snrs: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """A whitened stretch (``domain``) holding each unit-SNR burst (rows) times its SNR from its start."""
    out = np.zeros(domain.n_samples)
    for x, start, rho in zip(bursts, starts, snrs):
        add_burst(out, x, int(round(start * domain.sample_rate)), rho)
    return out


def whiten(strain: np.ndarray, psd: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """The whitened time series of a strain stretch (``psd`` on the domain's grid)."""
    return domain.whitened_time_series(domain.whiten_segment(strain, psd))


def matched_filter_snrs(whitened: np.ndarray, bursts: np.ndarray, starts: np.ndarray,
                        domain: FrequencyDomain) -> np.ndarray:
    """The matched-filter SNR of each unit-SNR burst (rows) starting at its ``starts`` (s) in
    the whitened stretch: Re <template, data> / |template|, in the in-band convention of
    :mod:`gwda.gw.domain`."""
    d_band = domain.whitened_band(whitened)
    out = np.empty(len(bursts))
    for k, (burst, start) in enumerate(zip(bursts, starts)):
        template = whitened_stretch(burst[None], np.array([start]), np.array([1.0]), domain)
        t_band = domain.whitened_band(template)
        out[k] = np.real(np.sum(d_band * np.conj(t_band))) / np.sqrt(np.sum(np.abs(t_band) ** 2))
    return out


def in_segment(burst: np.ndarray, start: float, snr: float, domain: FrequencyDomain) -> np.ndarray:
    """Whitened in-band frequency-domain data (the convention of :mod:`gwda.gw.domain`) of a
    unit-SNR burst times ``snr`` whose window starts ``start`` s after the segment's start: a
    glitch to add to simulated whitened data, whose optimal SNR is then ``snr`` (to the
    difference in band fraction between the burst's window and the segment, < 1 %)."""
    series = whitened_stretch(burst[None], np.array([start]), np.array([snr]), domain)
    return domain.whitened_band(series)

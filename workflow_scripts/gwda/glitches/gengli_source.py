"""Blip glitches from ``gengli`` (Lopez et al. 2022, arXiv:2203.06494): a GAN trained on real
O2 blips of LIGO Hanford and Livingston, whose weights ship in its wheel (optional:
``pip install -e '.[gengli]'``), brought into this project's normalisation.

gengli returns a whitened time series at 4096 Hz of about 0.23 s and states SNRs for a unit
one-sided PSD ("lalsuite white-noise normalisation"): its SNR ρ_g has Σ y² = ρ_g² f_s / 2. In
whitened noise of unit variance per sample (this project's convention) the optimal SNR of
the same series is √(Σ y²) = ρ_g √(f_s / 2), 45 times larger at 4096 Hz. Its raw output is
therefore only used for its shape: centred on the window, band-limited to the analysis band
and scaled to unit optimal SNR here (:func:`gwda.glitches.families.unit_snr`), so an injected
SNR means the same for every source.
"""

from __future__ import annotations

import numpy as np

from ..gw.domain import FrequencyDomain
from . import families

#: Detectors gengli has weights for; others get Livingston's.
DETECTORS = ("H1", "L1")
RATE = 4096.0


def generator(detector: str):
    try:
        import gengli
    except ImportError as exc:
        raise ImportError("noise.glitches.source 'gengli' needs the gengli package: "
                          "pip install -e '.[gengli]'") from exc
    return gengli.glitch_generator(detector if detector in DETECTORS else "L1")


def raw(n: int, detector: str, seed: int) -> np.ndarray:
    """gengli's own output (rows): whitened blips at 4096 Hz, Tukey-tapered (α = 0.25), not rescaled."""
    return np.atleast_2d(generator(detector).get_glitch(n, srate=RATE, snr=None, seed=seed, alpha=0.25))


def fit_window(x: np.ndarray, window: FrequencyDomain) -> np.ndarray:
    """Rows of ``x`` (at ``window``'s rate) centred on the window, zero-padded or cropped."""
    n, m = window.n_samples, x.shape[-1]
    out = np.zeros((x.shape[0], n))
    if m <= n:
        start = (n - m) // 2
        out[:, start:start + m] = x
    else:
        start = (m - n) // 2
        out[:] = x[:, start:start + n]
    return out


def blips(n: int, detector: str, window: FrequencyDomain, seed: int) -> np.ndarray:
    """``n`` gengli blips on ``window`` with unit optimal SNR (module doc)."""
    if window.sample_rate != RATE:
        from scipy.signal import resample

        x = raw(n, detector, seed)
        x = resample(x, int(round(x.shape[-1] * window.sample_rate / RATE)), axis=-1)
    else:
        x = raw(n, detector, seed)
    return families.unit_snr(fit_window(x, window), window)

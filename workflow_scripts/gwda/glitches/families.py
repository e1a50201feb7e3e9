"""Transient bursts in whitened data: the burst families of McGinn et al. (2021, CQG 38
155005), sine-Gaussian, ringdown, white-noise burst and Gaussian pulse, and binary-black-hole
mergers from the project's own simulator, one class each.

Normalisation, used everywhere a burst appears: a burst is a whitened time series on a
window of the data's sample rate (periodic on the window, no taper), band-limited to the
analysis band, with **unit optimal SNR** in the convention of :mod:`gwda.gw.domain` (white
noise has unit variance per sample in the band, and ``Σ |x̃_w(f)|² = 1`` over the in-band
bins of :meth:`~gwda.gw.domain.FrequencyDomain.whitened_band`). A burst injected at SNR ρ is
ρ times it. Each class's parameters are drawn uniformly from configured ranges; the peak
time is jittered about the window's centre; every sample keeps its true parameters.

The formulas (``t`` from the peak time ``t0``, ``φ`` a uniform phase):

* sine-Gaussian ``exp(-t²/τ²) sin(2π f0 t + φ)``;
* ringdown ``exp(-t/τ) sin(2π f0 t + φ)`` for ``t ≥ 0`` (zero before);
* white-noise burst: white noise band-passed to ``f0 ± bandwidth/2``, times ``exp(-t²/τ²)``;
* Gaussian pulse ``exp(-t²/τ²)`` (in the band only its high-frequency tail remains, so its
  τ is of the order of a millisecond);
* bbh: the whitened strain of an aligned-spin IMRPhenomD merger (an analytic aLIGO-like PSD,
  random sky position, orientation and phase), its merger (the peak of its envelope) at
  ``t0``, the inspiral before the window tapered off over 0.1 of the window.
"""

from __future__ import annotations

import numpy as np
from scipy.signal.windows import tukey

from ..gw.domain import FrequencyDomain

CLASSES = ("sine_gaussian", "ringdown", "white_noise_burst", "gaussian_pulse", "bbh")
#: The parameters of each class (ranges in config; ``phase`` always uniform in [0, 2π)).
PARAMETERS = {
    "sine_gaussian": ("f0", "tau", "phase"),
    "ringdown": ("f0", "tau", "phase"),
    "white_noise_burst": ("f0", "bandwidth", "tau"),
    "gaussian_pulse": ("tau",),
    "bbh": ("chirp_mass", "mass_ratio", "chi_1", "chi_2"),
}


def window_domain(window: float, sample_rate: float, f_min: float, f_max: float) -> FrequencyDomain:
    """The frequency domain of a burst window (no taper: bursts sit inside it)."""
    return FrequencyDomain(window, sample_rate, f_min, f_max, roll_off=0.0)


def unit_snr(x: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """``x`` (rows) band-limited to the domain's band and scaled to unit optimal SNR."""
    band = domain.whitened_band(x)
    norm = np.sqrt(np.sum(np.abs(band) ** 2, axis=-1, keepdims=True))
    return domain.whitened_time_series(band / norm)


def optimal_snr(x: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """Optimal SNR of whitened time series ``x`` (rows) in white noise of unit variance per
    sample in the band."""
    return np.sqrt(np.sum(np.abs(domain.whitened_band(x)) ** 2, axis=-1))


def _times(domain: FrequencyDomain, t0: np.ndarray) -> np.ndarray:
    return np.arange(domain.n_samples)[None] / domain.sample_rate - np.asarray(t0)[:, None]


def sine_gaussian(domain, t0, f0, tau, phase):
    t = _times(domain, t0)
    return np.exp(-(t / tau[:, None]) ** 2) * np.sin(2 * np.pi * f0[:, None] * t + phase[:, None])


def ringdown(domain, t0, f0, tau, phase):
    t = _times(domain, t0)
    decay = np.exp(-np.clip(t, 0.0, None) / tau[:, None])
    return np.where(t >= 0, decay * np.sin(2 * np.pi * f0[:, None] * t + phase[:, None]), 0.0)


def gaussian_pulse(domain, t0, tau):
    return np.exp(-(_times(domain, t0) / tau[:, None]) ** 2)


def white_noise_burst(domain, t0, f0, bandwidth, tau, rng):
    white = np.fft.rfft(rng.standard_normal((t0.size, domain.n_samples)), axis=-1)
    f = domain.frequencies[None]
    white[np.abs(f - f0[:, None]) > bandwidth[:, None] / 2] = 0.0
    noise = np.fft.irfft(white, n=domain.n_samples, axis=-1)
    return noise * np.exp(-(_times(domain, t0) / tau[:, None]) ** 2)


def bbh(domain, t0, params: dict, rng: np.random.Generator, duration: float = 4.0):
    """Whitened BBH mergers (module doc) with peak at ``t0``; ``params``: chirp_mass,
    mass_ratio, chi_1, chi_2 (arrays)."""
    n = t0.size
    angles = {"theta_jn": np.arccos(rng.uniform(-1, 1, n)), "phase": rng.uniform(0, 2 * np.pi, n),
              "psi": rng.uniform(0, np.pi, n), "ra": rng.uniform(0, 2 * np.pi, n),
              "dec": np.arcsin(rng.uniform(-1, 1, n))}
    return _bbh_windows(domain, t0, params, angles, duration)[0]


def _bbh_windows(domain, t0, params: dict, angles: dict, duration: float = 4.0):
    """The whitened H1 strain of mergers ``params`` seen at ``angles``, and its quadrature
    (every in-band bin times i: the same merger at another orbital phase, exactly so for
    the 22-mode IMRPhenomD), each cut to the window with the envelope's peak at ``t0``
    (to a small fraction of a sample: it is found by a parabola, then moved there)."""
    from ..gw.simulator import Simulator
    from ..gw.waveforms import WaveformSettings
    from ..io.synthetic import analytic_psd

    n = np.size(t0)
    long = FrequencyDomain(duration, domain.sample_rate, domain.f_min, domain.f_max, roll_off=0.0)
    trigger = 1e9                                    # any GPS time: only the shape matters
    sim = Simulator(long, {"H1": analytic_psd(long.frequencies)}, trigger, trigger - duration / 2,
                    WaveformSettings("IMRPhenomD", 20.0))
    fixed = {"luminosity_distance": np.full(n, 100.0), "geocent_time": np.zeros(n)}
    band = sim.signal({**params, **angles, **fixed})["H1"]
    # The envelope's peak (|series + i quadrature|, the same at any phase), to a fraction of a
    # sample by a parabola through its three highest samples; each merger is moved by that
    # fraction (a phase ramp) so that its peak falls exactly at t0 once the window is cut.
    envelope = np.hypot(long.whitened_time_series(band), long.whitened_time_series(1j * band))
    top = np.argmax(envelope, axis=-1)
    y0, y1, y2 = (np.take_along_axis(envelope, ((top + k) % long.n_samples)[:, None], axis=-1)[:, 0] for k in (-1, 0, 1))
    peak = top + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    offset = peak - np.asarray(t0) * domain.sample_rate
    start = np.round(offset).astype(int)
    fraction = (offset - start) / domain.sample_rate
    band = band * np.exp(2j * np.pi * np.outer(fraction, long.frequencies[long.mask]))
    series = long.whitened_time_series(band)
    quadrature = long.whitened_time_series(1j * band)
    # Cut the window around each merger, tapered at its start.
    rows = np.arange(domain.n_samples)[None] + start[:, None]
    taper = np.ones(domain.n_samples)
    edge = int(0.1 * domain.n_samples)
    taper[:edge] = tukey(2 * edge, 1.0)[:edge]
    return [np.take_along_axis(x, rows % long.n_samples, axis=-1) * taper for x in (series, quadrature)]


def quadratures(cls: str, params: dict, domain: FrequencyDomain) -> tuple[np.ndarray, np.ndarray | None]:
    """The formula of class ``cls`` at ``params`` (``peak_time`` and the class's parameters
    but the phase), band-limited, as two quadratures ``q0``, ``q1``: every burst of these
    parameters, whatever its phase (and, for bbh, its orientation and sky position), is a
    positive multiple of ``cos φ q0 + sin φ q1`` (for bbh, to the precision with which its
    window places the merger at ``t0``). A Gaussian pulse has no phase (``q1`` None);
    a white-noise burst has no formula for one burst (its noise is random)."""
    t0 = np.asarray(params["peak_time"], dtype=float)
    zero, quarter = np.zeros(t0.size), np.full(t0.size, np.pi / 2)
    if cls in ("sine_gaussian", "ringdown"):
        formula = sine_gaussian if cls == "sine_gaussian" else ringdown
        q = [formula(domain, t0, params["f0"], params["tau"], phase) for phase in (zero, quarter)]
    elif cls == "gaussian_pulse":
        q = [gaussian_pulse(domain, t0, params["tau"]), None]
    elif cls == "bbh":
        face_on = {"theta_jn": zero, "phase": zero, "psi": zero, "ra": zero, "dec": quarter}
        q = _bbh_windows(domain, t0, {k: params[k] for k in PARAMETERS["bbh"]}, face_on)
    else:
        raise ValueError(f"class {cls!r} has no formula for a single burst")
    return tuple(None if x is None else domain.whitened_time_series(domain.whitened_band(x)) for x in q)


def draw(cls: str, n: int, ranges: dict, domain: FrequencyDomain, rng: np.random.Generator,
         peak_jitter: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``n`` bursts of class ``cls`` (unit SNR, module doc) and their true parameters
    (``peak_time`` in s from the window's start, and the class's :data:`PARAMETERS`)."""
    if cls not in CLASSES:
        raise ValueError(f"unknown burst class {cls!r}; known: {', '.join(CLASSES)}")
    centre = domain.duration / 2
    params = {"peak_time": rng.uniform(centre - peak_jitter, centre + peak_jitter, n)}
    for name in PARAMETERS[cls]:
        if name == "phase":
            params[name] = rng.uniform(0, 2 * np.pi, n)
        elif name in ("chi_1", "chi_2"):
            params[name] = rng.uniform(*ranges["chi"], n)
        else:
            params[name] = rng.uniform(*ranges[name], n)
    t0 = params["peak_time"]
    if cls == "sine_gaussian":
        x = sine_gaussian(domain, t0, params["f0"], params["tau"], params["phase"])
    elif cls == "ringdown":
        x = ringdown(domain, t0, params["f0"], params["tau"], params["phase"])
    elif cls == "white_noise_burst":
        x = white_noise_burst(domain, t0, params["f0"], params["bandwidth"], params["tau"], rng)
    elif cls == "gaussian_pulse":
        x = gaussian_pulse(domain, t0, params["tau"])
    else:
        x = bbh(domain, t0, {k: params[k] for k in PARAMETERS["bbh"]}, rng)
    return unit_snr(x, domain), params

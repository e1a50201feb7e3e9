"""A compact-binary signal as each detector records it, in the time domain: the injection of a
simulated event (:mod:`gwda.io.simulated_event`).

The waveform is generated on the Fourier grid of the whole data span from ``f_lower`` (below
the analysis band, so that the signal enters the band as a real one does, not switched on at
f_min), with a cosine taper over its first ``taper`` Hz, projected with each detector's antenna
pattern and arrival time at the trigger's GPS time, and transformed with the convention of
:func:`gwda.gw.noise.time_domain_noise` (``x = irfft(h(f)) / Δt``).
"""

from __future__ import annotations

import numpy as np

from .detectors import Detector
from .domain import FrequencyDomain
from .waveforms import WaveformSettings, polarizations


def injection_spectra(params: dict, waveform: WaveformSettings, detectors: list[str], trigger_time: float,
                      gps_start: float, duration: float, sample_rate: float, f_lower: float = 15.0,
                      taper: float = 2.0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(frequencies, {ifo: h(f)}) of the signal with source parameters ``params`` (bilby
    names, ``geocent_time`` in s relative to ``trigger_time``) in data starting at
    ``gps_start``: continuous-Fourier-transform units (strain / Hz) on the rfft grid."""
    domain = FrequencyDomain(duration, sample_rate, f_lower, sample_rate / 2)
    hp_band, hc_band = polarizations(params, waveform, domain)
    freqs = domain.frequencies
    band = domain.band_slice
    ramp = np.clip((freqs[band] - f_lower) / taper, 0.0, 1.0)
    ramp = 0.5 * (1 - np.cos(np.pi * ramp))
    out = {}
    for ifo in detectors:
        det = Detector(ifo)
        fp, fc = det.antenna_pattern(params["ra"], params["dec"], params["psi"], trigger_time)
        arrival = trigger_time + params["geocent_time"] + det.time_delay_from_geocenter(
            params["ra"], params["dec"], trigger_time)
        h = np.zeros(freqs.size, dtype=complex)
        h[band] = ((fp * hp_band + fc * hc_band) * ramp / params["luminosity_distance"]
                   * np.exp(-2j * np.pi * freqs[band] * (arrival - gps_start)))
        out[ifo] = h
    return freqs, out


def optimal_snr(freqs: np.ndarray, h: np.ndarray, psd_frequencies: np.ndarray, psd: np.ndarray,
                f_min: float, f_max: float) -> float:
    """Optimal SNR ``sqrt(4 Δf Σ |h|² / S)`` of ``h(f)`` in [f_min, f_max]."""
    band = (freqs >= f_min) & (freqs <= f_max)
    s = np.interp(freqs[band], psd_frequencies, psd)
    return float(np.sqrt(4 * (freqs[1] - freqs[0]) * np.sum(np.abs(h[band]) ** 2 / s)))


def to_time_domain(h: np.ndarray, duration: float, sample_rate: float) -> np.ndarray:
    """The time series of a one-sided spectrum in continuous-transform units."""
    return np.fft.irfft(h, n=int(round(duration * sample_rate))) * sample_rate

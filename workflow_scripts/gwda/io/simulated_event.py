"""Simulated events: GWOSC-format files holding a binary-black-hole signal at a chosen network
SNR in Gaussian noise coloured like a real event's estimated PSDs, for analyses that must run
exactly as an event's does (``data.source: local``, the whole workflow).

The signal's parameters are drawn from the analysis prior; the distance is then set to give
the requested network optimal SNR in the analysis band, and the draw is repeated until that
distance lies inside the prior's range. The true coalescence time sits ``trigger_offset``
(drawn within ± ``max_trigger_offset``) after the GPS time given to the workflow as the
event's trigger, as a search's trigger time is off by a few ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..gw.injection import injection_spectra, optimal_snr, to_time_domain
from ..gw.noise import time_domain_noise
from ..gw.priors import Prior
from ..gw.psd import PSD
from ..gw.waveforms import WaveformSettings
from .gwosc_files import write_hdf5


@dataclass(frozen=True)
class SimulatedEvent:
    name: str
    trigger_time: float         # GPS time handed to the workflow
    network_snr: float          # requested network optimal SNR in the analysis band
    seed: int
    duration: int = 32          # seconds per file, as GWOSC's event files
    max_trigger_offset: float = 0.005


def draw_source(prior: Prior, waveform: WaveformSettings, psds: list[PSD], event: SimulatedEvent,
                band: tuple[float, float], sample_rate: int, rng: np.random.Generator,
                max_draws: int = 1000) -> tuple[dict, dict, dict]:
    """(parameters, per-detector spectra at those parameters, per-detector optimal SNRs)."""
    lo, hi = prior.bounds("luminosity_distance")
    gps_start = file_start(event)
    for _ in range(max_draws):
        params = {k: float(v[0]) for k, v in prior.sample(rng, 1).items()}
        params["geocent_time"] = float(rng.uniform(-event.max_trigger_offset, event.max_trigger_offset))
        params["luminosity_distance"] = 1.0
        freqs, spectra = injection_spectra(params, waveform, [p.detector for p in psds], event.trigger_time,
                                           gps_start, event.duration, sample_rate)
        snrs_1mpc = {p.detector: optimal_snr(freqs, spectra[p.detector], p.frequencies, p.values, *band)
                     for p in psds}
        distance = math.sqrt(sum(s**2 for s in snrs_1mpc.values())) / event.network_snr
        if lo <= distance <= hi:
            params["luminosity_distance"] = distance
            return (params, {ifo: h / distance for ifo, h in spectra.items()},
                    {ifo: s / distance for ifo, s in snrs_1mpc.items()})
    raise RuntimeError(f"{event.name}: no prior draw in {max_draws} reaches network SNR {event.network_snr} "
                       f"within the prior's distance range [{lo}, {hi}] Mpc")


def file_start(event: SimulatedEvent) -> int:
    """GPS start of the event's files: the trigger half-way through them."""
    return int(math.floor(event.trigger_time)) - event.duration // 2


def write_event(directory: Path | str, event: SimulatedEvent, prior: Prior, waveform: WaveformSettings,
                psds: list[PSD], band: tuple[float, float], sample_rate: int = 4096,
                with_noise: bool = True) -> dict:
    """Write one GWOSC-format HDF5 file per PSD's detector; return the injection's record
    (parameters with ``geocent_time`` relative to the trigger, SNRs, files)."""
    rng = np.random.default_rng(event.seed)
    params, spectra, snrs = draw_source(prior, waveform, psds, event, band, sample_rate, rng)
    gps_start = file_start(event)
    files = {}
    for psd in psds:
        x = to_time_domain(spectra[psd.detector], event.duration, sample_rate)
        if with_noise:
            x = x + time_domain_noise(psd.frequencies, psd.values, event.duration, sample_rate, rng)
        files[psd.detector] = str(write_hdf5(directory, psd.detector, gps_start, sample_rate, x))
    return {"name": event.name, "trigger_time": event.trigger_time, "gps_start": gps_start,
            "duration": event.duration, "seed": event.seed, "parameters": params,
            "geocent_time_gps": event.trigger_time + params["geocent_time"],
            "optimal_snr": snrs, "network_optimal_snr": float(math.sqrt(sum(s**2 for s in snrs.values()))),
            "psd_sources": {p.detector: p.source for p in psds}, "files": files}

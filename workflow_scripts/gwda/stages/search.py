"""The search stage (rules/search.smk): a first matched-filter search of the event's data over a
wide bank, and the analysis settings that follow from it (:mod:`gwda.gw.event_settings`).

Its output, ``results/{event}/search/settings.json``, holds the search's measurements, each
rule's inputs and result, and under ``config`` the settings every later stage of the event
takes in place of the config's (:func:`gwda.config.apply_event_settings`).
"""

from __future__ import annotations

import json
import logging
import math
import time

import numpy as np

from ..gw import event_settings as rules
from ..gw import psd as psd_estimation
from ..gw.domain import FrequencyDomain
from ..gw.search import BANK_APPROXIMANT, chirp_mass_estimate, draw_bank, search
from ..gw.segments import Span, analysis_spans
from ..gw.waveforms import WaveformSettings, time_before_merger
from ..io import strain as strain_files
from ..plots.diagnostics import search_figure
from ..runtime import rng as make_rng
from ..runtime import write_json

log = logging.getLogger(__name__)

#: The second stage's chirp-mass range, in units of the window's relative half-width.
ZOOM = 3.0
#: Templates whose network SNR² is within this of the loudest's set the in-band time, their
#: median (about two standard deviations of a profile likelihood).
LOUDEST_DELTA = 4.0


def search_span(trigger_time: float, duration: float) -> Span:
    """Whole GPS seconds around the trigger, ``duration`` s or one more."""
    return Span(float(math.floor(trigger_time - duration / 2)), float(math.ceil(trigger_time + duration / 2)))


def local_rooms(data: dict, ifos: list[str], trigger_time: float, segment_duration: float) -> tuple:
    """Seconds of local data before and after the analysis segment (fewest over detectors);
    (None, None) for GWOSC downloads, which fetch what they are asked."""
    if data["source"] != "local":
        return None, None
    segment = analysis_spans(trigger_time, {**data, "segment": {**data["segment"], "duration": segment_duration}}).segment
    before, after = [], []
    for ifo in ifos:
        cover = strain_files.local_coverage(data["local"]["directory"], ifo, trigger_time)
        before.append(segment.start - cover.start)
        after.append(cover.end - segment.end)
    return min(before), min(after)


def fetch_search_strain(strain: str, event: str, trigger_time: float, ifo: str, config: dict) -> None:
    """The detector's strain over the search span (data quality recorded, not enforced: the
    analysis segment's own fetch enforces it)."""
    data = config["data"]
    span = search_span(trigger_time, config["search"]["duration"])
    log.info("%s %s: fetching GPS %s for the search from %s", event, ifo, span, data["source"])
    series = strain_files.load(ifo, span, data)
    quality = strain_files.check_quality(series, data["quality"]["require"], "warn")
    strain_files.write(strain, series, {"event": event, "trigger_time": trigger_time, "search_span": [span.start, span.end],
                                        "source": data["source"], "data_quality": quality})


def search_event(strain: list, settings: str, event: str, trigger_time: float, config: dict, threads: int = 1,
                 figure: str | None = None) -> dict:
    """Search the event's data; write the settings that follow (module doc)."""
    data, cfg = config["data"], config["search"]
    t0 = time.time()
    series = [strain_files.read(path)[0] for path in strain]
    ifos = [s.detector for s in series]
    span = series[0].span
    band = (float(data["frequency"]["f_min"]), float(min(cfg["f_max"], data["frequency"]["f_max"])))
    domain = FrequencyDomain(span.duration, float(series[0].sample_rate), band[0], band[1],
                             float(data["window"]["roll_off"]))
    values, psds, welch = {}, {}, {}
    for s in series:
        if s.span != span or s.sample_rate != series[0].sample_rate:
            raise ValueError(f"search strain of {s.detector} covers {s.span} at {s.sample_rate} Hz, "
                             f"{ifos[0]}'s {span} at {series[0].sample_rate} Hz")
        freqs, psd, n_avg = psd_estimation.welch([s.values], domain.sample_rate, cfg["psd_segment"], 0.5,
                                                 "median", domain.roll_off)
        values[s.detector] = s.values
        psds[s.detector] = np.interp(domain.frequencies, freqs, psd)
        welch[s.detector] = n_avg
    # Two stages: the wide bank, then templates within ZOOM times the chirp-mass window around
    # its loudest (a long signal is matched well only by templates close to it, which the wide
    # bank may lack: its loudest can sit several window widths away along the mass-spin
    # degeneracy).
    rng = make_rng(config["seed"], "search", event)
    window = cfg["chirp_mass_window"]
    found = search(values, psds, domain, trigger_time - span.start,
                   draw_bank(cfg["templates"], cfg["chirp_mass"], cfg["mass_ratio"], cfg["chi"], rng),
                   cfg["window"], threads)
    first = {"chirp_mass": float(found.parameters["chirp_mass"][found.best]), "network_snr": found.network_snr}
    zoom = rules.chirp_mass_window(first["chirp_mass"], first["network_snr"], window["precision"],
                                   ZOOM * window["widths"], ZOOM * window["minimum"], ZOOM * window["maximum"])
    found = found + search(values, psds, domain, trigger_time - span.start,
                           draw_bank(cfg["refine_templates"], zoom, cfg["mass_ratio"], cfg["chi"], rng),
                           cfg["window"], threads)
    bank, best, snr = found.parameters, found.best, found.network_snr
    estimate = chirp_mass_estimate(found, [(cfg["templates"], tuple(cfg["chirp_mass"])),
                                           (cfg["refine_templates"], zoom)])
    chirp_mass = estimate["chirp_mass"]

    loudest = found.loudest(LOUDEST_DELTA)[:cfg["in_band_templates"]]
    loudest = loudest[np.argsort(found.network_snr2[loudest])[::-1]]
    waveform = WaveformSettings(BANK_APPROXIMANT, 20.0)
    taus = -time_before_merger({k: v[loudest] for k, v in bank.items()}, waveform, [band[0]],
                               duration=2.0 ** math.ceil(math.log2(max(4.0, 4 * span.duration))))[:, 0]
    tau = float(np.median(taus))

    prior_time = config["prior"]["geocent_time"]
    time_half_width = max(abs(prior_time.get("minimum", 0.0)), abs(prior_time.get("maximum", 0.0)))
    duration, fits = rules.segment_duration(tau, data["segment"]["post_trigger"], data["window"]["roll_off"],
                                            time_half_width, cfg["segment"]["margin"], cfg["segment"]["durations"])
    mc_lo, mc_hi = rules.chirp_mass_window(chirp_mass, snr, window["precision"], window["widths"],
                                           window["minimum"], window["maximum"])
    sigma = float(np.sqrt(sum(found.sigma[ifo][best] ** 2 for ifo in ifos)))
    d_max = rules.distance_bound(sigma, snr, cfg["distance"]["snr_fraction"])

    adapt = cfg["adapt"]
    overrides, warnings = {}, []
    if "segment" in adapt:
        overrides["data.segment.duration"] = duration
        if not fits:
            warnings.append(f"the signal's {tau:.1f} s above {band[0]:g} Hz does not fit the longest allowed segment "
                            f"({duration:g} s)")
    analysis_duration = overrides.get("data.segment.duration", data["segment"]["duration"])
    if "chirp_mass" in adapt:
        overrides["prior.chirp_mass"] = {"type": "uniform", "minimum": round(mc_lo, 3), "maximum": round(mc_hi, 3)}
    if "luminosity_distance" in adapt:
        entry = dict(config["prior"]["luminosity_distance"])
        entry["maximum"] = d_max
        if entry.get("minimum", 0.0) >= d_max:
            entry["minimum"] = d_max / 10
        overrides["prior.luminosity_distance"] = entry
    room_before, room_after = local_rooms(data, ifos, trigger_time, analysis_duration)
    psd_changes, psd_notes = rules.psd_data(data["psd"], analysis_duration, room_before, room_after,
                                            cfg["psd_averages"])
    overrides.update({f"data.psd.{k}": v for k, v in psd_changes.items()})

    result = {
        "event": event,
        "trigger_time": trigger_time,
        "search": {
            "span": [span.start, span.end], "band": list(band), "templates": int(found.network_snr2.size),
            "first_stage": {**first, "refined_range": list(zoom)},
            "welch_segments": welch, "network_snr": snr,
            "snr": {ifo: float(found.snr[ifo][best]) for ifo in ifos},
            "arrival_times": {ifo: float(found.times[ifo][best]) for ifo in ifos},
            "loudest_template": {k: float(v[best]) for k, v in bank.items()},
            "chirp_mass": estimate,
            "in_band_templates": int(loudest.size),
            "in_band_time": tau,
            "sigma_1mpc": sigma,
            "seconds": round(time.time() - t0, 1),
        },
        "rules": {
            "segment": {"in_band_time": tau, "needed_before_trigger": tau + data["window"]["roll_off"]
                        + time_half_width + cfg["segment"]["margin"], "duration": duration, "fits": fits},
            "chirp_mass": {"chirp_mass": chirp_mass, "network_snr": snr,
                           "precision": rules.chirp_mass_precision(chirp_mass, snr, window["precision"]),
                           "window": [mc_lo, mc_hi]},
            "luminosity_distance": {"sigma_1mpc": sigma, "network_snr": snr, "maximum": d_max},
            "psd": {"room_before": room_before, "room_after": room_after, "notes": psd_notes},
        },
        "adapted": sorted(adapt),
        "config": overrides,
        "warnings": warnings,
    }
    for message in warnings + psd_notes:
        log.warning("%s: %s", event, message)
    log.info("%s: settings %s", event, json.dumps(overrides))
    write_json(settings, result)
    if figure:
        search_figure(bank["chirp_mass"], np.sqrt(found.network_snr2), chirp_mass, (mc_lo, mc_hi),
                      f"{event}: search over {found.network_snr2.size} templates (network SNR {snr:.1f})", figure)
    return result

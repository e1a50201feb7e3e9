"""An event's analysis settings from its first search (:mod:`gwda.gw.search`): the rules that
turn the trigger's chirp mass, SNR and in-band time into a segment length, a chirp-mass
window, a distance bound and the PSD data, so that any event named by its GPS time is
analysed without hand-tuning. Each rule is a pure function of numbers the search measured;
the search stage records their inputs and outputs (``results/{event}/search/settings.json``).

* **Segment.** The shortest of the allowed durations whose part before the trigger
  (duration − post_trigger) holds the signal's time above f_min, τ (the median over the
  loudest templates), plus the Tukey roll-off, the time prior's half-width and a margin.
* **Chirp-mass window.** ``[M/(1+w), M (1+w)]`` around the loudest template's detector-frame
  chirp mass M, with w = n σ, clipped to [w_min, w_max]: σ(ln M) = σ₀ (M / 30 M☉)^{5/3}
  (20 / ρ) is the chirp-mass precision scaled from that of a 30 M☉ signal at network SNR 20
  (σ₀) by the inspiral's number of in-band cycles (∝ M^{-5/3}) and by the SNR.
* **Distance bound.** The distance at which the loudest template, face-on and overhead in
  every detector, would have ``snr_fraction`` of the observed network SNR: no source of that
  SNR can lie beyond it unless the noise lifted its SNR by a factor 1/snr_fraction.
* **PSD data.** As configured, shortened symmetrically where the local files hold less; with
  ``data.psd.welch_segment`` null, Welch segments are halved (down to 2 s) until at least
  ``psd_averages`` of them fit.
"""

from __future__ import annotations

import math

import numpy as np

#: The chirp mass and network SNR at which ``chirp_mass_window``'s precision σ₀ is given.
REFERENCE_CHIRP_MASS = 30.0
REFERENCE_SNR = 20.0
#: Shortest Welch segment (s) the PSD rule goes down to.
MIN_WELCH_SEGMENT = 2.0


def segment_duration(in_band_time: float, post_trigger: float, roll_off: float, time_half_width: float,
                     margin: float, durations: list[float]) -> tuple[float, bool]:
    """(duration, whether the signal fits): the shortest of ``durations`` whose part before
    the trigger holds ``in_band_time`` + roll-off + time half-width + margin; the longest if
    none does."""
    needed = in_band_time + roll_off + time_half_width + margin
    for duration in sorted(durations):
        if duration - post_trigger >= needed:
            return float(duration), True
    return float(max(durations)), False


def chirp_mass_precision(chirp_mass: float, snr: float, precision: float) -> float:
    """σ(ln M) scaled from ``precision`` at the reference chirp mass and SNR (module doc)."""
    return precision * (chirp_mass / REFERENCE_CHIRP_MASS) ** (5.0 / 3.0) * (REFERENCE_SNR / snr)


def chirp_mass_window(chirp_mass: float, snr: float, precision: float, widths: float, minimum: float,
                      maximum: float) -> tuple[float, float]:
    """The training prior's chirp-mass range [M/(1+w), M(1+w)] (module doc)."""
    w = float(np.clip(widths * chirp_mass_precision(chirp_mass, snr, precision), minimum, maximum))
    return chirp_mass / (1.0 + w), chirp_mass * (1.0 + w)


def distance_bound(sigma_1mpc: float, snr: float, snr_fraction: float, step: float = 50.0) -> float:
    """Upper distance bound (Mpc, rounded up to ``step``): where a template of network
    optimal SNR ``sigma_1mpc`` at 1 Mpc (face-on, overhead) has ``snr_fraction`` × ``snr``."""
    return float(step * math.ceil(sigma_1mpc / (snr_fraction * snr) / step))


def welch_count(chunk_seconds: list[float], segment: float, overlap: float) -> int:
    """Number of Welch segments of ``segment`` s with fractional ``overlap`` in chunks of the
    given lengths (s), as :func:`gwda.gw.psd.periodograms` cuts them."""
    step = segment * (1.0 - overlap)
    return sum(int((c - segment) // step) + 1 for c in chunk_seconds if c >= segment)


def psd_data(psd: dict, duration: float, room_before: float | None, room_after: float | None,
             min_averages: int) -> tuple[dict, list[str]]:
    """Changes to the ``data.psd`` section so that the PSD data fit the data at hand (seconds
    available before and after the analysis segment; None: as much as asked) and hold at
    least ``min_averages`` Welch segments; and what was changed, in words."""
    out, notes = {}, []
    length = psd["duration"]
    if psd["placement"] == "around":
        half = length / 2
        rooms = [r for r in (room_before, room_after) if r is not None]
        if rooms and min(rooms) < half:
            half = float(math.floor(min(rooms)))
            out["duration"] = 2 * half
            notes.append(f"PSD data shortened from {length:g} s to {2 * half:g} s ({half:g} s each side): "
                         "the files hold no more")
        chunks = [half, half]
    else:
        if room_before is not None and room_before < length:
            out["duration"] = float(math.floor(room_before))
            notes.append(f"PSD data shortened from {length:g} s to {out['duration']:g} s: the files hold no more")
        chunks = [out.get("duration", length)]
    if psd["welch_segment"] is None:
        segment = float(duration)
        while welch_count(chunks, segment, psd["overlap"]) < min_averages and segment / 2 >= MIN_WELCH_SEGMENT:
            segment /= 2
        if segment != duration:
            out["welch_segment"] = segment
            notes.append(f"Welch segments of {segment:g} s (not the {duration:g} s segment): "
                         f"{welch_count(chunks, segment, psd['overlap'])} of them fit the PSD data")
    return out, notes

"""Real glitches cut from GWOSC strain: a user's table of GPS times, detectors and labels
(CSV with columns ``gps_time``, ``detector``, ``label``) becomes whitened bursts in the
normalisation of :mod:`gwda.glitches.families` (unit optimal SNR on a window centred on the
given time).

For each glitch, ``psd_duration`` seconds of strain centred on it are read through the
project's data machinery (GWOSC download with its cache, or local GWOSC files:
:func:`gwda.io.strain.load`), the PSD is the median Welch estimate of that stretch (robust to
the glitch inside it), a segment of ``data.segment.duration`` centred on the glitch is
whitened with it (Tukey window of the analysis), and the window is cut from its centre. The
optimal SNR of the cut before normalisation (glitch plus the noise under it) is kept as
``snr``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..gw import psd as psd_estimation
from ..gw.domain import FrequencyDomain
from ..gw.segments import Span
from ..io import strain as strain_files
from . import families

COLUMNS = ("gps_time", "detector", "label")


class GlitchTableError(ValueError):
    pass


def read_table(path: Path | str) -> pd.DataFrame:
    table = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise GlitchTableError(f"{path}: glitch table lacks column(s) {', '.join(missing)} "
                               f"(needs {', '.join(COLUMNS)})")
    if table.empty:
        raise GlitchTableError(f"{path}: glitch table has no rows")
    return table


def cut(gps_time: float, detector: str, data: dict, window: FrequencyDomain,
        psd_duration: float) -> tuple[np.ndarray, float]:
    """The whitened unit-SNR window centred on ``gps_time`` and its SNR before normalisation."""
    segment = FrequencyDomain.from_settings(data)
    start = np.floor(gps_time - psd_duration / 2)
    series = strain_files.load(detector, Span(float(start), float(start + psd_duration)), data)
    fs = series.sample_rate
    x = series.values
    estimate = psd_estimation.estimate([x], detector, segment, data["psd"])
    i0 = int(round((gps_time - segment.duration / 2 - series.gps_start) * fs))
    if i0 < 0 or i0 + segment.n_samples > x.size:
        raise GlitchTableError(f"{detector} GPS {gps_time}: the {segment.duration} s segment around it is not inside "
                               f"the {psd_duration} s read (glitches.gwosc.psd_duration)")
    white = segment.whitened_time_series(segment.whiten_segment(x[i0:i0 + segment.n_samples], estimate.values))
    centre = segment.n_samples // 2
    half = window.n_samples // 2
    burst = white[centre - half:centre - half + window.n_samples][None]
    snr = float(families.optimal_snr(burst, window)[0])
    return families.unit_snr(burst, window)[0], snr


def cut_all(table: pd.DataFrame, data: dict, window: FrequencyDomain, psd_duration: float
            ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every row of ``table`` cut (:func:`cut`): series (rows) and per-row parameters
    ``gps_time``, ``snr`` and ``peak_time`` (the window's centre, where the table puts the glitch)."""
    series, snrs = [], []
    for _, row in table.iterrows():
        x, snr = cut(float(row["gps_time"]), str(row["detector"]), data, window, psd_duration)
        series.append(x)
        snrs.append(snr)
    n = len(table)
    return np.array(series), {"gps_time": table["gps_time"].to_numpy(float), "snr": np.array(snrs),
                              "peak_time": np.full(n, window.duration / 2)}

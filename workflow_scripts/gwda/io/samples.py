"""Posterior samples on disk.

* The event's posterior (``results/{event}/posterior.hdf5``) is a PESummary metafile, the
  layout of LVK posterior releases since GWTC-2, so that ``pesummary.io.read`` and
  ``summarypages`` take it as it is. One group per analysis (``NPE``, ``NPE-IS``) holds
  ``posterior_samples`` (a structured array with LVK names: ``spin_1z``, absolute GPS
  ``geocent_time``, ...), ``meta_data/sampler`` (sampling statistics: evidence, efficiency,
  ...), ``meta_data/meta_data`` (analysis settings: approximant, ``f_low``, ``f_ref``, ...),
  ``config_file/gwda/{section}`` (the configuration, each section as JSON text), ``psds/{ifo}``
  (frequency and one-sided PSD in the band), ``approximant``, ``version`` and
  ``description``; the file has top-level ``version`` and ``history`` groups. ``NPE-IS`` also
  keeps every flow sample with its log prior, log likelihood and normalised importance
  weight (``weighted_samples``).
* Any other sample set (published references, the bilby run) is one top-level structured
  ``posterior_samples`` dataset with attrs.
"""

from __future__ import annotations

import getpass
import json
import time
from dataclasses import dataclass, field

import h5py
import numpy as np

from .. import __version__
from ..runtime import atomic_output, set_attrs

#: The analysis groups of this workflow's posterior files.
ANALYSES = ("NPE", "NPE-IS")
#: GPS time of the Unix epoch (GPS counts leap seconds: 18 since 1980, none announced after 2017).
_GPS_EPOCH_UNIX, _LEAP_SECONDS = 315964800, 18


@dataclass
class Analysis:
    """One analysis of a posterior file: its samples and what describes them."""

    samples: dict[str, np.ndarray]
    sampler: dict = field(default_factory=dict)       # meta_data/sampler: statistics of the sampling
    description: str = ""
    weighted_samples: dict[str, np.ndarray] | None = None


def to_structured(columns: dict) -> np.ndarray:
    names = list(columns)
    n = len(next(iter(columns.values())))
    out = np.empty(n, dtype=[(k, "f8") for k in names])
    for k in names:
        out[k] = columns[k]
    return out


def _columns(data: np.ndarray) -> dict[str, np.ndarray]:
    return {k: data[k] for k in data.dtype.names}


def _text(value: str) -> np.ndarray:
    return np.array([str(value).encode()])


def write_metafile(path, analyses: dict[str, Analysis], config: dict, psds: dict[str, np.ndarray],
                   settings: dict, approximant: str) -> None:
    """The event's posterior as a PESummary metafile (module doc). ``psds``: per detector,
    rows (frequency, PSD); ``settings``: the ``meta_data/meta_data`` entries."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        version = fh.create_group("version")
        version["gwda"] = _text(__version__)
        history = fh.create_group("history")
        history["program"] = _text("gwda")
        history["creator"] = _text(getpass.getuser())
        history["gps_creation_time"] = np.array([time.time() - _GPS_EPOCH_UNIX + _LEAP_SECONDS])
        for label, analysis in analyses.items():
            g = fh.create_group(label)
            g["posterior_samples"] = to_structured(analysis.samples)
            if analysis.weighted_samples is not None:
                g["weighted_samples"] = to_structured(analysis.weighted_samples)
            sampler = g.create_group("meta_data/sampler")
            for key, value in {"nsamples": len(next(iter(analysis.samples.values()))), **analysis.sampler}.items():
                sampler[key] = np.array([value])
            meta = g.create_group("meta_data/meta_data")
            for key, value in settings.items():
                meta[key] = _text(value) if isinstance(value, str) else np.array([value])
            for section, value in config.items():
                g[f"config_file/gwda/{section}"] = _text(json.dumps(value))
            for ifo, rows in psds.items():
                g[f"psds/{ifo}"] = rows
            g["approximant"] = _text(approximant)
            g["version"] = _text(f"gwda {__version__}")
            g["description"] = _text(analysis.description)


def read_analyses(path) -> dict[str, dict[str, np.ndarray]]:
    """The NPE and NPE-IS samples (those the file has) of a posterior file, by label."""
    with h5py.File(path, "r") as fh:
        return {g: _columns(fh[f"{g}/posterior_samples"][()]) for g in ANALYSES if g in fh}


def read_preferred_analysis(path, labels: tuple[str, ...] = ("NPE-IS", "NPE")) -> tuple[str, dict[str, np.ndarray]]:
    """The first of ``labels`` a posterior file has, and its samples (the others unread)."""
    with h5py.File(path, "r") as fh:
        label = next(g for g in labels if g in fh)
        return label, _columns(fh[f"{label}/posterior_samples"][()])


def read_sampler_meta(path, label: str) -> dict[str, float]:
    """``meta_data/sampler`` of analysis ``label`` (empty if the file has no such analysis)."""
    with h5py.File(path, "r") as fh:
        if label not in fh:
            return {}
        return {k: v[()][0].item() for k, v in fh[f"{label}/meta_data/sampler"].items()}


def read_weighted_samples(path, label: str = "NPE-IS") -> dict[str, np.ndarray]:
    with h5py.File(path, "r") as fh:
        return _columns(fh[f"{label}/weighted_samples"][()])


def read_config(path, label: str = "NPE") -> dict:
    """The configuration stored with analysis ``label``."""
    with h5py.File(path, "r") as fh:
        return {k: json.loads(v[()][0]) for k, v in fh[f"{label}/config_file/gwda"].items()}


def read_posterior_samples(path) -> dict[str, np.ndarray]:
    """Columns of a file's top-level ``posterior_samples``."""
    with h5py.File(path, "r") as fh:
        return _columns(fh["posterior_samples"][()])


def write_posterior_samples(path, columns: dict, attrs: dict) -> None:
    """``columns`` as a top-level ``posterior_samples`` structured array, with ``attrs``."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh["posterior_samples"] = to_structured(columns)
        set_attrs(fh, attrs)


def write_flow_samples(path, params: dict[str, np.ndarray], log_proposal: np.ndarray, attrs: dict) -> None:
    """Flow samples of the event (physical parameters, geocent_time relative to the
    trigger) with their log densities ``log_proposal``: ``samples`` and ``attrs``."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh["samples"] = to_structured({**params, "log_proposal": log_proposal})
        set_attrs(fh, attrs)


def read_flow_samples(path) -> tuple[dict[str, np.ndarray], np.ndarray, dict]:
    """(parameters, log densities, attrs) of a file written by :func:`write_flow_samples`."""
    with h5py.File(path, "r") as fh:
        columns = _columns(fh["samples"][()])
        attrs = dict(fh.attrs)
    return columns, columns.pop("log_proposal"), attrs

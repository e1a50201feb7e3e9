"""Data stages (rules/data.smk): fetch and check strain, estimate the PSD."""

from __future__ import annotations

import logging

import numpy as np

from ..gw import psd as psd_estimation
from ..gw.domain import FrequencyDomain
from ..gw.segments import analysis_spans
from ..io import psd_files
from ..io import strain as strain_files
from ..io.gwosc_files import DataError
from ..plots.data import asd_figure

log = logging.getLogger(__name__)


def fetch_strain(strain: str, event: str, trigger_time: float, ifo: str, config: dict) -> None:
    """Read/download the detector's strain over the analysis span, check it, write HDF5."""
    data = config["data"]
    spans = analysis_spans(trigger_time, data)
    log.info("%s %s: fetching GPS %s (segment %s) from %s", event, ifo, spans.fetch, spans.segment, data["source"])
    series = strain_files.load(ifo, spans.fetch, data)
    quality = strain_files.check_quality(series, data["quality"]["require"], data["quality"]["on_fail"])
    attrs = {
        "event": event,
        "trigger_time": trigger_time,
        "segment": [spans.segment.start, spans.segment.end],
        "psd_chunks": [[c.start, c.end] for c in spans.psd_chunks],
        "source": data["source"],
        "gwosc_host": data["gwosc"]["host"] if data["source"] == "gwosc" else "",
        "data_quality": quality,
        "config": config,
    }
    strain_files.write(strain, series, attrs)
    log.info("wrote %s (%d samples at %g Hz)", strain, series.values.size, series.sample_rate)


def estimate_psd(strain: str, psd: str, asd: str, figure: str, config: dict) -> psd_estimation.PSD:
    """Welch PSD (median or mean, as configured) from the off-source strain: PSD file, ASD
    text file, ASD figure."""
    data = config["data"]
    domain = FrequencyDomain.from_settings(data)
    series, attrs, chunks = strain_files.read_offsource(strain)
    if series.sample_rate != domain.sample_rate:
        raise DataError(f"{strain}: sample rate {series.sample_rate} Hz does not match "
                        f"config data.sample_rate {domain.sample_rate} Hz; re-run fetch_strain")
    estimate = psd_estimation.estimate(chunks, series.detector, domain, data["psd"], {
        "event": attrs["event"], "psd_chunks": attrs["psd_chunks"], "segment": attrs["segment"],
        "strain_file": str(strain), "config": config,
    })
    psd_files.write(estimate, psd, asd)
    band = data["frequency"]
    i100 = int(np.argmin(np.abs(estimate.frequencies - 100.0)))
    log.info("%s: %d Welch segments, ASD(100 Hz) = %.3g /sqrt(Hz)", series.detector,
             estimate.attrs["n_averages"], estimate.asd[i100])
    asd_figure(estimate, f"{attrs['event']} {series.detector} noise ASD", band["f_min"], band["f_max"], figure)
    return estimate

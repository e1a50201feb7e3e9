"""The data stage: fetch strain, estimate the PSD, simulate noise. One function per rule."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import h5py
import numpy as np

from . import noise, plots
from . import psd as psd_mod
from . import strain as strain_mod
from .domain import domain_from_config
from .gwosc_files import DataError
from .runtime import atomic_output, rng, write_json
from .segments import Span, analysis_spans

log = logging.getLogger(__name__)

CONVENTION = (
    "h(f) = dt * rfft(tukey * x); whitened d_w = d(f) / sqrt(S(f) <w^2> T / 4): whitened "
    "Gaussian noise has unit variance in the real and in the imaginary part of each in-band bin"
)


def fetch_strain(output: Path | str, event: str, trigger_time: float, detector: str, config: dict) -> None:
    """Read/download the detector's strain over the analysis span, check it, write HDF5."""
    data = config["data"]
    spans = analysis_spans(trigger_time, data)
    log.info("%s %s: fetching GPS %s (segment %s) from %s", event, detector, spans.fetch,
             spans.segment, data["source"])
    strain = strain_mod.load(detector, spans.fetch, data)
    quality = strain_mod.check_quality(strain, data["quality"]["require"], data["quality"]["on_fail"])
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
    strain_mod.write(output, strain, attrs)
    log.info("wrote %s (%d samples at %g Hz)", output, strain.values.size, strain.sample_rate)


def _offsource_chunks(strain_path: Path | str) -> tuple[strain_mod.Strain, dict, list[np.ndarray]]:
    strain, attrs = strain_mod.read(strain_path)
    chunks = [strain.crop(Span(*c)) for c in json.loads(attrs["psd_chunks"])]
    return strain, attrs, chunks


def estimate_psd(strain_path: Path | str, psd_path: Path | str, asd_path: Path | str,
                 figure_path: Path | str, config: dict) -> psd_mod.PSD:
    data = config["data"]
    domain = domain_from_config(data)
    strain, attrs, chunks = _offsource_chunks(strain_path)
    if strain.sample_rate != domain.sample_rate:
        raise DataError(f"{strain_path}: sample rate {strain.sample_rate} Hz does not match "
                        f"config data.sample_rate {domain.sample_rate} Hz; re-run fetch_strain")
    psd = psd_mod.estimate(chunks, strain.detector, domain, data["psd"], {
        "event": attrs["event"], "psd_chunks": attrs["psd_chunks"], "segment": attrs["segment"],
        "strain_file": str(strain_path), "config": config,
    })
    psd_mod.write(psd, psd_path, asd_path)
    band = data["frequency"]
    i100 = int(np.argmin(np.abs(psd.frequencies - 100.0)))
    log.info("%s: %d Welch segments, ASD(100 Hz) = %.3g /sqrt(Hz)", strain.detector,
             psd.attrs["n_averages"], psd.asd[i100])
    plots.asd_figure(psd, f"{attrs['event']} {strain.detector} noise ASD", band["f_min"], band["f_max"],
                     figure_path)
    return psd


def simulate_noise(strain_paths: list, psd_paths: list, noise_path: Path | str,
                   summary_path: Path | str, figure_path: Path | str, event: str, config: dict) -> dict:
    """Coloured Gaussian noise per detector and how it compares with the real off-source data.

    Three whitened samples are summarised per detector: simulated frequency-domain noise
    whitened by the PSD it was drawn from (unit variance by construction), the real
    off-source data whitened by the estimated PSD, and simulated time-domain noise of the
    same off-source layout pushed through the identical Welch + whitening pipeline. The last
    is the Gaussian reference for the real data: it carries the same PSD-estimation scatter.
    """
    data = config["data"]
    domain = domain_from_config(data)
    n_real = config["noise"]["realisations"]
    summary: dict = {"event": event, "convention": CONVENTION, "f_min": domain.f_min,
                     "f_max": domain.f_max, "detectors": {}}
    real_psds, sim_psds, white_real, white_sim = {}, {}, {}, {}
    with atomic_output(noise_path) as tmp, h5py.File(tmp, "w") as fh:
        fh.attrs.update({"event": event, "convention": CONVENTION, "config": json.dumps(config),
                         "duration": domain.duration, "sample_rate": domain.sample_rate,
                         "roll_off": domain.roll_off})
        for strain_path, psd_path in zip(strain_paths, psd_paths):
            psd = psd_mod.read(psd_path)
            det = psd.detector
            generator = rng(config["seed"], "simulate_noise", event, det)
            _, _, chunks = _offsource_chunks(strain_path)
            fd = noise.frequency_domain_noise(psd.values, domain, n_real, generator)
            td = noise.time_domain_noise(psd.frequencies, psd.values, domain.duration,
                                         domain.sample_rate, generator)
            sim_chunks = [noise.time_domain_noise(psd.frequencies, psd.values, c.size / domain.sample_rate,
                                                  domain.sample_rate, generator) for c in chunks]
            sim_psd = psd_mod.estimate(sim_chunks, det, domain, data["psd"])
            white_real[det] = noise.whitened_offsource(chunks, psd.values, domain)
            white_sim[det] = noise.whitened_offsource(sim_chunks, sim_psd.values, domain)
            band = domain.mask
            summary["detectors"][det] = {
                "simulated_frequency_domain": noise.gaussianity(domain.whiten(fd, psd.values)[:, band]),
                "real_offsource": noise.gaussianity(white_real[det]),
                "simulated_offsource_same_pipeline": noise.gaussianity(white_sim[det]),
                "median_asd_ratio_simulated_to_real": float(np.median(np.sqrt(sim_psd.values[band] / psd.values[band]))),
                "psd_averages": psd.attrs.get("n_averages"),
            }
            g = fh.create_group(det)
            g["frequencies"] = domain.frequencies
            g["frequency_domain"] = fd
            g["frequency_domain"].attrs["description"] = (
                "coloured noise realisations (rows), windowed-data equivalent, zero outside the band")
            g["time_domain"] = td
            g["time_domain"].attrs.update({"gps_start": 0.0, "sample_rate": domain.sample_rate,
                                           "description": "one unwindowed segment of coloured noise"})
            g["psd"] = psd.values
            real_psds[det], sim_psds[det] = psd, sim_psd
    write_json(summary_path, summary)
    plots.noise_comparison_figure(real_psds, sim_psds, white_real, white_sim, event,
                                  domain.f_min, domain.f_max, figure_path)
    return summary

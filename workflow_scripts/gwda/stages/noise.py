"""Noise simulation stage (rules/noise.smk): coloured Gaussian noise from the PSDs, and how
it compares with the real off-source data."""

from __future__ import annotations

import json
import logging

import h5py
import numpy as np

from ..gw import noise as gaussian_noise
from ..gw import psd as psd_estimation
from ..gw.domain import WHITENING_CONVENTION, FrequencyDomain
from ..io import psd_files
from ..io import strain as strain_files
from ..plots.data import noise_comparison_figure
from ..runtime import atomic_output, rng, write_json

log = logging.getLogger(__name__)


def simulate_noise(strain: list, psd: list, noise: str, summary: str, figure: str, event: str, config: dict) -> dict:
    """Coloured Gaussian noise per detector and how it compares with the real off-source data.

    Three whitened samples are summarised per detector: simulated frequency-domain noise
    whitened by the PSD it was drawn from (unit variance by construction), the real
    off-source data whitened by the estimated PSD, and simulated time-domain noise of the
    same off-source layout pushed through the identical Welch + whitening pipeline. The last
    is the Gaussian reference for the real data: it carries the same PSD-estimation scatter.
    """
    data = config["data"]
    domain = FrequencyDomain.from_settings(data)
    n_real = config["noise"]["realisations"]
    result: dict = {"event": event, "convention": WHITENING_CONVENTION, "f_min": domain.f_min,
                    "f_max": domain.f_max, "detectors": {}}
    real_psds, sim_psds, white_real, white_sim = {}, {}, {}, {}
    with atomic_output(noise) as tmp, h5py.File(tmp, "w") as fh:
        fh.attrs.update({"event": event, "convention": WHITENING_CONVENTION, "config": json.dumps(config),
                         "duration": domain.duration, "sample_rate": domain.sample_rate,
                         "roll_off": domain.roll_off})
        for strain_path, psd_path in zip(strain, psd):
            estimate = psd_files.read(psd_path)
            det = estimate.detector
            generator = rng(config["seed"], "simulate_noise", event, det)
            _, _, chunks = strain_files.read_offsource(strain_path)
            fd = gaussian_noise.frequency_domain_noise(estimate.values, domain, n_real, generator)
            td = gaussian_noise.time_domain_noise(estimate.frequencies, estimate.values, domain.duration,
                                                  domain.sample_rate, generator)
            sim_chunks = [gaussian_noise.time_domain_noise(estimate.frequencies, estimate.values,
                                                           c.size / domain.sample_rate, domain.sample_rate, generator)
                          for c in chunks]
            sim_psd = psd_estimation.estimate(sim_chunks, det, domain, data["psd"])
            white_real[det] = gaussian_noise.whitened_offsource(chunks, estimate.values, domain)
            white_sim[det] = gaussian_noise.whitened_offsource(sim_chunks, sim_psd.values, domain)
            band = domain.mask
            result["detectors"][det] = {
                "simulated_frequency_domain": gaussian_noise.gaussianity(domain.whiten(fd, estimate.values)[:, band]),
                "real_offsource": gaussian_noise.gaussianity(white_real[det]),
                "simulated_offsource_same_pipeline": gaussian_noise.gaussianity(white_sim[det]),
                "median_asd_ratio_simulated_to_real": float(np.median(np.sqrt(sim_psd.values[band]
                                                                              / estimate.values[band]))),
                "psd_averages": estimate.attrs.get("n_averages"),
            }
            g = fh.create_group(det)
            g["frequencies"] = domain.frequencies
            g["frequency_domain"] = fd
            g["frequency_domain"].attrs["description"] = (
                "coloured noise realisations (rows), windowed-data equivalent, zero outside the band")
            g["time_domain"] = td
            g["time_domain"].attrs.update({"gps_start": 0.0, "sample_rate": domain.sample_rate,
                                           "description": "one unwindowed segment of coloured noise"})
            g["psd"] = estimate.values
            real_psds[det], sim_psds[det] = estimate, sim_psd
    write_json(summary, result)
    noise_comparison_figure(real_psds, sim_psds, white_real, white_sim, event, domain.f_min, domain.f_max, figure)
    return result

"""Noise simulation stage (rules/noise.smk): coloured Gaussian noise from the PSDs, and how
it compares with the real off-source data."""

from __future__ import annotations

import logging

import numpy as np

from ..gw import noise as gaussian_noise
from ..gw import psd as psd_estimation
from ..gw.domain import WHITENING_CONVENTION, FrequencyDomain
from ..io import psd_files
from ..io import strain as strain_files
from ..io.noise_files import SimulatedNoise, write_noise_with_glitches, write_simulated_noise
from ..plots.data import noise_comparison_figure
from ..runtime import atomic_output, rng, write_json

log = logging.getLogger(__name__)


def simulate_noise(strain: list, psd: list, noise: str, summary: str, figure: str, glitch_noise: str,
                   glitch_catalogue: str, glitch_figure: str, event: str, config: dict,
                   glitch_network: list | None = None) -> dict:
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
    real_psds, sim_psds, white_real, white_sim, simulated = {}, {}, {}, {}, {}
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
        simulated[det] = SimulatedNoise(fd, td, estimate.values)
        real_psds[det], sim_psds[det] = estimate, sim_psd
    write_simulated_noise(noise, simulated, domain, event, config)
    result["glitches"] = _noise_with_glitches(real_psds, glitch_noise, glitch_catalogue, glitch_figure, event, config,
                                              glitch_network)
    write_json(summary, result)
    noise_comparison_figure(real_psds, sim_psds, white_real, white_sim, event, domain.f_min, domain.f_max, figure)
    return result


def _noise_with_glitches(psds: dict, glitch_noise: str, glitch_catalogue: str, glitch_figure: str, event: str,
                         config: dict, glitch_network: list | None) -> dict:
    """A stretch of coloured Gaussian noise per detector, and the same with glitches injected
    (:mod:`gwda.glitches.injection`): written with the catalogue, the SNR a matched filter
    recovers for each glitch, and the Gaussianity of both whitened stretches. ``psds``: the
    estimated PSD of each detector."""
    import pandas as pd

    from ..glitches import injection
    from ..glitches.features import measure
    from ..glitches.sources import glitch_classes, glitch_maker
    from ..plots.glitches import noise_with_glitches

    data, settings = config["data"], config["noise"]["glitches"]
    classes = glitch_classes(settings["source"], settings["classes"], config)
    make, window = glitch_maker(settings["source"], config, glitch_network[0] if glitch_network else None)
    stretch = injection.stretch_domain(float(settings["duration"]), float(data["sample_rate"]),
                                       float(data["frequency"]["f_min"]), float(data["frequency"]["f_max"]))
    rows, summary, whitened, stretches = [], {"source": settings["source"], "rate": settings["rate"],
                                              "duration": stretch.duration, "detectors": {}}, {}, {}
    for det, estimate in psds.items():
        generator = rng(config["seed"], "simulate_noise", "glitches", event, det)
        cat = injection.draw_catalogue(settings["rate"], stretch.duration, window.duration, settings["snr"],
                                       classes, generator)
        bursts = make(list(cat["class"]), generator, det) if len(cat) else np.empty((0, window.n_samples))
        starts = cat["start"].to_numpy()
        glitch_white = injection.whitened_stretch(bursts, starts, cat["snr"].to_numpy(), stretch)
        psd_on_stretch = np.interp(stretch.frequencies, estimate.frequencies, estimate.values)
        glitch_strain = stretch.coloured_time_series(glitch_white, psd_on_stretch)
        gaussian = gaussian_noise.time_domain_noise(estimate.frequencies, estimate.values, stretch.duration,
                                                    stretch.sample_rate, generator)
        white_without = injection.whiten(gaussian, psd_on_stretch, stretch)
        white_with = injection.whiten(gaussian + glitch_strain, psd_on_stretch, stretch)
        recovered = injection.matched_filter_snrs(white_with, bursts, starts, stretch)
        peaks = measure(bursts, window)["peak_time"] if len(cat) else np.empty(0)
        for k, (_, g) in enumerate(cat.iterrows()):
            rows.append({"detector": det, "time": g["start"] + peaks[k], "class": g["class"], "snr": g["snr"],
                         "recovered_snr": recovered[k]})
        stretches[det] = (gaussian, gaussian + glitch_strain)
        whitened[det] = white_with
        summary["detectors"][det] = {
            "n_glitches": int(len(cat)),
            "gaussian": gaussian_noise.gaussianity(white_without),
            "with_glitches": gaussian_noise.gaussianity(white_with),
        }
    write_noise_with_glitches(glitch_noise, stretches, stretch, event, config)
    catalogue = pd.DataFrame(rows, columns=["detector", "time", "class", "snr", "recovered_snr"])
    with atomic_output(glitch_catalogue) as tmp:
        catalogue.to_csv(tmp, index=False)
    if len(catalogue):
        diff = catalogue["recovered_snr"] - catalogue["snr"]
        summary["recovered_minus_injected_snr"] = {"mean": float(diff.mean()), "std": float(diff.std(ddof=0))}
    noise_with_glitches(whitened, catalogue, stretch.sample_rate, stretch.f_max,
                        f"{event}: simulated noise with {settings['source']} glitches (whitened)", glitch_figure)
    return summary

"""Figures of the report that are not made by the stages themselves: training curves and the
whitened strain with the waveforms reconstructed from the posterior."""

from __future__ import annotations

import csv
import json
import logging

import h5py
import numpy as np

from .diagnostic_plots import loss_figure
from .event_analysis import event_data, make_simulator
from .posterior_plots import whitened_strain_figure
from .runtime import rng as make_rng
from .samples import read_posterior_samples
from .simulator import Simulator

log = logging.getLogger(__name__)

#: Band of the whitened-strain figure (as in the GW150914 discovery paper), clipped to the analysis band.
DISPLAY_BAND = (30.0, 350.0)


def plot_training(loss_csv, figure, event: str) -> None:
    with open(loss_csv, newline="") as fh:
        history = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]
    loss_figure(history, f"{event}: training of the neural posterior estimator", figure)


def band_passed_time_series(sim: Simulator, whitened: np.ndarray, band: tuple[float, float]) -> np.ndarray:
    """Time series (rows) of whitened in-band frequency-domain data, restricted to ``band``
    and scaled so that white Gaussian noise has unit variance per sample there (the
    frequency-domain convention of :mod:`gwda.domain` gives unit variance per Re/Im part)."""
    d = sim.domain
    full = np.zeros(np.shape(whitened)[:-1] + (d.frequencies.size,), dtype=complex)
    full[..., d.band_slice] = whitened
    keep = (d.frequencies >= band[0]) & (d.frequencies <= band[1])
    full[..., ~keep] = 0.0
    # With K bins of unit Re/Im variance, numpy's irfft gives each sample variance 4K/n².
    return np.fft.irfft(full, n=d.n_samples, axis=-1) * d.n_samples / (2 * np.sqrt(keep.sum()))


def plot_reconstruction(posterior_path, strain_paths: list, psd_paths: list, figure, event: str,
                        trigger_time: float, config: dict) -> None:
    """Whitened, band-passed data of each detector around the merger with the median and
    90 % band of the waveforms of posterior samples (NPE-IS if present, else NPE)."""
    with h5py.File(posterior_path, "r") as fh:
        analysis_config = json.loads(fh.attrs["config"])
        group = "NPE-IS" if "NPE-IS" in fh else "NPE"
    samples = read_posterior_samples(posterior_path, group)
    sim = make_simulator(psd_paths, trigger_time, analysis_config)
    data = event_data(strain_paths, sim)
    rng = make_rng(config["seed"], "plot_reconstruction", event)
    n = samples["chirp_mass"].size
    idx = rng.choice(n, min(n, config["validation"]["reconstruction_samples"]), replace=False)
    params = {k: v[idx] for k, v in samples.items() if k in analysis_config["prior"]}
    signals = sim.signal(params)
    band = (max(DISPLAY_BAND[0], sim.domain.f_min), min(DISPLAY_BAND[1], sim.domain.f_max))
    times = sim.sample_times()
    show = (times >= -0.2) & (times <= 0.1)
    data_t = {i: band_passed_time_series(sim, data[i], band)[show] for i in sim.ifos}
    wave_t = {i: band_passed_time_series(sim, signals[i], band)[:, show] for i in sim.ifos}
    whitened_strain_figure(times[show], data_t, wave_t, band,
                           f"{event}: whitened strain and {group} reconstruction ({idx.size} samples)", figure)
    log.info("reconstructed %d %s waveforms for %s", idx.size, group, event)

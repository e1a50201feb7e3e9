"""Report stages (rules/report.smk): the figures not made by the other stages, training
curves and the whitened strain with the waveforms reconstructed from the posterior, and the
whole run's machine-readable summary."""

from __future__ import annotations

import logging

import pandas as pd

from ..gw.conversions import from_release
from ..io.run_summary import run_summary
from ..io.samples import read_preferred_analysis
from ..npe.analysis import ModelAnalysis
from ..plots.diagnostics import loss_figure
from ..plots.posterior import whitened_strain_figure
from ..plots.style import DISPLAY_BAND
from ..provenance import provenance
from ..runtime import rng as make_rng
from ..runtime import write_json

log = logging.getLogger(__name__)


def plot_training(loss: str, figure: str, event: str) -> None:
    history = pd.read_csv(loss).to_dict("records")
    loss_figure(history, f"{event}: training of the neural posterior estimator", figure)


def plot_reconstruction(posterior: str, model: str, strain: list, psd: list, figure: str, event: str,
                        config: dict) -> None:
    """Whitened, band-passed data of each detector around the merger with the median and
    90 % band of the waveforms of posterior samples (NPE-IS if present, else NPE)."""
    analysis = ModelAnalysis.load(model, psd)
    sim = analysis.simulator
    group, samples = read_preferred_analysis(posterior)
    samples = from_release(samples, sim.trigger_time)
    data = analysis.whitened_data(strain)
    rng = make_rng(config["seed"], "plot_reconstruction", event)
    n = samples["chirp_mass"].size
    idx = rng.choice(n, min(n, config["validation"]["reconstruction_samples"]), replace=False)
    signals = sim.signal({k: v[idx] for k, v in samples.items() if k in analysis.prior.priors})
    band = (max(DISPLAY_BAND[0], sim.domain.f_min), min(DISPLAY_BAND[1], sim.domain.f_max))
    times = sim.sample_times()
    show = (times >= -0.2) & (times <= 0.1)
    data_t = {i: sim.domain.whitened_time_series(data[i], band)[show] for i in sim.ifos}
    wave_t = {i: sim.domain.whitened_time_series(signals[i], band)[:, show] for i in sim.ifos}
    whitened_strain_figure(times[show], data_t, wave_t, band,
                           f"{event}: whitened strain and {group} reconstruction ({idx.size} samples)", figure)
    log.info("reconstructed %d %s waveforms for %s", idx.size, group, event)


def summarise_run(results: list, summary: str, events: list, config: dict) -> dict:
    """``results/summary.json``: every event's numbers and the GAN's (:mod:`gwda.io.run_summary`)
    with the provenance of the run (code, config, machine, date). ``results`` are the run's
    final outputs, listed so that the summary is made last."""
    out = {"provenance": provenance(config=config), **run_summary(list(events))}
    write_json(summary, out)
    log.info("summarised %d events in %s", len(events), summary)
    return out

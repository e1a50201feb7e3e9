"""Denoiser stage (rules/denoise.smk): train the Transformer denoiser on the event's simulated
data, measure it on held-out injections, and apply it to the event."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from ..io.denoiser_files import write_reconstruction
from ..npe.analysis import ModelAnalysis, data_fingerprint
from ..runtime import rng, write_json

log = logging.getLogger(__name__)


def _simulation(analysis: ModelAnalysis, window, config: dict, glitch_network: list | None, device,
                with_glitches: bool = True):
    """The examples' simulator for an analysis and window, with a glitch pool from the
    configured source when glitches are wanted."""
    from ..denoise.data import DenoiserSimulation, GlitchPool
    from ..glitches.sources import glitch_classes, glitch_maker

    d = config["denoiser"]
    pool = None
    if with_glitches:
        g = d["glitches"]
        make, burst_domain = glitch_maker(g["source"], config, glitch_network[0] if glitch_network else None)
        pool = GlitchPool(make, burst_domain, glitch_classes(g["source"], g["classes"], config), window.sample_rate,
                          d["training"]["glitch_pool"])
    return DenoiserSimulation(analysis.simulator, analysis.prior, window, d, pool, device)


def _analysis(config: dict, psd: list, trigger_time: float, event: str):
    from ..denoise.window import DenoiserWindow

    analysis = ModelAnalysis.from_config(config, psd, trigger_time, event)
    sim = analysis.simulator
    return analysis, DenoiserWindow.from_settings(sim.domain, sim.trigger_time - sim.segment_start, config["denoiser"])


def train_denoiser(waveforms: str, psd: list, network: str, losses: str, summary: str, workdir: str, event: str,
                   trigger_time: float, config: dict, glitch_network: list | None = None, threads: int = 1,
                   gaussian_only: bool = False, progress: bool = True) -> dict:
    """Train the denoiser on examples drawn from the event's simulator (resuming from
    ``workdir``'s checkpoint when the settings are unchanged) and write it. ``gaussian_only``:
    without glitches whatever ``denoiser.glitches.rate`` says (the comparison model)."""
    import torch

    from ..core.devices import resolve_device
    from ..core.training import config_hash
    from ..denoise.denoiser import Denoiser
    from ..denoise.training import BankBatches, train
    from ..npe.dataset import WaveformDataset

    torch.set_num_threads(max(1, threads))
    d = config["denoiser"]
    device = resolve_device(d["training"]["device"])
    analysis, window = _analysis(config, psd, trigger_time, event)
    with_glitches = d["glitches"]["rate"] > 0 and not gaussian_only
    simulation = _simulation(analysis, window, config, glitch_network, device, with_glitches)
    torch.manual_seed(config["seed"])
    denoiser = Denoiser.build(d["network"], window, analysis.simulator.ifos, data_fingerprint(analysis.simulator))
    batches = BankBatches(simulation, WaveformDataset.read(waveforms))
    t0 = time.time()
    result = train(denoiser, batches, d["training"], int(config["seed"]), Path(workdir), Path(losses),
                   config_hash([config, with_glitches]), progress)
    history = result["history"]
    info = {"event": event, "seconds_this_run": time.time() - t0,
            "seconds_all_epochs": float(sum(r["seconds"] for r in history)), "epochs": len(history),
            "resumed_from_epoch": result["resumed_from"], "device": str(device), "threads": threads,
            "examples_seen": len(history) * (d["training"]["examples_per_epoch"] // d["training"]["batch_size"])
            * d["training"]["batch_size"],
            "parameters": sum(p.numel() for p in denoiser.network.parameters()),
            "window": {"duration": window.duration, "start": window.start, "sample_rate": window.sample_rate,
                       "samples": window.n_samples, "tokens_per_detector": window.n_samples // d["network"]["patch"]},
            "glitches_in_training": simulation.pool is not None,
            "final_validation_loss": history[-1]["validation_loss"],
            "final_validation_median_overlap": history[-1]["validation_median_overlap"]}
    denoiser.info = {"training": info, "config": {k: config[k] for k in ("seed", "denoiser")}}
    denoiser.save(network)
    write_json(summary, info)
    log.info("trained the denoiser in %.0f s (%d epochs, %d parameters)", info["seconds_all_epochs"], info["epochs"],
             info["parameters"])
    return info


def _load(network: str, analysis: ModelAnalysis):
    from ..denoise.denoiser import Denoiser

    denoiser = Denoiser.load(network)
    denoiser.check_data(data_fingerprint(analysis.simulator), network)
    return denoiser


def evaluate_denoiser(network: str, psd: list, losses: str, metrics: str, figure: str, loss_figure: str, event: str,
                      trigger_time: float, config: dict, glitch_network: list | None = None,
                      threads: int = 1) -> dict:
    """The metrics of :mod:`gwda.denoise.evaluation` on held-out injections, noise-only and
    glitch windows, and the stage's figures."""
    import pandas as pd
    import torch

    from ..denoise.evaluation import WienerFilter, power_ratio, signal_metrics
    from ..plots import denoise as plots

    torch.set_num_threads(max(1, threads))
    ev = config["denoiser"]["evaluation"]
    analysis, window = _analysis(config, psd, trigger_time, event)
    denoiser = _load(network, analysis)
    simulation = _simulation(analysis, window, config, glitch_network, torch.device("cpu"))
    generator_np = rng(config["seed"], "evaluate_denoiser", event)
    generator = torch.Generator().manual_seed(int(generator_np.integers(2**62)))
    simulation.pool.refresh(analysis.simulator.ifos, generator_np)
    t0 = time.time()

    def injections(n):
        """(data, signal, SNR) of ``n`` held-out injections in Gaussian noise."""
        parts = []
        for i in range(0, n, 128):
            signals, _ = simulation.fresh_signals(min(128, n - i), generator_np)
            parts.append(simulation.examples(signals, generator_np, generator, glitches=False,
                                             noise_only=np.zeros(min(128, n - i), bool)))
        return (np.concatenate([p.data.numpy() for p in parts]), np.concatenate([p.signal.numpy() for p in parts]),
                np.concatenate([p.snr for p in parts]))

    fit_data, fit_signal, _ = injections(ev["wiener_examples"])
    wiener = WienerFilter.fit(fit_signal, fit_data - fit_signal)
    data, truth, snr = injections(ev["injections"])
    methods = {"denoiser": denoiser(data), "wiener": wiener(data)}
    result, overlaps = signal_metrics(data, truth, snr, methods, ev["snr_bins"], ev["high_snr"])
    result["injections"] = int(snr.size)

    def windows(n, glitch_counts):
        noise_only = np.ones(n, bool)
        signals = {ifo: torch.ones((n, analysis.simulator.n_bins), dtype=torch.complex64)
                   for ifo in analysis.simulator.ifos}
        ex = simulation.examples(signals, generator_np, generator, noise_only=noise_only,
                                 glitches=glitch_counts is not None, glitch_counts=glitch_counts)
        return ex.data.numpy(), ex.glitches.numpy()

    noise, _ = windows(ev["noise_windows"], None)
    n_det = len(analysis.simulator.ifos)
    glitchy, glitch_alone = windows(ev["glitch_windows"], np.ones((ev["glitch_windows"], n_det), int))
    result["noise_suppression"] = {k: power_ratio(noise, f(noise)) for k, f in
                                   (("denoiser", denoiser), ("wiener", wiener))}
    result["glitch_suppression"] = {k: power_ratio(glitch_alone, f(glitchy)) for k, f in
                                    (("denoiser", denoiser), ("wiener", wiener))}
    result["glitch_windows_input_over_output_power"] = {k: power_ratio(glitchy, f(glitchy)) for k, f in
                                                        (("denoiser", denoiser), ("wiener", wiener))}
    result["glitch_source"] = config["denoiser"]["glitches"]["source"]
    result["glitches_in_training"] = bool(denoiser.info.get("training", {}).get("glitches_in_training"))
    result["training"] = denoiser.info.get("training", {})
    result["window"] = {"duration": window.duration, "start": window.start, "sample_rate": window.sample_rate}
    result["evaluation_seconds"] = time.time() - t0
    write_json(metrics, result)
    plots.overlap_figure(snr, overlaps, ev["snr_bins"], f"{event}: denoiser on {snr.size} held-out injections",
                         figure)
    plots.denoiser_losses(pd.read_csv(losses).to_dict("records"), f"{event}: training of the denoiser", loss_figure)
    key = f"median_overlap_snr_above_{ev['high_snr']:g}"
    log.info("median overlap at network SNR >= %g: denoiser %.3f, Wiener %.3f, data %.3f; noise suppressed %.1fx, "
             "glitches %.1fx", ev["high_snr"], result[key]["denoiser"], result[key]["wiener"], result[key]["data"],
             result["noise_suppression"]["denoiser"], result["glitch_suppression"]["denoiser"])
    return result


def denoise_event(network: str, model: str, strain: list, psd: list, posterior: str, reconstruction: str,
                  result: str, figure: str, event: str, config: dict) -> dict:
    """The denoiser's reconstruction of the event's whitened signal, written, compared with
    the waveforms of posterior samples (NPE-IS if present, else NPE) and drawn with them."""
    from ..denoise.training import network_overlap
    from ..gw.conversions import from_release
    from ..io.samples import read_preferred_analysis
    from ..plots import denoise as plots

    analysis = ModelAnalysis.load(model, psd)
    sim = analysis.simulator
    denoiser = _load(network, analysis)
    window = denoiser.window
    data_band = analysis.whitened_data(strain)
    data = np.stack([window.cut(data_band[i]) for i in denoiser.detectors])[None]
    estimate = denoiser(data)[0]
    group, samples = read_preferred_analysis(posterior)
    samples = from_release(samples, sim.trigger_time)
    n = samples["chirp_mass"].size
    idx = rng(config["seed"], "denoise_event", event).choice(n, min(n, config["denoiser"]["posterior_waveforms"]),
                                                              replace=False)
    signals = sim.signal({k: v[idx] for k, v in samples.items() if k in analysis.prior.priors})
    # The maximum-likelihood waveform among the drawn samples: ln L = -½ Σ |d - h|² + const.
    misfit = sum(np.sum(np.abs(data_band[i][None] - signals[i]) ** 2, axis=-1) for i in sim.ifos)
    best = int(np.argmin(misfit))
    waves = np.stack([window.cut(signals[i]) for i in denoiser.detectors], axis=1)
    ml = waves[best]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_sample = network_overlap(estimate[None], waves)
    lo, hi = np.percentile(waves, [5, 95], axis=0)
    times = window.times()
    near = (times >= -0.2) & (times <= 0.05)
    out = {"event": event, "posterior": group, "posterior_waveforms": int(idx.size),
           "overlap_with_max_likelihood": {"network": float(network_overlap(estimate[None], ml[None])[0]),
                                           **{ifo: float(network_overlap(estimate[None, k:k + 1], ml[None, k:k + 1])[0])
                                              for k, ifo in enumerate(denoiser.detectors)}},
           "data_overlap_with_max_likelihood": float(network_overlap(data[0][None], ml[None])[0]),
           "overlap_with_posterior_waveforms": {"median": float(np.median(per_sample)),
                                                "q05": float(np.percentile(per_sample, 5)),
                                                "q95": float(np.percentile(per_sample, 95))},
           "fraction_in_posterior_90_band_near_merger": float(np.mean((estimate[:, near] >= lo[:, near])
                                                                      & (estimate[:, near] <= hi[:, near]))),
           "max_likelihood_log_likelihood_ratio": float(0.5 * (sum(np.sum(np.abs(data_band[i]) ** 2) for i in sim.ifos)
                                                               - misfit[best])),
           "window": {"start": window.start, "duration": window.duration, "sample_rate": window.sample_rate}}
    write_reconstruction(reconstruction, times,
                         {ifo: {"data": data[0, k], "denoised": estimate[k], "max_likelihood": ml[k],
                                "posterior_q05": lo[k], "posterior_q95": hi[k]}
                          for k, ifo in enumerate(denoiser.detectors)},
                         event, sim.trigger_time, window.sample_rate)
    write_json(result, out)
    plots.denoised_strain(times, {ifo: data[0, k] for k, ifo in enumerate(denoiser.detectors)},
                          {ifo: estimate[k] for k, ifo in enumerate(denoiser.detectors)},
                          {ifo: (waves[:, k], ml[k]) for k, ifo in enumerate(denoiser.detectors)},
                          (sim.domain.f_min, sim.domain.f_max), f"{event}: data, Transformer denoiser and {group} "
                          "posterior", figure)
    log.info("%s: the denoised strain overlaps the maximum-likelihood waveform by %.3f (the data by %.3f)", event,
             out["overlap_with_max_likelihood"]["network"], out["data_overlap_with_max_likelihood"])
    return out

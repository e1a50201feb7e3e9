"""Posterior stages (rules/inference.smk): flow samples for the event, then exact-likelihood
importance sampling, the posterior file and its summary."""

from __future__ import annotations

import json
import logging
import time

import numpy as np

from ..core import importance
from ..gw.conversions import add_derived, to_release
from ..gw.likelihood import sample_phase
from ..gw.matched_filter import find_trigger
from ..io.samples import Analysis, read_flow_samples, write_flow_samples, write_metafile
from ..npe import summary as summaries
from ..npe.analysis import ModelAnalysis
from ..npe.dataset import WaveformDataset
from ..runtime import rng as make_rng
from ..runtime import write_json

log = logging.getLogger(__name__)


def sample_posterior(model: str, network: str, waveforms: str, strain: list, psd: list, samples: str,
                     event: str, config: dict, threads: int = 1) -> dict:
    """Time proxies from a matched filter over the training waveforms, recentred on the
    flow's posterior; then the flow samples and their log densities."""
    import torch

    from ..core.devices import resolve_device
    from ..npe.model import TrainedModel

    torch.set_num_threads(max(1, threads))
    device = resolve_device(config["training"]["device"])
    npe = TrainedModel.load(model, psd, network, device)
    data = npe.whitened_data(strain)
    settings = config["inference"]
    t0 = time.time()
    # The bank: training waveforms, drawn from the prior (for precessing models their h+).
    bank = WaveformDataset.read(waveforms, settings["trigger_templates"])
    trigger = find_trigger(npe.simulator, data, bank.parameters, bank.plus_coefficients, bank.basis)
    torch.manual_seed(config["seed"])
    proxies = npe.recentre_proxies(data, trigger.times, settings["proxy_iterations"])
    trigger_seconds = time.time() - t0
    t0 = time.time()
    params, log_q = npe.sample(data, proxies, settings["n_samples"])
    seconds = time.time() - t0
    log.info("%d samples with log densities in %.2f s on %s", log_q.size, seconds, device)
    write_flow_samples(samples, {n: params[n] for n in npe.parameters}, log_q, {
        "sampling_seconds": seconds, "trigger_seconds": trigger_seconds, "model": str(model), "event": event,
        "proxies": proxies, "trigger_times": trigger.times, "trigger_snr": trigger.snr,
        "trigger_template": trigger.template, "config": config})
    return {"seconds": seconds, "trigger": trigger}


def importance_sample(samples: str, model: str, strain: list, psd: list, posterior: str, summary: str,
                      event: str, config: dict, threads: int = 1) -> dict:
    """The NPE result (flow samples inside the prior, reweighted from the training proposal
    to the prior) and, with ``inference.importance_sampling``, the flow samples reweighted
    with the exact likelihood (NPE-IS: efficiency, evidence); the posterior file and
    ``summary.json``."""
    analysis = ModelAnalysis.load(model, psd)
    data = analysis.whitened_data(strain)
    params, log_q, attrs = read_flow_samples(samples)
    proxies = json.loads(attrs["proxies"])
    settings = config["inference"]
    marginalized = bool(analysis.marginalized)
    full = analysis.with_fixed({n: params[n] for n in analysis.parameters})
    log_prior = analysis.log_prior(full)
    rng = make_rng(config["seed"], "importance_sample", event)
    # Flow samples outside the prior's support have zero posterior density: the NPE group
    # leaves them out (and says how many there were); importance sampling gives them weight 0.
    ok = np.isfinite(log_prior) & np.isfinite(log_q)
    result = {"sampling_seconds": float(attrs["sampling_seconds"]), "npe_fraction_outside_prior": float(1 - ok.mean())}
    npe = {k: v[ok] for k, v in full.items()}
    npe["log_proposal"] = log_q[ok]
    if analysis.has_proposal:
        # The flow estimates the posterior under the training proposal: reweight to the prior.
        r = analysis.prior_over_proposal(npe, log_prior[ok])
        idx = importance.resample(r / r.sum(), rng)
        result["npe_proposal_reweighting_efficiency"] = float(idx.size / r.size)
        npe = {k: v[idx] for k, v in npe.items()}
    if marginalized:
        npe["phase"] = rng.uniform(0, 2 * np.pi, npe["log_proposal"].size)   # NPE has no phase: prior draw
    groups = {"NPE": add_derived(npe)}
    sampler = {"NPE": {k: result[k] for k in result}}
    weighted = None
    if settings["importance_sampling"]:
        likelihood = analysis.likelihood(data)
        lnl = np.full(log_q.size, -np.inf)
        overlap = np.zeros(log_q.size, dtype=complex)
        t0 = time.time()
        lnl[ok], w_ok = likelihood.evaluate({k: v[ok] for k, v in full.items()}, threads)
        if marginalized:
            overlap[ok] = w_ok
        is_seconds = time.time() - t0
        ev = importance.weights_and_evidence(lnl, log_prior, log_q)
        noise_lnl = likelihood.noise_log_likelihood()
        log.info("importance sampling of %d samples in %.1f s: efficiency %.2f %%, ESS %.0f, ln Z = %.2f ± %.2f",
                 log_q.size, is_seconds, 100 * ev["sample_efficiency"], ev["effective_sample_size"],
                 ev["log_evidence"], ev["log_evidence_error"])
        weighted = dict(full, log_prior=log_prior, log_likelihood=lnl, log_proposal=log_q, weights=ev["weights"])
        # As many unweighted samples as the effective sample size, but at least two: a
        # one-row table is no table to pesummary (its reader unpacks length-1 datasets).
        idx = importance.resample(ev["weights"], rng, max(2, round(ev["effective_sample_size"])))
        resampled = {k: v[idx] for k, v in weighted.items() if k != "weights"}
        if marginalized:
            resampled["phase"] = sample_phase(overlap[idx], rng)
        groups["NPE-IS"] = add_derived(resampled)
        sampler["NPE-IS"] = {**{k: ev[k] for k in ("sample_efficiency", "effective_sample_size", "log_evidence",
                                                   "log_evidence_error", "n_samples")},
                             "log_noise_evidence": noise_lnl, "log_bayes_factor": ev["log_evidence"] - noise_lnl,
                             "importance_sampling_seconds": is_seconds, "threads": threads,
                             "n_prior_support": int(ok.sum())}
        result.update(sampler["NPE-IS"])
    trigger_time = analysis.simulator.trigger_time
    release = {label: to_release(s, trigger_time) for label, s in groups.items()}
    descriptions = {"NPE": "neural posterior estimate: flow samples inside the prior (reweighted from the "
                           "training proposal to the prior where they differ)",
                    "NPE-IS": "flow samples importance-sampled with the exact likelihood and resampled"}
    write_metafile(posterior, {
        label: Analysis(s, sampler[label], descriptions[label],
                        to_release(weighted, trigger_time) if label == "NPE-IS" else None)
        for label, s in release.items()}, {**analysis.config, **config, "event": event},
        analysis.release_psds(), analysis.release_settings(), analysis.simulator.waveform.approximant)
    boundary = settings["boundary_fraction"]
    out = {"event": event, "analyses": {g: summaries.to_release(summaries.summarise(s, analysis.prior, boundary),
                                                                trigger_time) for g, s in groups.items()},
           **result, "training_seconds": analysis.info["training"]["seconds"],
           "final_validation_loss": analysis.info["training"]["final_validation_loss"]}
    flagged = sorted({name for a in out["analyses"].values() for name, e in a.items() if e.get("at_prior_bound")})
    out["parameters_at_prior_bound"] = flagged
    if flagged:
        log.warning("posterior piles against the prior bound of %s: the event may lie outside the "
                    "training prior", ", ".join(flagged))
    out["time_proxies"] = proxies
    arrival = {g: analysis.simulator.arrival_times(s) for g, s in groups.items()}
    out["alignment_window_edge_fraction"], out["alignment_window_cut"] = summaries.window_flags(
        analysis.alignment, arrival, proxies, boundary)
    if out["alignment_window_cut"]:
        log.warning("posterior arrival times pile against the alignment window of %s: the matched-filter "
                    "proxies may be off; the posterior is cut there", ", ".join(out["alignment_window_cut"]))
    write_json(summary, out)
    return out

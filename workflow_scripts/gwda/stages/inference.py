"""Posterior stages (rules/inference.smk): flow samples for the event, then exact-likelihood
importance sampling, the posterior file and its summary."""

from __future__ import annotations

import json
import logging
import time

import numpy as np

from ..gw.conversions import to_release
from ..gw.matched_filter import find_trigger
from ..io.samples import Analysis, read_flow_samples, write_flow_samples, write_metafile
from ..npe import summary as summaries
from ..npe.analysis import ModelAnalysis
from ..npe.dataset import WaveformDataset
from ..npe.posterior import FlowSamples, importance_sampled, npe_result
from ..npe.proposal import Rebalancing, draw_to_target_ess
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
    columns, rebalancing = {}, {}
    rebalance = Rebalancing.from_settings(settings["rebalance"], npe.parameters)
    if settings["importance_sampling"] and (settings["target_ess"] or rebalance or settings["time_tails"]):
        target, cap = ((settings["target_ess"], settings["max_samples"]) if settings["target_ess"]
                       else (np.inf, settings["n_samples"]))
        rng = make_rng(config["seed"], "proposal", event)
        proposal = (npe.time_tails(data, proxies, settings["time_tails"], rng, settings["time_tails_reach"])
                    if settings["time_tails"] else None)
        draw = draw_to_target_ess(npe, data, proxies, settings["n_samples"], target, cap, threads,
                                  rebalance=rebalance, rng=rng, proposal=proposal)
        params, log_q, rebalancing = draw.params, draw.log_q, draw.rebalancing
        columns = {"log_likelihood": draw.log_likelihood, "overlap_real": draw.overlap.real,
                   "overlap_imag": draw.overlap.imag}
        if rebalance or settings["time_tails"]:
            # the network's own density on the event's proxies: the NPE result is resampled to it
            columns["log_flow_density"] = npe.log_prob(data, proxies, params)
    else:
        params, log_q = npe.sample(data, proxies, settings["n_samples"])
    seconds = time.time() - t0
    log.info("%d samples with log densities in %.2f s on %s", log_q.size, seconds, device)
    write_flow_samples(samples, {**{n: params[n] for n in npe.parameters}, **columns}, log_q, {
        "sampling_seconds": seconds, "trigger_seconds": trigger_seconds, "model": str(model), "event": event,
        "proxies": proxies, "trigger_times": trigger.times, "trigger_snr": trigger.snr,
        "trigger_template": trigger.template, "rebalancing": rebalancing, "config": config})
    return {"seconds": seconds, "trigger": trigger}


def importance_sample(samples: str, model: str, strain: list, psd: list, posterior: str, summary: str,
                      event: str, config: dict, threads: int = 1) -> dict:
    """The NPE result (flow samples inside the prior, reweighted from the training proposal
    to the prior) and, with ``inference.importance_sampling``, the flow samples reweighted
    with the exact likelihood (NPE-IS: efficiency, evidence); the posterior file and
    ``summary.json``."""
    analysis = ModelAnalysis.load(model, psd)
    params, log_q, attrs = read_flow_samples(samples)
    # ln L and overlaps already computed where sampling ran to a target ESS
    exact = ((params.pop("log_likelihood"), params.pop("overlap_real") + 1j * params.pop("overlap_imag"))
             if "log_likelihood" in params else None)
    log_flow = params.pop("log_flow_density", None)        # where the proposal was rebalanced
    flow = FlowSamples(analysis, params, log_q, log_flow)
    rng = make_rng(config["seed"], "importance_sample", event)
    posteriors = {"NPE": npe_result(flow, rng)}
    posteriors["NPE"].sampler["sampling_seconds"] = float(attrs["sampling_seconds"])
    if config["inference"]["importance_sampling"]:
        posteriors["NPE-IS"] = importance_sampled(flow, analysis.whitened_data(strain), rng, threads, exact)
    trigger_time = analysis.simulator.trigger_time
    write_metafile(posterior, {
        label: Analysis(to_release(p.samples, trigger_time), p.sampler, DESCRIPTIONS[label],
                        to_release(p.weighted, trigger_time) if p.weighted is not None else None)
        for label, p in posteriors.items()}, {**analysis.config, **config, "event": event},
        analysis.release_psds(), analysis.release_settings(), analysis.simulator.waveform.approximant)
    out = {"event": event, **{k: v for p in posteriors.values() for k, v in p.sampler.items()},
           "training_seconds": analysis.info["training"]["seconds"],
           "final_validation_loss": analysis.info["training"]["final_validation_loss"]}
    rebalancing = json.loads(attrs.get("rebalancing", "{}"))
    if rebalancing:
        out["rebalancing"] = rebalancing
    out.update(summaries.event_summary(analysis, {g: p.samples for g, p in posteriors.items()},
                                       json.loads(attrs["proxies"]), config["inference"]["boundary_fraction"]))
    write_json(summary, out)
    return out


DESCRIPTIONS = {"NPE": "neural posterior estimate: flow samples inside the prior (reweighted from the training "
                       "proposal to the prior where they differ)",
                "NPE-IS": "flow samples importance-sampled with the exact likelihood and resampled"}

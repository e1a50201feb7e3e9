"""The P–P coverage test of the trained model on injections (rule pp_test); the statistics
live in :mod:`gwda.coverage`."""

from __future__ import annotations

import csv
import logging
import time

import numpy as np
import torch

from . import importance
from .coverage import credible_levels, pp_statistics
from .diagnostic_plots import pp_figure
from .flows import load_model, resolve_device
from .event_analysis import (check_model_matches, make_alignment, make_prior, make_simulator, model_config,
                             phase_marginalized, training_prior, with_fixed)
from .npe_stage import exact_log_likelihood, flow_coordinates, posterior_samples
from .runtime import atomic_output, write_json
from .runtime import rng as make_rng

log = logging.getLogger(__name__)


def pp_test(model_path, psd_paths: list, output, levels_csv, figure, event: str, trigger_time: float,
            config: dict, threads: int = 1) -> dict:
    """Injections drawn from the prior into simulated Gaussian noise with the event's PSDs,
    each analysed by the model with time proxies drawn from the training kernel around the
    true arrival times (flow samples reweighted by prior / training proposal, as the NPE
    result is); credible levels, KS and combined p-values, the P–P figure.
    With ``validation.pp_importance_sampling`` each injection is also reweighted with the
    exact likelihood (efficiency distribution and IS credible levels)."""
    torch.set_num_threads(max(1, threads))
    settings = config["validation"]
    device = resolve_device(config["training"]["device"])
    model, metadata = load_model(model_path, device)
    mconfig = model_config(config, metadata)
    sim = make_simulator(psd_paths, trigger_time, mconfig)
    check_model_matches(metadata, sim, model_path)
    prior, proposal, alignment = make_prior(mconfig), training_prior(mconfig), make_alignment(mconfig, sim.ifos)
    coordinates = flow_coordinates(model, sim, alignment, mconfig, metadata, model_path)
    names = metadata["parameters"]
    marginalized = phase_marginalized(prior, names)
    rng = make_rng(config["seed"], "pp_test", event)
    torch.manual_seed(config["seed"])
    n = settings["pp_injections"]
    truths = prior.sample(rng, n)
    t0 = time.time()
    signals, noise = sim.signal(truths), sim.noise(n, rng)
    proxies = alignment.draw_proxies(sim.arrival_times(truths), rng)
    snr = np.sqrt(sum(rho ** 2 for rho in sim.optimal_snr(signals).values()))
    levels = {k: np.empty(n) for k in names}
    is_levels = {k: np.empty(n) for k in names}
    efficiency = np.full(n, np.nan)
    for i in range(n):
        data = {ifo: signals[ifo][i] + noise[ifo][i] for ifo in sim.ifos}
        truth = {k: float(truths[k][i]) for k in names}
        samples, log_q = posterior_samples(model, coordinates, data, {k: float(v[i]) for k, v in proxies.items()},
                                           settings["pp_samples"])
        valid = np.isfinite(log_q)            # inside the flow coordinates' one-to-one range
        samples, log_q = {k: v[valid] for k, v in samples.items()}, log_q[valid]
        full = with_fixed(prior, samples)
        log_prior = prior.log_prob(full, marginalized=marginalized)
        ok = np.isfinite(log_prior)
        # The NPE result: flow samples inside the prior, reweighted from the training proposal.
        log_r = np.where(ok, log_prior - proposal.log_prob(full, marginalized=marginalized), -np.inf)
        r = np.exp(log_r - log_r.max())
        for k, v in credible_levels(samples, truth, r).items():
            levels[k][i] = v
        if settings["pp_importance_sampling"]:
            lnl = np.full(log_q.size, -np.inf)
            lnl[ok] = exact_log_likelihood(sim, {k: v[ok] for k, v in full.items()}, data, bool(marginalized),
                                           threads)[0]
            ev = importance.weights_and_evidence(lnl, log_prior, log_q)
            efficiency[i] = ev["sample_efficiency"]
            for k, v in credible_levels(samples, truth, ev["weights"]).items():
                is_levels[k][i] = v
    seconds = time.time() - t0
    result = {"event": event, **pp_statistics(levels), "parameters": names, "samples_per_injection":
              settings["pp_samples"], "proxies": "drawn from the training kernel around the true arrival times",
              "network_snr": {"median": float(np.median(snr)), "min": float(snr.min()), "max": float(snr.max())},
              "seconds": seconds}
    if settings["pp_importance_sampling"]:
        result["importance_sampling"] = {
            **pp_statistics(is_levels),
            "sample_efficiency": {"median": float(np.nanmedian(efficiency)),
                                  "p10": float(np.nanpercentile(efficiency, 10)),
                                  "p90": float(np.nanpercentile(efficiency, 90))}}
    log.info("P-P test of %d injections in %.0f s: combined p-value %.3f (%s)", n, seconds,
             result["combined_pvalue"], ", ".join(f"{k} {v:.2f}" for k, v in result["pvalues"].items()))
    write_json(output, result)
    with atomic_output(levels_csv) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["injection", "network_snr"] + [f"level_{k}" for k in names] + [f"true_{k}" for k in names])
        for i in range(n):
            writer.writerow([i, f"{snr[i]:.4f}"] + [f"{levels[k][i]:.5f}" for k in names]
                            + [f"{truths[k][i]:.8g}" for k in names])
    pp_figure(levels, result["pvalues"], result["combined_pvalue"], f"{event}: P–P test of the NPE", figure)
    return result

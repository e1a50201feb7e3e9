"""A trained model on injections: signals drawn from its prior into Gaussian noise with the
event's PSDs, each analysed with time proxies drawn from the training kernel around the true
arrival times (so that the flow itself is tested; the matched filter only places the event's
windows). The P–P test's credible levels, and the same analysis of one injection as it is and
with a glitch added (the robustness test)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import importance
from ..core.coverage import credible_levels, standardised_offset
from .posterior import FlowSamples, exact_weights
from .proposal import draw_to_target_ess

#: Parameters whose offset from the truth (posterior median − truth, in posterior standard
#: deviations) the robustness test reports.
BIASED = ("chirp_mass", "mass_ratio", "luminosity_distance", "ra", "dec")


@dataclass
class Injections:
    """``n`` injections of a model: true parameters, whitened signals and noise per detector,
    arrival times, the proxies drawn around them, the network optimal SNRs."""
    truths: dict[str, np.ndarray]
    signals: dict[str, np.ndarray]
    noise: dict[str, np.ndarray]
    arrival: dict[str, np.ndarray]
    proxies: dict[str, np.ndarray]
    snr: np.ndarray

    @classmethod
    def draw(cls, npe, n: int, rng: np.random.Generator) -> Injections:
        sim = npe.simulator
        truths = npe.prior.sample(rng, n)
        signals, noise = sim.signal(truths), sim.noise(n, rng)
        arrival = sim.arrival_times(truths)
        proxies = npe.alignment.draw_proxies(arrival, rng)
        snr = np.sqrt(sum(rho ** 2 for rho in sim.optimal_snr(signals).values()))
        return cls(truths, signals, noise, arrival, proxies, snr)

    def __len__(self) -> int:
        return self.snr.size

    def data(self, i: int) -> dict[str, np.ndarray]:
        return {ifo: self.signals[ifo][i] + self.noise[ifo][i] for ifo in self.signals}

    def truth(self, i: int, names: list[str]) -> dict[str, float]:
        return {k: float(self.truths[k][i]) for k in names}

    def proxies_of(self, i: int) -> dict[str, float]:
        return {k: float(v[i]) for k, v in self.proxies.items()}


def pp_levels(npe, injections: Injections, samples: int, importance_sampling: bool, target_ess: float | None,
              max_samples: int, threads: int = 1) -> dict:
    """Credible levels of every parameter of every injection: ``npe`` (the flow samples inside
    the prior, reweighted by prior / training proposal, as the NPE result is) and, with
    ``importance_sampling``, ``is`` (reweighted with the exact likelihood; drawn in batches of
    ``samples`` up to ``target_ess`` where one is given) with each injection's efficiency and ESS."""
    names, n = npe.parameters, len(injections)
    out = {"npe": {k: np.empty(n) for k in names}, "is": {k: np.empty(n) for k in names},
           "efficiency": np.full(n, np.nan), "ess": np.full(n, np.nan)}
    for i in range(n):
        data, truth, proxies = injections.data(i), injections.truth(i, names), injections.proxies_of(i)
        params, log_q = npe.sample(data, proxies, samples)
        valid = np.isfinite(log_q)            # inside the flow coordinates' one-to-one range
        flow = FlowSamples(npe, {k: v[valid] for k, v in params.items()}, log_q[valid])
        for k, v in credible_levels(flow.full, truth, npe.prior_over_proposal(flow.full, flow.log_prior)).items():
            out["npe"][k][i] = v
        if not importance_sampling:
            continue
        if target_ess:
            draw = draw_to_target_ess(npe, data, proxies, samples, target_ess, max_samples, threads,
                                      first=(params, log_q))
            weighted = FlowSamples(npe, draw.params, draw.log_q)
            ev = importance.weights_and_evidence(draw.log_likelihood, weighted.log_prior, draw.log_q)
        else:
            weighted = flow
            ev = exact_weights(flow, npe.likelihood(data), threads)[2]
        out["efficiency"][i], out["ess"][i] = ev["sample_efficiency"], ev["effective_sample_size"]
        for k, v in credible_levels(weighted.full, truth, ev["weights"]).items():
            out["is"][k][i] = v
    return out


def analyse(npe, data: dict, truth: dict, proxies: dict, n: int, seed: int, with_is: bool, threads: int = 1) -> dict:
    """One injection's NPE credible levels and standardised offsets of :data:`BIASED`, and its
    importance-sampling efficiency (``with_is``). The flow draws are seeded, so that the same
    injection analysed with and without a glitch differs by the glitch alone."""
    import torch

    torch.manual_seed(seed)
    samples, log_q = npe.sample(data, proxies, n)
    valid = np.isfinite(log_q)
    flow = FlowSamples(npe, {k: v[valid] for k, v in samples.items()}, log_q[valid])
    weights = npe.prior_over_proposal(flow.full, flow.log_prior)
    out = {"levels": credible_levels(flow.full, truth, weights),
           "bias": {k: standardised_offset(flow.full[k], truth[k], weights, 2 * np.pi if k == "ra" else None)
                    for k in BIASED if k in flow.full}, "efficiency": np.nan}
    if with_is:
        out["efficiency"] = exact_weights(flow, npe.likelihood(data), threads)[2]["sample_efficiency"]
    return out

"""The event's posterior from the flow's samples: the NPE result, and the same samples
importance-sampled with the exact likelihood (NPE-IS)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from ..core import importance
from ..gw.conversions import add_derived
from ..gw.likelihood import GaussianLikelihood, sample_phase
from .analysis import ModelAnalysis

log = logging.getLogger(__name__)


@dataclass
class Posterior:
    samples: dict[str, np.ndarray]      # unweighted, physical parameters and derived ones
    sampler: dict = field(default_factory=dict)   # statistics of how they were obtained
    weighted: dict[str, np.ndarray] | None = None  # every flow sample with its weight (NPE-IS)


class FlowSamples:
    """Flow samples of the event (physical parameters, ln q) with what the model's prior
    says of them. Samples outside the prior's support have zero posterior density: the NPE
    result leaves them out; importance sampling gives them weight 0. ``log_q``: the density
    of the proposal the samples follow; ``log_flow``: the flow's, where that differs (a
    rebalanced proposal, :func:`gwda.npe.proposal.draw_to_target_ess`)."""

    def __init__(self, analysis: ModelAnalysis, params: dict[str, np.ndarray], log_q: np.ndarray,
                 log_flow: np.ndarray | None = None):
        self.analysis, self.log_flow = analysis, log_flow
        self.full = analysis.with_fixed({n: params[n] for n in analysis.parameters})
        self.log_q = log_q
        self.log_prior = analysis.log_prior(self.full)
        self.ok = np.isfinite(self.log_prior) & np.isfinite(log_q)


def npe_result(flow: FlowSamples, rng: np.random.Generator) -> Posterior:
    """The flow samples inside the prior, resampled from the training proposal to the prior
    where they differ (and from a rebalanced proposal to the flow); the phase (marginalised,
    not inferred) drawn from its prior."""
    analysis, ok = flow.analysis, flow.ok
    sampler = {"npe_fraction_outside_prior": float(1 - ok.mean())}
    samples = {k: v[ok] for k, v in flow.full.items()}
    samples["log_proposal"] = flow.log_q[ok] if flow.log_flow is None else flow.log_flow[ok]
    if analysis.has_proposal or flow.log_flow is not None:
        r = (analysis.prior_over_proposal(samples, flow.log_prior[ok]) if analysis.has_proposal
             else np.ones(ok.sum()))
        if flow.log_flow is not None:
            log_r = flow.log_flow[ok] - flow.log_q[ok]
            r = r * np.exp(log_r - log_r.max())
        idx = importance.resample(r / r.sum(), rng)
        sampler["npe_proposal_reweighting_efficiency"] = float(idx.size / r.size)
        samples = {k: v[idx] for k, v in samples.items()}
    if analysis.marginalized:
        samples["phase"] = rng.uniform(0, 2 * np.pi, samples["log_proposal"].size)
    return Posterior(add_derived(samples), sampler)


def exact_weights(flow: FlowSamples, likelihood: GaussianLikelihood, threads: int = 1):
    """(ln L, w, importance weights and evidence) of the flow samples: the exact likelihood
    where the prior supports them (-inf elsewhere), w = Σ conj(d) h0 where the phase is
    marginalised (zero elsewhere; it gives φ's conditional, :func:`sample_phase`)."""
    ok = flow.ok
    lnl = np.full(flow.log_q.size, -np.inf)
    overlap = np.zeros(flow.log_q.size, dtype=complex)
    if ok.any():
        lnl[ok], overlap_ok = likelihood.evaluate({k: v[ok] for k, v in flow.full.items()}, threads)
        if likelihood.marginalize_phase:
            overlap[ok] = overlap_ok
    return lnl, overlap, importance.weights_and_evidence(lnl, flow.log_prior, flow.log_q)


def importance_sampled(flow: FlowSamples, data: dict[str, np.ndarray], rng: np.random.Generator,
                       threads: int = 1, exact: tuple[np.ndarray, np.ndarray] | None = None) -> Posterior:
    """The flow samples reweighted with the exact likelihood of whitened ``data`` and the
    prior: weights, evidence, efficiency, and an unweighted resample whose phase (where it
    is marginalised) is drawn from its conditional posterior. ``exact``: the samples' ln L
    and overlaps where already computed (:func:`gwda.npe.proposal.draw_to_target_ess`)."""
    likelihood = flow.analysis.likelihood(data)
    t0 = time.time()
    if exact is None:
        lnl, overlap, ev = exact_weights(flow, likelihood, threads)
    else:
        lnl, overlap = exact
        ev = importance.weights_and_evidence(lnl, flow.log_prior, flow.log_q)
    seconds = time.time() - t0
    noise_lnl = likelihood.noise_log_likelihood()
    log.info("importance sampling of %d samples in %.1f s: efficiency %.2f %%, ESS %.0f, ln Z = %.2f ± %.2f",
             flow.log_q.size, seconds, 100 * ev["sample_efficiency"], ev["effective_sample_size"],
             ev["log_evidence"], ev["log_evidence_error"])
    weighted = dict(flow.full, log_prior=flow.log_prior, log_likelihood=lnl, log_proposal=flow.log_q,
                    weights=ev["weights"])
    # As many unweighted samples as the effective sample size, but at least two: a one-row
    # table is no table to pesummary (its reader unpacks length-1 datasets).
    idx = importance.resample(ev["weights"], rng, max(2, round(ev["effective_sample_size"])))
    resampled = {k: v[idx] for k, v in weighted.items() if k != "weights"}
    if likelihood.marginalize_phase:
        resampled["phase"] = sample_phase(overlap[idx], rng)
    sampler = {**{k: ev[k] for k in ("sample_efficiency", "effective_sample_size", "log_evidence",
                                     "log_evidence_error", "n_samples")},
               "log_noise_evidence": noise_lnl, "log_bayes_factor": ev["log_evidence"] - noise_lnl,
               "importance_sampling_seconds": seconds, "threads": threads, "n_prior_support": int(flow.ok.sum())}
    return Posterior(add_derived(resampled), sampler, weighted)

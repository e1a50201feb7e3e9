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
    result leaves them out; importance sampling gives them weight 0."""

    def __init__(self, analysis: ModelAnalysis, params: dict[str, np.ndarray], log_q: np.ndarray):
        self.analysis = analysis
        self.full = analysis.with_fixed({n: params[n] for n in analysis.parameters})
        self.log_q = log_q
        self.log_prior = analysis.log_prior(self.full)
        self.ok = np.isfinite(self.log_prior) & np.isfinite(log_q)


def npe_result(flow: FlowSamples, rng: np.random.Generator) -> Posterior:
    """The flow samples inside the prior, resampled from the training proposal to the prior
    where they differ; the phase (marginalised, not inferred) drawn from its prior."""
    analysis, ok = flow.analysis, flow.ok
    sampler = {"npe_fraction_outside_prior": float(1 - ok.mean())}
    samples = {k: v[ok] for k, v in flow.full.items()}
    samples["log_proposal"] = flow.log_q[ok]
    if analysis.has_proposal:
        r = analysis.prior_over_proposal(samples, flow.log_prior[ok])
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


def draw_to_target_ess(npe, data: dict[str, np.ndarray], proxies: dict, batch: int, target: float, cap: int,
                       threads: int = 1, first: tuple[dict, np.ndarray] | None = None
                       ) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """Flow samples drawn in batches of ``batch`` until their importance-sampling effective
    sample size reaches ``target`` or ``cap`` samples are drawn: (parameters, ln q, exact
    ln L, overlap w as in :func:`exact_weights`). ``first``: a batch (parameters, ln q)
    already drawn for these data and proxies, used as the first."""
    likelihood = npe.likelihood(data)
    parts = []
    while True:
        if first is not None:
            (params, log_q), first = first, None
        else:
            params, log_q = npe.sample(data, proxies, min(batch, cap - sum(p[1].size for p in parts)))
        flow = FlowSamples(npe, params, log_q)
        lnl, overlap, _ = exact_weights(flow, likelihood, threads)
        parts.append((params, log_q, lnl, overlap, flow.log_prior))
        params, log_q, lnl, overlap, log_prior = (
            {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]},
            *(np.concatenate([p[i] for p in parts]) for i in (1, 2, 3, 4)))
        ev = importance.weights_and_evidence(lnl, log_prior, log_q)
        log.debug("%d flow samples: ESS %.0f (target %.0f), efficiency %.2f %%", log_q.size,
                 ev["effective_sample_size"], target, 100 * ev["sample_efficiency"])
        if ev["effective_sample_size"] >= target or log_q.size >= cap:
            return params, log_q, lnl, overlap


def importance_sampled(flow: FlowSamples, data: dict[str, np.ndarray], rng: np.random.Generator,
                       threads: int = 1, exact: tuple[np.ndarray, np.ndarray] | None = None) -> Posterior:
    """The flow samples reweighted with the exact likelihood of whitened ``data`` and the
    prior: weights, evidence, efficiency, and an unweighted resample whose phase (where it
    is marginalised) is drawn from its conditional posterior. ``exact``: the samples' ln L
    and overlaps where already computed (:func:`draw_to_target_ess`)."""
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

"""Importance sampling of a proposal (the flow) with the exact likelihood.

With proposal density q(θ), prior π(θ) and likelihood L(θ), the weights are
w_i = L(θ_i) π(θ_i) / q(θ_i). The evidence estimate is Z = mean(w) with standard error
from the sample variance, ln Z ± σ_Z / Z; the effective sample size is
ESS = (Σw)² / Σw², and the sample efficiency is ESS / N.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp


def weights_and_evidence(log_likelihood: np.ndarray, log_prior: np.ndarray, log_proposal: np.ndarray) -> dict:
    log_w = log_likelihood + log_prior - log_proposal
    log_w = np.where(np.isfinite(log_w), log_w, -np.inf)
    n = log_w.size
    if not np.isfinite(log_w).any():        # no sample where the prior and likelihood live
        return {"log_weights": log_w, "weights": np.zeros(n), "log_evidence": -np.inf, "log_evidence_error": np.inf,
                "effective_sample_size": 0.0, "sample_efficiency": 0.0, "n_samples": int(n)}
    log_z = logsumexp(log_w) - np.log(n)
    w = np.exp(log_w - log_w.max())
    ess = w.sum() ** 2 / np.sum(w**2)
    # standard error of the mean of w, relative to the mean
    rel = np.exp(log_w - log_z)
    log_z_err = float(np.sqrt(np.var(rel) / n))
    return {"log_weights": log_w, "weights": w / w.sum(), "log_evidence": float(log_z),
            "log_evidence_error": log_z_err, "effective_sample_size": float(ess),
            "sample_efficiency": float(ess / n), "n_samples": int(n)}


def resample(weights: np.ndarray, rng: np.random.Generator, n: int | None = None) -> np.ndarray:
    """Indices of an unweighted set: systematic resampling of ``weights`` (n = ESS by default)."""
    n = int(n if n is not None else max(1, round(weights.sum() ** 2 / np.sum(weights**2))))
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights), positions), weights.size - 1)


class Cells:
    """A partition of parameter space into cells: each named parameter cut into bins at
    ``edges`` (interior edges, increasing); a sample's cell is its bin tuple, numbered."""

    def __init__(self, edges: dict[str, np.ndarray]):
        self.edges = {k: np.asarray(v, dtype=float) for k, v in edges.items()}
        self.shape = tuple(e.size + 1 for e in self.edges.values())

    @classmethod
    def equal_width(cls, bounds: dict[str, tuple[float, float]], bins: dict[str, int]) -> Cells:
        """``bins[k]`` bins of equal width across ``bounds[k]`` for each parameter k."""
        return cls({k: np.linspace(*bounds[k], b + 1)[1:-1] for k, b in bins.items()})

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def label(self, samples: dict[str, np.ndarray]) -> np.ndarray:
        index = [np.searchsorted(e, samples[k]) for k, e in self.edges.items()]
        return np.ravel_multi_index(index, self.shape) if index else np.zeros(len(next(iter(samples.values()))), int)


class Tilt(NamedTuple):
    """A factor c(θ) that multiplies a proposal q, constant on bins: with b_j(θ) the bin of
    θ in dimension j (a parameter's bins, or numbered cells of several parameters),
    c(θ) = min((1 - λ) exp Σ_j f_j[b_j(θ)] + λ, c_max). q'(θ) = c(θ) q(θ) / E_q[c] is a
    proposal whose density is known wherever q's is; λ = ``defensive`` keeps a share of q
    everywhere, and c_max bounds the flow draws each sample of q' costs by rejection."""
    log_f: dict[str, np.ndarray]
    defensive: float
    max_factor: float = np.inf

    def __call__(self, labels: dict[str, np.ndarray]) -> np.ndarray:
        log_c = sum(self.log_f[k][labels[k]] for k in self.log_f)
        return np.minimum((1 - self.defensive) * np.exp(log_c) + self.defensive, self.max_factor)

    @property
    def maximum(self) -> float:
        top = float(np.exp(sum(f.max() for f in self.log_f.values())))
        return min((1 - self.defensive) * top + self.defensive, self.max_factor)


def fit_tilt(labels: dict[str, np.ndarray], log_w: np.ndarray, reference: dict[str, np.ndarray],
             sizes: dict[str, int], defensive: float, max_factor: float = np.inf, iterations: int = 20) -> Tilt:
    """The tilt (:class:`Tilt`) under which q's marginal over every dimension's bins is the
    posterior's, as the importance weights ``log_w`` of samples with bin labels ``labels``
    estimate it; q's own mass is that of its draws' labels ``reference``. Fitted by iterative
    proportional fitting (exact in one step for one dimension: f[k] = P_k / Q_k, the
    posterior's share of bin k over q's), then mixed with λ = ``defensive`` of q, so that
    each bin's share of the new proposal is (1 - λ) P_k + λ Q_k where one dimension alone is
    tilted. exp Σ_j f_j has mean 1 under q; bins without q mass keep f = 0."""
    f = {k: np.zeros(n) for k, n in sizes.items()}
    finite = np.isfinite(log_w)
    if not finite.any():
        return Tilt(f, defensive, max_factor)
    w = np.exp(log_w[finite] - log_w[finite].max())
    target = {k: np.bincount(labels[k][finite], weights=w, minlength=n) / w.sum() for k, n in sizes.items()}
    log_c = np.zeros(len(next(iter(reference.values()))))
    for _ in range(iterations if len(sizes) > 1 else 1):
        largest = 0.0
        for k, n in sizes.items():
            c = np.exp(log_c - log_c.max())
            mass = np.bincount(reference[k], weights=c, minlength=n) / c.sum()
            with np.errstate(divide="ignore"):
                step = np.where(mass > 0, np.log(target[k]) - np.log(np.where(mass > 0, mass, 1.0)), 0.0)
            f[k] += step
            log_c += step[reference[k]]
            largest = max(largest, float(np.max(np.abs(step[np.isfinite(step)]), initial=0.0)))
        if largest < 1e-3:
            break
    first = next(iter(f))
    f[first] -= logsumexp(log_c) - np.log(log_c.size)
    return Tilt(f, defensive, max_factor)

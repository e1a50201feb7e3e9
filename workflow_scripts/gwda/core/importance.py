"""Importance sampling of a proposal (the flow) with the exact likelihood.

With proposal density q(θ), prior π(θ) and likelihood L(θ), the weights are
w_i = L(θ_i) π(θ_i) / q(θ_i). The evidence estimate is Z = mean(w) with standard error
from the sample variance, ln Z ± σ_Z / Z; the effective sample size is
ESS = (Σw)² / Σw², and the sample efficiency is ESS / N.
"""

from __future__ import annotations

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


def rebalancing_factors(cells: np.ndarray, log_w: np.ndarray, size: int, defensive: float,
                        mass: np.ndarray | None = None) -> np.ndarray:
    """Per cell, the factor c_k by which a proposal q is to be multiplied on cell k so that
    each cell carries the share of the proposal mass that importance sampling says it
    carries of the posterior: c_k ∝ [(1 - λ) P_k + λ Q_k] / Q_k, with P_k the share of the
    weights (``log_w``) of the samples in cell k (cell indices ``cells``), Q_k q's mass in
    cell k (``mass``; by default the share of the samples there, as for samples of q) and
    λ = ``defensive`` the part left as q. Normalised so that Σ_k c_k Q_k = 1; cells without
    mass keep c = 1."""
    finite = np.isfinite(log_w)
    mass = np.bincount(cells, minlength=size) / cells.size if mass is None else np.asarray(mass, dtype=float)
    if not finite.any():
        return np.ones(size)
    w = np.exp(log_w[finite] - log_w[finite].max())
    share = np.bincount(cells[finite], weights=w, minlength=size) / w.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(mass > 0, ((1 - defensive) * share + defensive * mass) / mass, 1.0)
    return c / np.sum(c * mass) if np.sum(c * mass) > 0 else np.ones(size)

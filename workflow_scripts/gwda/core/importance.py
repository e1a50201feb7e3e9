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

"""Coverage (P–P) test of a posterior estimator on injections drawn from its prior.

For injection i and parameter p the credible level is the fraction of posterior samples below
the true value. For a calibrated estimator the levels of each parameter are uniform on [0, 1]:
each is compared with U(0, 1) by a Kolmogorov–Smirnov test, and the per-parameter p-values
are combined with Fisher's method (as bilby's ``make_pp_plot``). The P–P curve of a
parameter is the empirical CDF of its levels; the band around the diagonal at confidence c is
the central c interval of Binomial(N, x) / N at each x.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

BAND_CONFIDENCES = (0.68, 0.95, 0.997)       # 1σ, 2σ, 3σ


def credible_levels(samples: dict[str, np.ndarray], truth: dict[str, float],
                    weights: np.ndarray | None = None) -> dict[str, float]:
    """(Weighted) fraction of each parameter's posterior samples below the true value."""
    n = len(next(iter(samples.values())))
    w = np.full(n, 1.0 / n) if weights is None else np.asarray(weights) / np.sum(weights)
    return {k: float(np.sum(w[np.asarray(samples[k]) < truth[k]])) for k in truth}


def interval_coverage(levels: np.ndarray, width: float = 0.9) -> float:
    """Fraction of injections whose truth lies in the central ``width`` credible interval."""
    levels = np.asarray(levels)
    return float(np.mean((levels >= 0.5 * (1 - width)) & (levels <= 0.5 * (1 + width))))


def standardised_offset(samples: np.ndarray, truth: float, weights: np.ndarray | None = None,
                        period: float | None = None) -> float:
    """(Weighted) posterior median minus the truth, in units of the posterior standard
    deviation; for a periodic parameter the differences are wrapped into ±period/2 first."""
    d = np.asarray(samples, dtype=float) - truth
    if period is not None:
        d = (d + 0.5 * period) % period - 0.5 * period
    w = np.full(d.size, 1.0 / d.size) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    order = np.argsort(d)
    median = d[order][np.searchsorted(np.cumsum(w[order]), 0.5)]
    mean = np.sum(w * d)
    return float(median / np.sqrt(np.sum(w * (d - mean) ** 2)))


def pp_statistics(levels: dict[str, np.ndarray]) -> dict:
    """KS p-value per parameter against U(0, 1) and Fisher's combined p-value."""
    pvalues = {k: float(stats.kstest(np.asarray(v), "uniform").pvalue) for k, v in levels.items()}
    combined = stats.combine_pvalues(list(pvalues.values()), method="fisher").pvalue
    n = len(next(iter(levels.values())))
    return {"pvalues": pvalues, "combined_pvalue": float(combined), "n_injections": int(n)}


def pp_curve(levels: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Empirical CDF of credible levels on ``grid``."""
    levels = np.sort(np.asarray(levels))
    return np.searchsorted(levels, grid, side="right") / levels.size


def binomial_band(n: int, grid: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Central ``confidence`` interval of the P–P curve of a calibrated estimator."""
    lo = stats.binom.ppf(0.5 * (1 - confidence), n, grid) / n
    hi = stats.binom.ppf(0.5 * (1 + confidence), n, grid) / n
    return lo, hi

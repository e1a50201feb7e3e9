"""Whether generated bursts follow their conditions: each burst against the formula at the
parameters it was conditioned on (:func:`gwda.glitches.families.quadratures`), and the
statistics of a generated set that a nearest-neighbour match or a classifier cannot see.

* ``one_to_one``: the match of each burst with its own formula, maximised over the phase
  (exactly: the best burst of a phase is the projection onto the span of the formula's two
  quadratures), at the conditioned peak time and over time shifts of ±``max_shift``; the shift
  that maximises it is the peak-time residual.
* ``frequency_tracking``: the central frequency measured on each burst against the one
  measured the same way on its formula, per bin of the conditioned f0: the slope of one on
  the other and the scatter about it.
* ``lattice_z``: the Rayleigh statistic z = n R² of peak times folded modulo P samples, for
  P = 2…40, less the folded mean of the positions asked for: a generator whose upsampling
  leaves a comb of preferred positions shows z ≫ 1 at the comb's period; peaks where they
  were asked to be give z of order 1 (0 without the sample grid), uniform ones independent of
  the request z ≈ 2 Exp(1) per period, so the largest of 39 periods exceeds 2 ln(39/α) with
  probability α (16.5 for 1 %).
* ``spectrum_ratio``: the class's mean power spectrum, generated over real, wherever the real
  one holds at least ``floor`` of its peak.

The inner product is the real one of whitened in-band bins (:meth:`FrequencyDomain.whitened_band`),
so matches are those of white noise, the bursts' convention.
"""

from __future__ import annotations

import numpy as np

from ..gw.domain import FrequencyDomain
from . import families, features

#: Periods (in samples of the series given) of the lattice scan.
LATTICE_PERIODS = tuple(range(2, 41))


def one_to_one(bursts: np.ndarray, q0: np.ndarray, q1: np.ndarray | None, domain: FrequencyDomain,
               max_shift: float = 0.002, oversample: int = 16) -> dict[str, np.ndarray]:
    """For each row of ``bursts``, its match with the formula's quadratures ``q0``, ``q1``
    (rows; ``q1`` None for a formula without phase) at zero shift (``match``), its largest
    match over shifts within ±``max_shift`` s on a grid of 1/(``oversample`` × rate)
    (``match_shifted``), that shift (``peak_residual``, s; positive: the burst is late), and the
    formula at the burst's best phase there, unshifted (``best_fit``, rows)."""
    g = domain.whitened_band(np.atleast_2d(bursts))
    quads = [domain.whitened_band(np.atleast_2d(q)) for q in (q0, q1) if q is not None]
    step = 1.0 / (oversample * domain.sample_rate)
    shifts = np.arange(-round(max_shift / step), round(max_shift / step) + 1) * step
    ramp = np.exp(2j * np.pi * np.outer(domain.frequencies[domain.mask], shifts))
    # ⟨g, q shifted by τ⟩ = Re Σ g q* e^{2πifτ}, one column per τ; the Gram matrix of the
    # quadratures does not depend on τ.
    overlaps = np.stack([((g * q.conj()) @ ramp).real for q in quads], axis=1)        # (n, k, shifts)
    gram = np.einsum("nif,njf->nij", np.stack(quads, 1), np.stack(quads, 1).conj()).real
    inverse = np.linalg.inv(gram)
    projected = np.einsum("nis,nij,njs->ns", overlaps, inverse, overlaps)
    if len(quads) == 1:       # no phase to maximise over: the sign of the overlap counts
        projected = np.sign(overlaps[:, 0]) * projected
    norm = np.sum(np.abs(g) ** 2, axis=-1)
    match = np.sign(projected) * np.sqrt(np.abs(projected) / norm[:, None])
    centre = shifts.size // 2
    best = np.argmax(match, axis=1)
    weights = np.einsum("nij,nj->ni", inverse, overlaps[np.arange(len(g)), :, best])
    best_fit = sum(w[:, None] * np.atleast_2d(q) for w, q in zip(weights.T, (q0, q1)) if q is not None)
    return {"match": match[:, centre], "match_shifted": match[np.arange(len(g)), best],
            "peak_residual": shifts[best], "best_fit": best_fit}


def frequency_tracking(bursts: np.ndarray, formulas: np.ndarray, conditioned_f0: np.ndarray,
                       domain: FrequencyDomain, bin_width: float = 20.0, min_bursts: int = 10) -> list[dict]:
    """Per bin of ``conditioned_f0`` (equal bins about ``bin_width`` Hz wide spanning its
    range, each with at least ``min_bursts``): the least-squares slope of the central
    frequency measured on ``bursts`` against that measured on their ``formulas`` (at each
    burst's best phase: a ringdown's abrupt onset makes its spectrum depend on the phase), its
    standard error, and the RMS difference of the two (Hz)."""
    measured = features.measure(bursts, domain)["central_frequency"]
    expected = features.measure(formulas, domain)["central_frequency"]
    f = np.asarray(conditioned_f0, dtype=float)
    edges = np.linspace(f.min(), f.max(), max(1, round((f.max() - f.min()) / bin_width)) + 1)
    which = np.clip(np.searchsorted(edges, f, side="right") - 1, 0, edges.size - 2)
    rows = []
    for b in range(edges.size - 1):
        inside = which == b
        if inside.sum() < min_bursts:
            continue
        x, y = expected[inside], measured[inside]
        dx = x - x.mean()
        if not np.any(dx):
            continue
        slope = float(np.sum(dx * (y - y.mean())) / np.sum(dx**2))
        residual = y - y.mean() - slope * dx
        error = float(np.sqrt(np.sum(residual**2) / max(x.size - 2, 1) / np.sum(dx**2)))
        rows.append({"f0_low": float(edges[b]), "f0_high": float(edges[b + 1]), "n": int(inside.sum()),
                     "slope": slope, "slope_error": error, "scatter": float(np.sqrt(np.mean((y - x) ** 2)))})
    return rows


def lattice_z(peak_samples: np.ndarray, periods=LATTICE_PERIODS, reference: np.ndarray | None = None
              ) -> dict[int, float]:
    """Rayleigh z = n |mean e^{2πi k/P}|² of positions ``peak_samples`` (in samples, any real
    value) folded modulo each period P. With ``reference`` (the positions the bursts were asked
    for, one per burst), the reference's own mean is subtracted first: positions drawn uniformly
    over a span L that is not a whole number of periods have |mean| = |sin(πL/P)| P/(πL), which
    alone gives z up to n (P/πL)² (10.7 for 1000 bursts over ±30 ms at P = 40 samples of
    2048 Hz)."""
    k = np.asarray(peak_samples, dtype=float)
    ref = None if reference is None else np.asarray(reference, dtype=float)
    out = {}
    for p in periods:
        mean = np.mean(np.exp(2j * np.pi * k / p))
        if ref is not None:
            mean -= np.mean(np.exp(2j * np.pi * ref / p))
        out[int(p)] = float(k.size * np.abs(mean) ** 2)
    return out


def spectrum_ratio(real: np.ndarray, generated: np.ndarray, domain: FrequencyDomain,
                   floor: float = 1e-3, f_max: float | None = None) -> dict[str, float]:
    """The smallest and largest ratio of the mean in-band power spectra, generated over
    real, over the bins up to ``f_max`` where the real mean holds at least ``floor`` of its
    peak."""
    p_real = np.mean(np.abs(domain.whitened_band(real)) ** 2, axis=0)
    p_gen = np.mean(np.abs(domain.whitened_band(generated)) ** 2, axis=0)
    keep = (p_real >= floor * p_real.max()) & (domain.frequencies[domain.mask] <= (f_max or np.inf))
    ratio = p_gen[keep] / p_real[keep]
    f = domain.frequencies[domain.mask][keep]
    return {"min": float(ratio.min()), "max": float(ratio.max()), "frequency_of_min": float(f[np.argmin(ratio)]),
            "frequency_of_max": float(f[np.argmax(ratio)]), "bins": int(keep.sum())}


def against_formula(cls: str, bursts: np.ndarray, params: dict[str, np.ndarray], domain: FrequencyDomain) -> dict:
    """The one-to-one numbers of one class (module doc) for ``bursts`` and the parameters
    they were conditioned on: match at the condition and with a shift, peak-time residual,
    and for classes with an f0 the frequency tracking."""
    q0, q1 = families.quadratures(cls, params, domain)
    m = one_to_one(bursts, q0, q1, domain)
    out = {"match_median": float(np.median(m["match"])), "match_p10": float(np.percentile(m["match"], 10)),
           "match_shifted_median": float(np.median(m["match_shifted"])),
           "peak_residual_rms": float(np.sqrt(np.mean(m["peak_residual"] ** 2))),
           "peak_residual_median": float(np.median(m["peak_residual"]))}
    if "f0" in params:
        bins = frequency_tracking(bursts, m["best_fit"], np.asarray(params["f0"]), domain)
        out["f0_bins"] = bins
        out["f0_slope_worst"] = float(max(bins, key=lambda b: abs(b["slope"] - 1))["slope"]) if bins else None
    return out

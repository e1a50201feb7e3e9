"""How much the JSD's quadrature grid matters: the JSD of sample pairs (Gaussian, shifted,
widened, bimodal, exponential, uniform) on the documented grid (400 points, pooled 0.1-99.9 %
range +5 %) against 50 points and against a 105 % pad. Backs the argued-equivalent mutants of
``core/divergences.py`` in ``bench/mutation_equivalents.yaml``.

    python bench/jsd_grid.py

Appends to ``bench/results/jsd_grid.json``; asserts nothing.
"""

from __future__ import annotations

import numpy as np
from recording import save
from scipy.stats import gaussian_kde

from gwda.core.divergences import GRID_POINTS, jsd, jsd_of_densities  # noqa: E402  (recording puts gwda on the path)


def jsd_on(a: np.ndarray, b: np.ndarray, pad: float, points: int) -> float:
    lo, hi = np.percentile(np.concatenate([a, b]), [0.1, 99.9])
    grid = np.linspace(lo - pad * (hi - lo), hi + pad * (hi - lo), points)
    return jsd_of_densities(gaussian_kde(a)(grid), gaussian_kde(b)(grid), grid)


def main() -> None:
    rng = np.random.default_rng(0)
    cases = {
        "N(0,1) vs N(0,1)": (rng.normal(0, 1, 5000), rng.normal(0, 1, 5000)),
        "N(0,1) vs N(0.3,1)": (rng.normal(0, 1, 5000), rng.normal(0.3, 1, 5000)),
        "N(0,1) vs N(0,1.5)": (rng.normal(0, 1, 5000), rng.normal(0, 1.5, 5000)),
        "N(0,1) vs N(3,1)": (rng.normal(0, 1, 5000), rng.normal(3, 1, 5000)),
        "bimodal vs shifted bimodal": (np.r_[rng.normal(0, .05, 2500), rng.normal(1, .05, 2500)],
                                       np.r_[rng.normal(.1, .05, 2500), rng.normal(1, .05, 2500)]),
        "Exp(1) vs Exp(1.2)": (rng.exponential(1, 5000), rng.exponential(1.2, 5000)),
        "U(0,1) vs U(0.1,1.1)": (rng.uniform(0, 1, 20000), rng.uniform(.1, 1.1, 20000)),
    }
    rows = []
    for name, (a, b) in cases.items():
        documented = jsd(a, b)
        rows.append({"case": name, "jsd_nat": documented,
                     "change_50_points": jsd_on(a, b, 0.05, 50) - documented,
                     "change_pad_105_percent": jsd_on(a, b, 1.05, GRID_POINTS) - documented})
        r = rows[-1]
        print(f"{name:28s} JSD {documented:.5f}  50 points {r['change_50_points']:+.1e}  "
              f"pad 105 % {r['change_pad_105_percent']:+.1e}")
    save("jsd_grid", {"rows": rows, "max_abs_change_50_points": max(abs(r["change_50_points"]) for r in rows),
                      "max_abs_change_pad_105_percent": max(abs(r["change_pad_105_percent"]) for r in rows)})


if __name__ == "__main__":
    main()

"""Priors with bilby/LVK parameter names, built from the ``prior`` section of the config.

Each entry is ``{type, minimum, maximum[, alpha]}`` with ``type`` one of ``uniform``,
``sine`` (polar angle, density ∝ sin θ on [0, π]), ``cosine`` (declination, ∝ cos δ on
[-π/2, π/2]), ``power_law`` (∝ x^alpha; alpha = 2 is uniform in Euclidean volume for the
luminosity distance), ``uniform_comoving_volume`` (luminosity distance uniform in comoving
volume and source-frame time, Planck15), ``fixed`` (a delta function at ``value``).
``geocent_time`` is relative to the event's trigger time. Optional ``constraints`` bound
derived quantities (``mass_1``, ``mass_2``) and are applied by rejection.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .conversions import component_masses


@dataclass(frozen=True)
class Prior1D:
    name: str
    kind: str
    minimum: float
    maximum: float
    alpha: float = 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        u = rng.random(n)
        return self.from_unit(u)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        a, b = self.minimum, self.maximum
        if self.kind == "fixed":
            return np.full_like(u, a, dtype=float)
        if self.kind == "uniform":
            return a + (b - a) * u
        if self.kind == "sine":
            ca, cb = np.cos(a), np.cos(b)
            return np.arccos(ca + (cb - ca) * u)
        if self.kind == "cosine":
            sa, sb = np.sin(a), np.sin(b)
            return np.arcsin(sa + (sb - sa) * u)
        if self.kind == "power_law":
            p = self.alpha + 1.0
            if p == 0:
                return a * (b / a) ** u
            return (a**p + (b**p - a**p) * u) ** (1.0 / p)
        if self.kind == "uniform_comoving_volume":
            return np.interp(u, self._comoving_cdf[1], self._comoving_cdf[0])
        raise ValueError(f"unknown prior type {self.kind!r} for {self.name}")

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        a, b = self.minimum, self.maximum
        inside = (x >= a) & (x <= b)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "fixed":
                return np.where(x == a, 0.0, -np.inf)
            if self.kind == "uniform":
                lp = np.full_like(x, -np.log(b - a))
            elif self.kind == "sine":
                lp = np.log(np.sin(x) / (np.cos(a) - np.cos(b)))
            elif self.kind == "cosine":
                lp = np.log(np.cos(x) / (np.sin(b) - np.sin(a)))
            elif self.kind == "power_law":
                p = self.alpha + 1.0
                norm = np.log(np.log(b / a)) if p == 0 else np.log((b**p - a**p) / p)
                lp = self.alpha * np.log(x) - norm
            elif self.kind == "uniform_comoving_volume":
                grid, cdf = self._comoving_cdf
                pdf = np.gradient(cdf, grid)
                lp = np.log(np.interp(x, grid, pdf))
            else:
                raise ValueError(f"unknown prior type {self.kind!r} for {self.name}")
        return np.where(inside, lp, -np.inf)

    @cached_property
    def _comoving_cdf(self) -> tuple[np.ndarray, np.ndarray]:
        from .conversions import comoving_volume_density

        grid = np.linspace(self.minimum, self.maximum, 4001)
        density = comoving_volume_density(grid)
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(grid))])
        return grid, cdf / cdf[-1]


class Prior:
    """A product of 1-D priors with optional constraints on component masses."""

    def __init__(self, spec: dict, constraints: dict | None = None):
        self.spec = spec
        self.constraints = constraints or {}
        self.priors = {
            name: Prior1D(name, s["type"], float(s.get("minimum", s.get("value", 0.0))),
                          float(s.get("maximum", s.get("value", 0.0))), float(s.get("alpha", 0.0)))
            for name, s in spec.items()
        }

    @property
    def names(self) -> list[str]:
        return list(self.priors)

    @property
    def sampled_names(self) -> list[str]:
        return [n for n, p in self.priors.items() if p.kind != "fixed"]

    def bounds(self, name: str) -> tuple[float, float]:
        p = self.priors[name]
        return p.minimum, p.maximum

    def _accept(self, samples: dict) -> np.ndarray:
        ok = np.ones(len(next(iter(samples.values()))), dtype=bool)
        if self.constraints and "chirp_mass" in samples and "mass_ratio" in samples:
            m1, m2 = component_masses(samples["chirp_mass"], samples["mass_ratio"])
            for name, values in (("mass_1", m1), ("mass_2", m2)):
                if name in self.constraints:
                    lo, hi = self.constraints[name]
                    ok &= (values >= lo) & (values <= hi)
        return ok

    def sample(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        out = {name: np.empty(0) for name in self.priors}
        while len(out[self.names[0]]) < n:
            draw = {name: p.sample(rng, max(n, 64)) for name, p in self.priors.items()}
            keep = self._accept(draw)
            out = {k: np.concatenate([out[k], draw[k][keep]]) for k in out}
        return {k: v[:n] for k, v in out.items()}

    def replaced(self, replacements: dict) -> Prior:
        """This prior with the entries of ``replacements`` (same form as the prior's entries;
        keys they leave out, e.g. the bounds, are this prior's) replacing those parameters'
        priors: a training proposal (config key ``training.proposal``)."""
        spec = {name: {**entry, **replacements.get(name, {})} for name, entry in self.spec.items()}
        return Prior(spec, self.constraints)

    def log_prob(self, samples: dict, marginalized: tuple[str, ...] = ()) -> np.ndarray:
        """Log density of the prior (normalised, constraints included); -inf outside. Parameters
        in ``marginalized`` are integrated out (their factor is 1)."""
        lp = sum(p.log_prob(samples[name]) for name, p in self.priors.items()
                 if p.kind != "fixed" and name not in marginalized)
        return np.where(self._accept(samples), lp - self.log_acceptance, -np.inf)

    @cached_property
    def log_acceptance(self) -> float:
        """ln of the fraction of the unconstrained prior that passes the constraints (Monte
        Carlo, 2e5 draws): it normalises the constrained prior, as evidences need."""
        if not self.constraints:
            return 0.0
        rng = np.random.default_rng(0)
        draw = {name: p.sample(rng, 200000) for name, p in self.priors.items()}
        return float(np.log(np.mean(self._accept(draw))))

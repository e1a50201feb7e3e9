"""Proposals for importance sampling built from the trained flow: mixtures of q(θ | d, τ)
over sets of time proxies τ, with their exact density."""

from __future__ import annotations

import numpy as np


class MixtureProposal:
    """Σ_k s_k q(θ | d, τ_k) over proxy sets τ_k with shares s_k. Called with n: n samples
    and their exact density. :meth:`draw` and :meth:`log_density` split the two, so that a
    caller who keeps only some draws (rejection sampling) evaluates the K densities of
    those alone."""

    def __init__(self, model, data: dict, proxy_sets: list[dict], shares, rng: np.random.Generator):
        self.model, self.data, self.rng = model, data, rng
        shares = np.asarray(shares, dtype=float) / np.sum(shares)
        self.components = [(tau, s) for tau, s in zip(proxy_sets, shares) if s > 0]

    def draw(self, n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n samples and the log density of the component each came from (NaN outside the
        flow coordinates' range)."""
        if len(self.components) == 1:
            return self.model.sample(self.data, self.components[0][0], n)
        counts = self.rng.multinomial(n, [s for _, s in self.components])
        parts = [self.model.sample(self.data, tau, int(m)) for (tau, _), m in zip(self.components, counts) if m > 0]
        params = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
        return params, np.concatenate([p[1] for p in parts])

    def log_density(self, params: dict[str, np.ndarray], own: np.ndarray) -> np.ndarray:
        """The mixture's ln density at ``params`` drawn by :meth:`draw` (``own``: its second
        output, for the same rows); with one component, ``own`` itself."""
        if own.size == 0 or len(self.components) == 1:
            return own
        log_q = np.stack([np.log(s) + self.model.log_prob(self.data, tau, params) for tau, s in self.components])
        return np.where(np.isfinite(own), np.logaddexp.reduce(log_q, axis=0), np.nan)

    def __call__(self, n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        params, own = self.draw(n)
        return params, self.log_density(params, own)

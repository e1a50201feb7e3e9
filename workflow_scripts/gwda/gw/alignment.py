"""Per-detector time alignment of the data, with proxies for the arrival times.

A network that sees data in which the signal may arrive anywhere in ±0.1 s has to learn to
undo time shifts of many cycles before it can read the masses from the phase evolution.
As in DINGO's group-equivariant NPE (GNPE, Dax et al. 2022), the data of each detector are
instead shifted by a *proxy* of that detector's arrival time, so that the signal sits within
a few milliseconds of the same place in every example. The flow is conditioned on the
aligned data and on the proxies' differences between detectors (they carry the sky
position); the proxy of the reference detector (the first) is not needed, since time
translation changes nothing else.

Proxies are drawn around the true arrival times with a flat kernel:
``τ_ref = t_ref + ε``, ``ε ~ U(-κ_c, κ_c)`` (the common window), and for the other
detectors ``τ_I - τ_ref = (t_I - t_ref) + η_I``, ``η_I ~ U(-κ_r, κ_r)`` (the relative
window). For an observed event the proxies are fixed, from a matched filter
(:mod:`gwda.gw.matched_filter`): the flow then gives the posterior restricted to arrival times
within those windows of the proxies. That is the full posterior whenever its arrival times
lie inside the windows (checked on the samples, see :meth:`TimeAlignment.window_fractions`);
importance sampling with the full prior corrects the rest of the weighting.

In the flow's parameter space the coalescence time is the reference detector's arrival
time relative to its proxy, ``{ref}_time = t_ref - τ_ref`` (see :mod:`gwda.gw.coordinates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TimeAlignment:
    ifos: tuple[str, ...]
    common_window: float        # κ_c (s): half-width for the reference detector's proxy
    relative_window: float      # κ_r (s): half-width for the differences between detectors

    @property
    def reference(self) -> str:
        return self.ifos[0]

    @property
    def time_parameter(self) -> str:
        return f"{self.reference}_time"

    @property
    def n_context(self) -> int:
        return len(self.ifos) - 1

    def draw_proxies(self, arrival: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Proxies (s, relative to the trigger) for true arrival times ``arrival``."""
        t_ref = np.asarray(arrival[self.reference], dtype=float)
        tau_ref = t_ref + rng.uniform(-self.common_window, self.common_window, t_ref.shape)
        out = {self.reference: tau_ref}
        for ifo in self.ifos[1:]:
            eta = rng.uniform(-self.relative_window, self.relative_window, t_ref.shape)
            out[ifo] = tau_ref + (np.asarray(arrival[ifo], dtype=float) - t_ref) + eta
        return out

    def context(self, proxies: dict) -> np.ndarray:
        """The proxies the flow is conditioned on: τ_I - τ_ref for I ≠ ref (last axis)."""
        ref = np.asarray(proxies[self.reference], dtype=float)
        diffs = [np.asarray(proxies[ifo], dtype=float) - ref for ifo in self.ifos[1:]]
        return np.stack(diffs, axis=-1) if diffs else np.empty(ref.shape + (0,))

    def window_fractions(self, arrival: dict, proxies: dict, edge: float = 0.1) -> dict[str, float]:
        """Fraction of samples within ``edge`` (as a fraction of the window) of each window's
        boundary: a posterior cut by its windows piles up there."""
        out = {}
        offset = arrival[self.reference] - proxies[self.reference]
        out[self.reference] = float(np.mean(np.abs(offset) > (1 - edge) * self.common_window))
        for ifo in self.ifos[1:]:
            eta = (proxies[ifo] - proxies[self.reference]) - (arrival[ifo] - arrival[self.reference])
            out[ifo] = float(np.mean(np.abs(eta) > (1 - edge) * self.relative_window))
        return out

"""The exact likelihood of whitened data, used for importance sampling and checks.

Data and signals are whitened, in-band frequency-domain strain (:mod:`gwda.gw.domain`), so
for stationary Gaussian noise the Whittle log-likelihood is
``ln L = -1/2 Σ_ifo Σ_f |d_w - h_w|² - N ln(2π)`` with N the number of complex bins of all
detectors. The signal comes from the one :class:`~gwda.gw.simulator.Simulator` (one
projection path for training, injections and the likelihood).

For 22-mode signals h(φ) = h(0) e^{2iφ} the uniform phase is marginalised in closed form:
``ln L_φ = -1/2 Σ(|d|² + |h0|²) + ln I0(|w|) - N ln 2π`` with ``w = Σ conj(d) h0``; ``w``
also gives φ's conditional posterior (:func:`sample_phase`).
"""

from __future__ import annotations

import numpy as np
from scipy.special import i0e

from ..core.parallel import map_chunks
from .simulator import Simulator


class GaussianLikelihood:
    """ln L of whitened ``data`` (per detector, in-band bins) for parameter arrays."""

    def __init__(self, simulator: Simulator, data: dict[str, np.ndarray], marginalize_phase: bool = False):
        self.simulator, self.data, self.marginalize_phase = simulator, data, marginalize_phase
        self.log_normalisation = -len(simulator.ifos) * simulator.n_bins * np.log(2 * np.pi)

    def log_likelihood(self, params: dict) -> np.ndarray:
        """ln L for each row of ``params`` (full parameter sets, phase included)."""
        signal = self.simulator.signal(params)
        return self.of_signal(signal)

    def of_signal(self, signal: dict) -> np.ndarray:
        """ln L of given whitened detector signals (rows)."""
        lnl = 0.0
        for ifo in self.simulator.ifos:
            lnl = lnl - 0.5 * np.sum(np.abs(self.data[ifo] - signal[ifo]) ** 2, axis=-1)
        return lnl + self.log_normalisation

    def phase_marginalized(self, params: dict) -> tuple[np.ndarray, np.ndarray]:
        """(ln L marginalised over a uniform phase, w) for each row of ``params`` (module doc)."""
        sim = self.simulator
        signal = sim.signal({**params, "phase": np.zeros(np.size(params["chirp_mass"]))})
        dd = sum(np.sum(np.abs(self.data[ifo]) ** 2) for ifo in sim.ifos)
        hh = sum(np.sum(np.abs(signal[ifo]) ** 2, axis=-1) for ifo in sim.ifos)
        w = sum(np.sum(np.conj(self.data[ifo]) * signal[ifo], axis=-1) for ifo in sim.ifos)
        return -0.5 * (dd + hh) + log_i0(np.abs(w)) + self.log_normalisation, w

    def noise_log_likelihood(self) -> float:
        """ln L of the data under the noise-only hypothesis."""
        return float(self.of_signal({ifo: np.zeros_like(d) for ifo, d in self.data.items()}))

    def evaluate(self, params: dict, threads: int = 1, chunk: int = 500) -> tuple[np.ndarray, np.ndarray | None]:
        """(ln L, w) of many parameter sets in ``threads`` processes; phase-marginalised
        (with w) or not (w is None), as the likelihood was made."""
        results = map_chunks(_evaluate_chunk, params, (self,), threads, chunk)
        lnl = np.concatenate([r[0] for r in results])
        w = np.concatenate([r[1] for r in results]) if self.marginalize_phase else None
        return lnl, w


def _evaluate_chunk(args):
    params, likelihood = args
    if likelihood.marginalize_phase:
        return likelihood.phase_marginalized(params)
    return likelihood.log_likelihood(params), None


def log_i0(x: np.ndarray) -> np.ndarray:
    return np.log(i0e(x)) + np.abs(x)


def sample_phase(overlap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw φ from its conditional posterior for 22-mode signals h(φ) = h0 e^{2iφ}:
    p(φ) ∝ exp(Re(w e^{2iφ})) with w = Σ conj(d) h0 (per sample), i.e. 2φ + arg w is von
    Mises distributed with concentration |w|; φ and φ + π are equally likely."""
    two_phi = rng.vonmises(0.0, np.abs(overlap)) - np.angle(overlap)
    return np.mod(two_phi / 2 + np.pi * rng.integers(0, 2, overlap.shape), 2 * np.pi)

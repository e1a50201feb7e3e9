"""The flow's coordinates and their map to the physical (bilby) parameters.

The flow infers the same source as the prior describes, in coordinates in which the
posterior is simpler:

* time: ``{ref}_time``, the reference detector's arrival time relative to its alignment
  proxy (:mod:`gwda.gw.alignment`), instead of ``geocent_time``;
* sky (two or more detectors): ``zenith`` and ``azimuth`` in the frame of the first two
  detectors (:class:`gwda.gw.detectors.DetectorSkyFrame`), instead of ``ra`` and ``dec``: the
  ring of sky positions with the observed time difference becomes a band of fixed zenith.

The map (zenith, azimuth, {ref}_time) -> (ra, dec, geocent_time) is a rotation of the
sphere followed by a time shift that depends on the sky position only, so densities change
by the area factor alone: ``q(ra, dec, …) = q(zenith, azimuth, …) cos(dec) / sin(zenith)``.
* polarisation (22-mode waveforms with the phase marginalised, ψ uniform on [0, π]):
  ``psi_folded`` = ψ mod π/2. ψ → ψ + π/2 flips the sign of the strain, which a phase shift
  undoes, so the phase-marginalised likelihood, and with it the posterior, repeats exactly
  every π/2; the flow learns one period and samples are put into either half at random,
  ``q(ψ) = q(psi_folded) / 2``.

Flow samples outside zenith ∈ (0, π), azimuth ∈ [0, 2π), psi_folded ∈ [0, π/2) get a NaN
density: they are left out (importance sampling gives them weight 0, which keeps its
estimates unbiased).
"""

from __future__ import annotations

import numpy as np

from ..core.arrays import like
from .alignment import TimeAlignment
from .detectors import DetectorSkyFrame
from .priors import Prior
from .simulator import Simulator

HALF_PI = np.pi / 2


def psi_is_periodic(prior: Prior, parameters: list[str]) -> bool:
    """Whether the posterior repeats exactly every π/2 in ψ: the phase is marginalised (in the
    prior but not inferred, which only 22-mode models allow) and ψ is uniform on [0, π]."""
    psi = prior.priors.get("psi")
    return ("psi" in parameters and "phase" in prior.sampled_names and "phase" not in parameters
            and psi.kind == "uniform" and psi.minimum == 0.0 and np.isclose(psi.maximum, np.pi))


class FlowCoordinates:
    def __init__(self, sim: Simulator, alignment: TimeAlignment, parameters: list[str], prior: Prior):
        """``prior``: the distribution the flow is trained on (it decides the ψ fold)."""
        self.sim, self.alignment, self.physical = sim, alignment, list(parameters)
        ifos = sim.ifos
        self.sky = (DetectorSkyFrame(sim.detectors[ifos[0]], sim.detectors[ifos[1]], sim.trigger_time)
                    if len(ifos) > 1 and {"ra", "dec"} <= set(parameters) else None)
        rename = {"geocent_time": alignment.time_parameter}
        if self.sky is not None:
            rename.update(ra="zenith", dec="azimuth")
        self.fold_psi = psi_is_periodic(prior, parameters)
        if self.fold_psi:
            rename["psi"] = "psi_folded"
        self.names = [rename.get(n, n) for n in parameters]

    def to_flow(self, theta: dict, arrival: dict, proxies: dict) -> dict:
        """Physical parameters (with their arrival times and proxies) -> flow coordinates."""
        ref = self.alignment.reference
        out = {k: v for k, v in theta.items() if k not in ("geocent_time", "ra", "dec")}
        if "geocent_time" in theta:
            out[self.alignment.time_parameter] = arrival[ref] - like(proxies[ref], arrival[ref])
        if self.sky is not None:
            out["zenith"], out["azimuth"] = self.sky.from_ra_dec(theta["ra"], theta["dec"])
        else:
            out.update({k: theta[k] for k in ("ra", "dec") if k in theta})
        if self.fold_psi:
            out["psi_folded"] = theta["psi"] % HALF_PI
        return {k: v for k, v in out.items() if k in self.names}

    def from_flow(self, flow: dict, proxies: dict, rng: np.random.Generator) -> tuple[dict, np.ndarray]:
        """Flow coordinates -> (physical parameters, ln |Jacobian|) with
        ln q_physical = ln q_flow + ln |Jacobian|; ``rng`` picks the half of ψ's range."""
        out = {k: v for k, v in flow.items()
               if k not in (self.alignment.time_parameter, "zenith", "azimuth", "psi_folded")}
        log_jacobian = np.zeros(np.shape(next(iter(flow.values()))))
        if self.fold_psi:
            folded = flow["psi_folded"]
            out["psi"] = folded + HALF_PI * rng.integers(0, 2, np.shape(folded))
            log_jacobian = np.where((folded >= 0) & (folded < HALF_PI), -np.log(2.0), np.nan)
        if self.sky is not None:
            zenith, azimuth = flow["zenith"], flow["azimuth"]
            out["ra"], out["dec"] = self.sky.to_ra_dec(zenith, azimuth)
            # The flow's density maps one-to-one onto the sphere only from zenith in (0, π) and
            # azimuth in [0, 2π): samples outside are marked with a NaN density (left out).
            inside = (zenith > 0) & (zenith < np.pi) & (azimuth >= 0) & (azimuth < 2 * np.pi)
            with np.errstate(invalid="ignore", divide="ignore"):
                log_jacobian = log_jacobian + np.where(
                    inside, np.log(np.cos(out["dec"])) - np.log(np.abs(np.sin(zenith))), np.nan)
        if self.alignment.time_parameter in flow:
            ref = self.alignment.reference
            delay = self.sim.detectors[ref].time_delay_from_geocenter(out["ra"], out["dec"], self.sim.trigger_time)
            out["geocent_time"] = flow[self.alignment.time_parameter] + proxies[ref] - delay
        return out, log_jacobian

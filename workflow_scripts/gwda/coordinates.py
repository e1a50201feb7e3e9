"""The flow's coordinates and their map to the physical (bilby) parameters.

The flow infers the same source as the prior describes, in coordinates in which the
posterior is simpler:

* time: ``{ref}_time``, the reference detector's arrival time relative to its alignment
  proxy (:mod:`gwda.alignment`), instead of ``geocent_time``;
* sky (two or more detectors): ``zenith`` and ``azimuth`` in the frame of the first two
  detectors (:class:`gwda.detectors.DetectorSkyFrame`), instead of ``ra`` and ``dec``: the
  ring of sky positions with the observed time difference becomes a band of fixed zenith.

The map (zenith, azimuth, {ref}_time) -> (ra, dec, geocent_time) is a rotation of the
sphere followed by a time shift that depends on the sky position only, so densities change
by the area factor alone: ``q(ra, dec, …) = q(zenith, azimuth, …) cos(dec) / sin(zenith)``.
Flow samples outside zenith ∈ (0, π), azimuth ∈ [0, 2π) get a NaN density: they are left out
(importance sampling gives them weight 0, which keeps its estimates unbiased).
"""

from __future__ import annotations

import numpy as np

from .alignment import TimeAlignment
from .arrays import like
from .detectors import DetectorSkyFrame
from .simulator import Simulator


class FlowCoordinates:
    def __init__(self, sim: Simulator, alignment: TimeAlignment, parameters: list[str]):
        self.sim, self.alignment, self.physical = sim, alignment, list(parameters)
        ifos = sim.ifos
        self.sky = (DetectorSkyFrame(sim.detectors[ifos[0]], sim.detectors[ifos[1]], sim.trigger_time)
                    if len(ifos) > 1 and {"ra", "dec"} <= set(parameters) else None)
        rename = {"geocent_time": alignment.time_parameter}
        if self.sky is not None:
            rename.update(ra="zenith", dec="azimuth")
        self.names = [rename.get(n, n) for n in parameters]

    def to_flow(self, theta: dict, arrival: dict, proxies: dict) -> dict:
        """Physical parameters (with their arrival times and proxies) -> flow coordinates."""
        ref = self.alignment.reference
        out = {k: v for k, v in theta.items() if k not in ("geocent_time", "ra", "dec")}
        out[self.alignment.time_parameter] = arrival[ref] - like(proxies[ref], arrival[ref])
        if self.sky is not None:
            out["zenith"], out["azimuth"] = self.sky.from_ra_dec(theta["ra"], theta["dec"])
        else:
            out.update(ra=theta["ra"], dec=theta["dec"])
        return {k: v for k, v in out.items() if k in self.names}

    def from_flow(self, flow: dict, proxies: dict) -> tuple[dict, np.ndarray]:
        """Flow coordinates -> (physical parameters, ln |Jacobian|) with
        ln q_physical = ln q_flow + ln |Jacobian|."""
        out = {k: v for k, v in flow.items() if k not in (self.alignment.time_parameter, "zenith", "azimuth")}
        log_jacobian = np.zeros(np.shape(next(iter(flow.values()))))
        if self.sky is not None:
            zenith, azimuth = flow["zenith"], flow["azimuth"]
            out["ra"], out["dec"] = self.sky.to_ra_dec(zenith, azimuth)
            # The flow's density maps one-to-one onto the sphere only from zenith in (0, π) and
            # azimuth in [0, 2π): samples outside are marked with a NaN density (left out).
            inside = (zenith > 0) & (zenith < np.pi) & (azimuth >= 0) & (azimuth < 2 * np.pi)
            with np.errstate(invalid="ignore", divide="ignore"):
                log_jacobian = np.where(inside, np.log(np.cos(out["dec"])) - np.log(np.abs(np.sin(zenith))), np.nan)
        if self.alignment.time_parameter in flow:
            ref = self.alignment.reference
            delay = self.sim.detectors[ref].time_delay_from_geocenter(out["ra"], out["dec"], self.sim.trigger_time)
            out["geocent_time"] = flow[self.alignment.time_parameter] + proxies[ref] - delay
        return out, log_jacobian

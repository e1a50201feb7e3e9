"""Ground-based detector geometry: antenna patterns and arrival-time delays (vectorised).

Uses the detector tensors and vertex positions of LALSuite and its GMST; follows the
response of Anderson et al. (2001), as LAL's XLALComputeDetAMResponse.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..core.arrays import like, namespace

SPEED_OF_LIGHT = 299792458.0

#: The detectors the analysis knows, by prefix, and their names in LAL's detector table.
DETECTORS = {"H1": "LHO_4K", "L1": "LLO_4K", "V1": "VIRGO", "K1": "KAGRA", "G1": "GEO_600"}


@lru_cache(maxsize=None)
def _lal_detector(name: str):
    import lal

    try:
        return lal.CachedDetectors[getattr(lal, f"{DETECTORS[name]}_DETECTOR")]
    except KeyError:
        raise ValueError(f"unknown detector {name!r}; known: {', '.join(DETECTORS)}") from None


def gmst(gps_time: float) -> float:
    import lal

    return float(lal.GreenwichMeanSiderealTime(float(gps_time))) % (2 * np.pi)


class Detector:
    def __init__(self, name: str):
        det = _lal_detector(name)
        self.name = name
        self.response = np.array(det.response, dtype=float)
        self.location = np.array(det.location, dtype=float)

    def antenna_pattern(self, ra, dec, psi, gps_time: float):
        """(F+, F×) for arrays (numpy or torch) of ra, dec, psi at one GPS time."""
        xp = namespace(ra)
        ra, dec, psi = like(ra, ra), like(dec, ra), like(psi, ra)
        gha = gmst(gps_time) - ra
        cg, sg, cd, sd = xp.cos(gha), xp.sin(gha), xp.cos(dec), xp.sin(dec)
        cp, sp = xp.cos(psi), xp.sin(psi)
        x = xp.stack([-cp * sg - sp * cg * sd, -cp * cg + sp * sg * sd, sp * cd])
        y = xp.stack([sp * sg - cp * cg * sd, sp * cg + cp * sg * sd, cp * cd])
        d = like(self.response, ra)
        dx = xp.einsum("ij,j...->i...", d, x)
        dy = xp.einsum("ij,j...->i...", d, y)
        return (x * dx - y * dy).sum(0), (x * dy + y * dx).sum(0)

    def time_delay_from_geocenter(self, ra, dec, gps_time: float):
        """Arrival time at the detector minus arrival time at the geocentre (s)."""
        xp = namespace(ra)
        ra, dec = like(ra, ra), like(dec, ra)
        gha = gmst(gps_time) - ra
        n = xp.stack([xp.cos(dec) * xp.cos(gha), -xp.cos(dec) * xp.sin(gha), xp.sin(dec)])
        return -xp.einsum("i,i...->...", like(self.location, ra), n) / SPEED_OF_LIGHT


class DetectorSkyFrame:
    """Sky positions in the frame of a detector pair, as bilby's ``sky_frame``: the zenith
    angle is measured from the baseline (first → second detector), so it fixes the arrival
    time difference (``t_2 - t_1 = -|b| cos(zenith) / c``), and the azimuth runs around the
    ring of equal time difference. Isotropic on the sphere in both frames; the area element
    is ``cos(dec) dra ddec = sin(zenith) dzenith dazimuth``. Works on numpy arrays and torch
    tensors.
    """

    def __init__(self, first: Detector, second: Detector, gps_time: float):
        b = second.location - first.location
        self.baseline = float(np.linalg.norm(b))
        z = b / self.baseline
        x = np.cross([0.0, 0.0, 1.0], z)
        x /= np.linalg.norm(x)
        self.rotation = np.stack([x, np.cross(z, x), z])     # rows: the frame's axes, Earth-fixed
        self.gmst = gmst(gps_time)

    def to_ra_dec(self, zenith, azimuth):
        xp = namespace(zenith)
        sz = xp.sin(zenith)
        local = xp.stack([sz * xp.cos(azimuth), sz * xp.sin(azimuth), xp.cos(zenith)])
        n = xp.einsum("ji,j...->i...", like(self.rotation, zenith), local)
        ra = xp.remainder(xp.arctan2(n[1], n[0]) + self.gmst, 2 * np.pi)
        return ra, xp.arcsin(xp.clip(n[2], -1.0, 1.0))

    def from_ra_dec(self, ra, dec):
        xp = namespace(ra)
        phi = ra - self.gmst
        n = xp.stack([xp.cos(dec) * xp.cos(phi), xp.cos(dec) * xp.sin(phi), xp.sin(dec)])
        local = xp.einsum("ij,j...->i...", like(self.rotation, ra), n)
        return xp.arccos(xp.clip(local[2], -1.0, 1.0)), xp.remainder(xp.arctan2(local[1], local[0]), 2 * np.pi)

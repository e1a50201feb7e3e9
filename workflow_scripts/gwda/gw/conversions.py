"""Mass, spin and distance conversions (bilby/LVK names, detector frame unless ``_source``).

Cosmology for source-frame quantities: Planck15 (astropy), as in GWTC-1.
"""

from __future__ import annotations

import numpy as np


def component_masses(chirp_mass, mass_ratio):
    """(mass_1, mass_2) with mass_1 >= mass_2 from chirp mass and q = m2/m1 <= 1."""
    chirp_mass, mass_ratio = np.asarray(chirp_mass, float), np.asarray(mass_ratio, float)
    with np.errstate(invalid="ignore", divide="ignore"):    # q <= 0 (outside any prior) -> nan
        total = chirp_mass * (1 + mass_ratio) ** 1.2 / mass_ratio**0.6
    mass_1 = total / (1 + mass_ratio)
    return mass_1, mass_1 * mass_ratio


def chirp_mass_and_ratio(mass_1, mass_2):
    mass_1, mass_2 = np.asarray(mass_1, float), np.asarray(mass_2, float)
    return (mass_1 * mass_2) ** 0.6 / (mass_1 + mass_2) ** 0.2, mass_2 / mass_1


def chi_eff(mass_1, mass_2, chi_1z, chi_2z):
    return (mass_1 * chi_1z + mass_2 * chi_2z) / (mass_1 + mass_2)


def _cosmology():
    from astropy.cosmology import Planck15

    return Planck15


def redshift_from_distance(luminosity_distance):
    """Redshift for luminosity distances in Mpc (Planck15), by interpolation."""
    from astropy import units as u

    cosmo = _cosmology()
    z_grid = np.expm1(np.linspace(0, np.log1p(5.0), 2000))
    d_grid = cosmo.luminosity_distance(z_grid).to(u.Mpc).value
    return np.interp(np.asarray(luminosity_distance, float), d_grid, z_grid)


def comoving_volume_density(luminosity_distance):
    """dV_c/dd_L / (1 + z): density in d_L of sources uniform in comoving volume and
    source-frame time (unnormalised)."""
    from astropy import units as u

    cosmo = _cosmology()
    d = np.asarray(luminosity_distance, float)
    z = redshift_from_distance(d)
    dvc_dz = cosmo.differential_comoving_volume(z).to(u.Mpc**3 / u.sr).value
    dz = 1e-4
    dd_dz = (cosmo.luminosity_distance(z + dz) - cosmo.luminosity_distance(np.maximum(z - dz, 0))).to(u.Mpc).value
    dd_dz /= (z + dz) - np.maximum(z - dz, 0)
    return dvc_dz / dd_dz / (1 + z)


def add_derived(samples: dict) -> dict:
    """``samples`` with the component masses, total mass, chi_eff (from aligned spins
    ``chi_1``, ``chi_2`` or from ``a_i``, ``tilt_i``), redshift and source-frame masses."""
    out = dict(samples)
    m1, m2 = component_masses(samples["chirp_mass"], samples["mass_ratio"])
    out.update(mass_1=m1, mass_2=m2, total_mass=m1 + m2)
    if "chi_1" in samples:
        out["chi_eff"] = chi_eff(m1, m2, samples["chi_1"], samples["chi_2"])
    elif "a_1" in samples:
        out["chi_eff"] = chi_eff(m1, m2, samples["a_1"] * np.cos(samples["tilt_1"]),
                                 samples["a_2"] * np.cos(samples["tilt_2"]))
    add_source_frame(out)
    return out


def add_source_frame(samples: dict, redshift: np.ndarray | None = None) -> dict:
    """Add ``redshift`` (Planck15 from the luminosity distance unless given) and the
    source-frame ``mass_1``, ``mass_2``, ``chirp_mass`` (those present), in place."""
    z = redshift_from_distance(samples["luminosity_distance"]) if redshift is None else redshift
    samples["redshift"] = z
    for name in ("mass_1", "mass_2", "chirp_mass"):
        if name in samples:
            samples[f"{name}_source"] = samples[name] / (1 + z)
    return samples


#: This project's names of aligned spins -> the names of LVK posterior releases.
RELEASE_NAMES = {"chi_1": "spin_1z", "chi_2": "spin_2z"}
#: Parameters compared between analyses (those each analysis has): tables, JSDs, the report.
COMPARED = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn", "ra", "dec")
#: Parameters of the corner plots.
CORNER = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn")


def to_release(samples: dict, trigger_time: float) -> dict:
    """Samples in the conventions of LVK posterior releases: aligned spins as
    ``spin_1z``, ``spin_2z`` and ``geocent_time`` in GPS seconds (here it is relative to
    the trigger time)."""
    out = {RELEASE_NAMES.get(k, k): v for k, v in samples.items()}
    if "geocent_time" in out:
        out["geocent_time"] = out["geocent_time"] + trigger_time
    return out


def from_release(samples: dict, trigger_time: float) -> dict:
    """The inverse of :func:`to_release`."""
    back = {v: k for k, v in RELEASE_NAMES.items()}
    out = {back.get(k, k): v for k, v in samples.items()}
    if "geocent_time" in out:
        out["geocent_time"] = out["geocent_time"] - trigger_time
    return out

"""Published posteriors, read and converted to the project's names and frames.

Two release layouts are read:

* **GWTC-1** (LIGO-P1800370, ``GW150914_GWTC-1.hdf5``): a structured dataset
  ``Overall_posterior`` (or ``IMRPhenomPv2_posterior``, ...) with detector-frame masses
  ``m1_detector_frame_Msun``, ``m2_detector_frame_Msun``, ``luminosity_distance_Mpc``,
  ``right_ascension``, ``declination``, ``costheta_jn``, ``spin1``, ``spin2``,
  ``costilt1``, ``costilt2``.
* **PyCBC Inference** (e.g. the 2-OGC release): a group ``samples/`` with one dataset per
  parameter: ``mass1``, ``mass2``, ``spin1_a``, ``spin1_polar``, ``spin2_a``,
  ``spin2_polar``, ``distance``, ``inclination``, ``polarization``, ``ra``, ``dec``, ``tc``,
  and for 2-OGC ``redshift``. PyCBC's ``mass1`` is detector-frame unless the file's
  ``remapped_params`` attribute says it was mapped from ``srcmass1`` (as in 2-OGC), in which
  case it is source-frame and multiplied by 1 + z here.

Output: a dict of arrays with bilby names, masses in the detector frame (``_source`` suffix
for the source frame, redshift from the file or from Planck15), ``geocent_time`` relative
to the event's trigger time where the file has ``tc``. PyCBC's ``inclination`` is the
orbital inclination ι at the reference frequency; it is reported as ``theta_jn``, which
equals it for aligned spins and differs by the small opening angle of J around L otherwise.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ..gw.conversions import add_source_frame, chi_eff, chirp_mass_and_ratio, redshift_from_distance

GWTC1_DATASETS = ("Overall_posterior", "IMRPhenomPv2_posterior", "SEOBNRv3_posterior")


class ReferenceFormatError(ValueError):
    """A file that is neither a GWTC-1 nor a PyCBC Inference posterior release."""


def read_reference(path: Path | str, trigger_time: float | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """(samples, description) of a published posterior file of either layout."""
    path = Path(path)
    try:
        fh = h5py.File(path, "r")
    except OSError as exc:
        raise ReferenceFormatError(f"{path}: not a readable HDF5 file ({exc})") from None
    with fh:
        if "samples" in fh and isinstance(fh["samples"], h5py.Group):
            return _pycbc(fh, path, trigger_time)
        for name in GWTC1_DATASETS:
            if name in fh:
                return _gwtc1(fh[name][()], path, name)
    raise ReferenceFormatError(f"{path}: no 'samples' group (PyCBC Inference) and none of the GWTC-1 datasets "
                               f"{', '.join(GWTC1_DATASETS)}")


def _finish(out: dict, redshift: np.ndarray | None) -> dict:
    out["chirp_mass"], out["mass_ratio"] = chirp_mass_and_ratio(out["mass_1"], out["mass_2"])
    return add_source_frame(out, redshift)


def _gwtc1(data: np.ndarray, path: Path, dataset: str):
    m1, m2 = data["m1_detector_frame_Msun"], data["m2_detector_frame_Msun"]
    chi_1z = data["spin1"] * data["costilt1"]
    chi_2z = data["spin2"] * data["costilt2"]
    out = {"mass_1": m1, "mass_2": m2, "luminosity_distance": data["luminosity_distance_Mpc"],
           "ra": data["right_ascension"], "dec": data["declination"],
           "theta_jn": np.arccos(data["costheta_jn"]), "a_1": data["spin1"], "a_2": data["spin2"],
           "tilt_1": np.arccos(data["costilt1"]), "tilt_2": np.arccos(data["costilt2"]),
           "chi_eff": chi_eff(m1, m2, chi_1z, chi_2z)}
    desc = {"layout": "GWTC-1", "file": str(path), "dataset": dataset,
            "mass_frame": "detector (as released)", "redshift": "Planck15 from luminosity_distance"}
    return _finish(out, None), desc


def _source_frame_masses(fh: h5py.File) -> bool:
    remapped = fh.attrs.get("remapped_params")
    if remapped is None:
        return False
    pairs = {str(_plain(b)): str(_plain(a)) for a, b in np.asarray(remapped).reshape(-1, 2)}
    return pairs.get("mass1", "").startswith("srcmass")


def _pycbc(fh: h5py.File, path: Path, trigger_time: float | None):
    s = fh["samples"]
    need = ("mass1", "mass2", "distance", "ra", "dec")
    missing = [k for k in need if k not in s]
    if missing:
        raise ReferenceFormatError(f"{path}: PyCBC 'samples' group lacks {', '.join(missing)}")
    get = {k: s[k][()] for k in s}
    source = _source_frame_masses(fh)
    z = get.get("redshift")
    if source and z is None:
        z = redshift_from_distance(get["distance"])
    scale = (1 + z) if source else 1.0
    m1, m2 = get["mass1"] * scale, get["mass2"] * scale
    m1, m2 = np.maximum(m1, m2), np.minimum(m1, m2)
    out = {"mass_1": m1, "mass_2": m2, "luminosity_distance": get["distance"], "ra": get["ra"], "dec": get["dec"]}
    if "inclination" in get:
        out["theta_jn"] = get["inclination"]
    if "polarization" in get:
        out["psi"] = get["polarization"]
    for i in (1, 2):
        if f"spin{i}_a" in get:
            out[f"a_{i}"] = get[f"spin{i}_a"]
            out[f"tilt_{i}"] = get[f"spin{i}_polar"]
    if "chi_eff" in get:
        out["chi_eff"] = get["chi_eff"]
    elif "a_1" in out:
        out["chi_eff"] = chi_eff(m1, m2, out["a_1"] * np.cos(out["tilt_1"]), out["a_2"] * np.cos(out["tilt_2"]))
    if "tc" in get and trigger_time is not None:
        out["geocent_time"] = get["tc"] - trigger_time
    desc = {"layout": "PyCBC Inference", "file": str(path), "dataset": "samples",
            "mass_frame": "source (remapped from srcmass), converted with 1 + redshift" if source else "detector",
            "redshift": "from the file" if "redshift" in get else "Planck15 from distance",
            "theta_jn": "PyCBC inclination (orbital inclination at f_ref)",
            "attrs": {k: _plain(v) for k, v in fh.attrs.items() if k in ("approximant", "sampler", "model",
                                                                        "f_lower", "trigger_time")}}
    return _finish(out, z), desc


def _plain(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value

"""The attribute convention of the project's HDF5 files (stated in :mod:`gwda.io`): every
dataset says what it holds in ``description`` and, where it has a physical unit, gives it in
``unit``."""

from __future__ import annotations

import h5py
import numpy as np

#: Units of the parameters stored under ``parameters/`` (dimensionless ones are not listed).
PARAMETER_UNITS = {
    "chirp_mass": "solar mass (detector frame)",
    "mass_1": "solar mass (detector frame)",
    "mass_2": "solar mass (detector frame)",
    "luminosity_distance": "Mpc",
    "theta_jn": "rad",
    "phase": "rad",
    "psi": "rad",
    "ra": "rad",
    "dec": "rad",
    "tilt_1": "rad",
    "tilt_2": "rad",
    "phi_12": "rad",
    "phi_jl": "rad",
    "geocent_time": "s",
    "gps_time": "s (GPS)",
    "peak_time": "s from the window's start",
    "f0": "Hz",
    "bandwidth": "Hz",
    "tau": "s",
}


def write_dataset(group: h5py.Group, name: str, data: np.ndarray, description: str,
                  unit: str | None = None) -> h5py.Dataset:
    """``data`` as ``group[name]`` with its ``description`` and, if given, its ``unit``."""
    group[name] = data
    dataset = group[name]
    dataset.attrs["description"] = description
    if unit is not None:
        dataset.attrs["unit"] = unit
    return dataset


def write_parameters(group: h5py.Group, parameters: dict[str, np.ndarray], description: str) -> None:
    """Each parameter as ``parameters/{name}``, described as ``description`` followed by its name."""
    for name, values in parameters.items():
        write_dataset(group, f"parameters/{name}", values, f"{description}: {name}", PARAMETER_UNITS.get(name))

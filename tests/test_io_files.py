"""The HDF5 files of the noise, glitch, waveform and denoiser stages: written, read back, with
their dataset names, values and the attribute convention of gwda.io (a ``description`` on
every dataset, a ``unit`` where physical, provenance as file attributes)."""

import json

import h5py
import numpy as np
import pytest

from gwda.glitches.dataset import BurstSet
from gwda.glitches.families import window_domain
from gwda.gw.domain import WHITENING_CONVENTION, FrequencyDomain
from gwda.io import denoiser_files, glitch_files, noise_files
from gwda.npe.dataset import WaveformDataset

CONFIG = {"seed": 3, "data": {"sample_rate": 256}}


def datasets(fh: h5py.File) -> dict[str, h5py.Dataset]:
    out = {}
    fh.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_described(fh: h5py.File, units: dict[str, str]) -> None:
    """Every dataset has a description; those of ``units`` (and only those) a unit."""
    for name, ds in datasets(fh).items():
        assert isinstance(ds.attrs["description"], str) and ds.attrs["description"], name
        assert ds.attrs.get("unit") == units.get(name), name


def test_simulated_noise_file(tmp_path):
    rng = np.random.default_rng(0)
    domain = FrequencyDomain(4.0, 256.0, 20.0, 100.0)
    bins = domain.frequencies.size
    noise = {det: noise_files.SimulatedNoise(rng.normal(size=(3, bins)) + 1j * rng.normal(size=(3, bins)),
                                             rng.normal(size=domain.n_samples), rng.uniform(1, 2, bins))
             for det in ("H1", "L1")}
    path = tmp_path / "simulated_noise.hdf5"
    noise_files.write_simulated_noise(path, noise, domain, "GW0", CONFIG)
    with h5py.File(path) as fh:
        assert set(fh) == {"H1", "L1"}
        assert set(datasets(fh)) == {f"{d}/{n}" for d in ("H1", "L1")
                                     for n in ("frequencies", "frequency_domain", "time_domain", "psd")}
        for det, n in noise.items():
            np.testing.assert_array_equal(fh[f"{det}/frequencies"][()], domain.frequencies)
            np.testing.assert_array_equal(fh[f"{det}/frequency_domain"][()], n.frequency_domain)
            np.testing.assert_array_equal(fh[f"{det}/time_domain"][()], n.time_domain)
            np.testing.assert_array_equal(fh[f"{det}/psd"][()], n.psd)
            assert fh[f"{det}/time_domain"].attrs["gps_start"] == 0.0
            assert fh[f"{det}/time_domain"].attrs["sample_rate"] == 256.0
        assert fh["H1/frequency_domain"].attrs["description"] == (
            "coloured noise realisations (rows), windowed-data equivalent, zero outside the band")
        assert_described(fh, {f"{d}/{n}": u for d in ("H1", "L1") for n, u in
                              (("frequencies", "Hz"), ("frequency_domain", "strain/Hz"), ("time_domain", "strain"),
                               ("psd", "strain^2/Hz (one-sided)"))})
        assert dict(fh.attrs) == {"event": "GW0", "convention": WHITENING_CONVENTION, "config": json.dumps(CONFIG),
                                  "duration": 4.0, "sample_rate": 256.0, "roll_off": 0.4}


def test_noise_with_glitches_file(tmp_path):
    rng = np.random.default_rng(1)
    stretch = FrequencyDomain(8.0, 256.0, 20.0, 100.0, roll_off=0.0)
    stretches = {det: (rng.normal(size=stretch.n_samples), rng.normal(size=stretch.n_samples)) for det in ("H1", "V1")}
    path = tmp_path / "noise_with_glitches.hdf5"
    noise_files.write_noise_with_glitches(path, stretches, stretch, "GW0", CONFIG)
    with h5py.File(path) as fh:
        assert set(datasets(fh)) == {f"{d}/{n}" for d in ("H1", "V1") for n in ("gaussian", "with_glitches")}
        for det, (gaussian, with_glitches) in stretches.items():
            np.testing.assert_array_equal(fh[f"{det}/gaussian"][()], gaussian)
            np.testing.assert_array_equal(fh[f"{det}/with_glitches"][()], with_glitches)
        assert fh["V1/with_glitches"].attrs["description"] == (
            "the same Gaussian noise plus the glitches of the catalogue")
        assert_described(fh, {name: "strain" for name in datasets(fh)})
        assert dict(fh.attrs) == {"event": "GW0", "convention": WHITENING_CONVENTION, "sample_rate": 256.0,
                                  "duration": 8.0, "gps_start": 0.0, "config": json.dumps(CONFIG)}


def test_burst_set_file(tmp_path):
    rng = np.random.default_rng(2)
    domain = window_domain(0.5, 256.0, 20.0, 100.0)
    labels = np.array([0, 1, 1, 0])
    parameters = {"f0": np.array([50.0, np.nan, np.nan, 60.0]), "tau": rng.uniform(size=4),
                  "peak_time": rng.uniform(size=4)}
    bursts = BurstSet(rng.normal(size=(4, domain.n_samples)), labels, ("sine_gaussian", "gaussian_pulse"),
                      parameters, domain, {"source": "simulated", "set": "training", "peak_jitter": 0.1})
    path = tmp_path / "training_set.hdf5"
    bursts.write(path)
    with h5py.File(path) as fh:
        assert set(datasets(fh)) == {"series", "labels", "parameters/f0", "parameters/tau", "parameters/peak_time"}
        assert fh["series"].dtype == np.float32
        assert_described(fh, {"parameters/f0": "Hz", "parameters/tau": "s",
                              "parameters/peak_time": "s from the window's start"})
        assert json.loads(fh.attrs["classes"]) == ["sine_gaussian", "gaussian_pulse"]
    back = BurstSet.read(path)
    assert back.classes == bursts.classes and back.domain == domain
    assert back.attrs == {"source": "simulated", "set": "training", "peak_jitter": 0.1,
                          "normalisation": "unit optimal SNR in whitened data (gwda.glitches.families)"}
    np.testing.assert_array_equal(back.series, bursts.series.astype(np.float32))
    np.testing.assert_array_equal(back.labels, labels)
    for k, v in parameters.items():
        np.testing.assert_array_equal(back.parameters[k], v)


def test_generated_glitches_file(tmp_path):
    rng = np.random.default_rng(3)
    series, labels, snr = rng.normal(size=(3, 128)), np.array([0, 1, 2]), np.ones(3)
    attrs = {"classes": ["a", "b", "c"], "seed": 4, "window": 0.5, "glitches_per_second": 10.0, "threads": 2,
             "device": "cpu"}
    path = tmp_path / "generated.hdf5"
    glitch_files.write_generated(path, series, labels, snr, {"f0": np.array([30.0, 40.0, np.nan])}, attrs)
    with h5py.File(path) as fh:
        assert set(datasets(fh)) == {"series", "labels", "snr", "parameters/f0"}
        np.testing.assert_array_equal(fh["snr"][()], snr)
        np.testing.assert_array_equal(fh["parameters/f0"][()], [30.0, 40.0, np.nan])
        assert_described(fh, {"parameters/f0": "Hz"})
    back_series, back_labels, back_attrs = glitch_files.read_generated(path)
    np.testing.assert_array_equal(back_series, series.astype(np.float32))
    np.testing.assert_array_equal(back_labels, labels)
    assert back_attrs == attrs


def test_waveform_file(tmp_path):
    rng = np.random.default_rng(4)
    parameters = {"chirp_mass": rng.uniform(20, 40, 5), "mass_ratio": rng.uniform(size=5)}
    coefficients = rng.normal(size=(5, 3)) + 1j * rng.normal(size=(5, 3))
    basis = rng.normal(size=(3, 16)) + 1j * rng.normal(size=(3, 16))
    attrs = {"approximant": "IMRPhenomD", "separable": True, "n_failed": 0, "config": json.dumps(CONFIG)}
    path = tmp_path / "waveforms.hdf5"
    WaveformDataset(parameters, coefficients, basis, attrs).write(path)
    with h5py.File(path) as fh:
        assert set(datasets(fh)) == {"parameters/chirp_mass", "parameters/mass_ratio", "coefficients", "basis"}
        assert fh["coefficients"].dtype == np.complex64
        assert_described(fh, {"parameters/chirp_mass": "solar mass (detector frame)", "basis": "strain/Hz"})
    back = WaveformDataset.read(path)
    assert back.attrs == attrs
    np.testing.assert_array_equal(back.coefficients, coefficients.astype(np.complex64))
    np.testing.assert_array_equal(back.basis, basis)
    for k, v in parameters.items():
        np.testing.assert_array_equal(back.parameters[k], v)
    first = WaveformDataset.read(path, 2)
    assert first.coefficients.shape == (2, 3) and first.parameters["mass_ratio"].shape == (2,)


def test_denoiser_reconstruction_file(tmp_path):
    rng = np.random.default_rng(5)
    times = np.arange(64) / 32.0 - 1.0
    detectors = {ifo: {name: rng.normal(size=64) for name in denoiser_files.SERIES} for ifo in ("H1", "L1")}
    path = tmp_path / "denoised.hdf5"
    denoiser_files.write_reconstruction(path, times, detectors, "GW0", 1126259462.4, 32.0)
    with h5py.File(path) as fh:
        assert set(datasets(fh)) == {"times"} | {f"{i}/{n}" for i in ("H1", "L1") for n in
                                                 ("data", "denoised", "max_likelihood", "posterior_q05",
                                                  "posterior_q95")}
        np.testing.assert_array_equal(fh["times"][()], times)
        for ifo, series in detectors.items():
            for name, values in series.items():
                np.testing.assert_array_equal(fh[f"{ifo}/{name}"][()], values)
        assert_described(fh, {"times": "s"})
        assert fh.attrs["event"] == "GW0" and fh.attrs["sample_rate"] == 32.0
        assert fh.attrs["trigger_time"] == pytest.approx(1126259462.4)
        assert fh.attrs["description"] == denoiser_files.DESCRIPTION

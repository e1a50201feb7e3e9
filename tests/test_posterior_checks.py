"""Guards of the posterior stage: model/data mismatch and prior-boundary flags."""

import numpy as np
import pytest
from gwda.config import validate_config
from gwda.gw.domain import FrequencyDomain
from gwda.gw.priors import Prior
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd
from gwda.npe.analysis import ModelMismatchError, check_data_settings, data_fingerprint
from gwda.npe.summary import summarise


def _sim(f_min=20.0, duration=4.0, ifos=("H1", "L1")):
    d = FrequencyDomain(duration, 4096.0, f_min, 1024.0)
    psd = analytic_psd(d.frequencies)
    return Simulator(d, {i: psd for i in ifos}, 1126259462.4, 1126259462.4 - duration + 2,
                     WaveformSettings("IMRPhenomD", 20.0))


def test_model_applied_to_other_data_settings_is_refused():
    expected = data_fingerprint(_sim())
    check_data_settings(expected, _sim(), "model.json")
    with pytest.raises(ModelMismatchError, match="f_min: model 20.0, data 30.0"):
        check_data_settings(expected, _sim(f_min=30.0), "model.json")
    with pytest.raises(ModelMismatchError, match="detectors"):
        check_data_settings(expected, _sim(ifos=("H1",)), "model.json")
    with pytest.raises(ModelMismatchError, match="duration"):
        check_data_settings(expected, _sim(duration=8.0), "model.json")


def test_other_psd_is_refused():
    sim = _sim()
    expected = data_fingerprint(sim)
    sim.psds["L1"] = sim.psds["L1"] * 1.1
    with pytest.raises(ModelMismatchError, match="psd_sha256"):
        check_data_settings(expected, sim, "model.json")


def test_posterior_piled_against_a_prior_bound_is_flagged():
    config = validate_config({})
    prior = Prior(config["prior"])
    rng = np.random.default_rng(0)
    samples = prior.sample(rng, 5000)
    samples["luminosity_distance"] = rng.uniform(990, 1000, 5000)     # piles at the upper bound
    out = summarise(samples, prior, 0.1)
    assert out["luminosity_distance"]["at_prior_bound"] is True
    assert out["chirp_mass"]["at_prior_bound"] is False
    assert out["chirp_mass"]["lower_90"] < out["chirp_mass"]["median"] < out["chirp_mass"]["upper_90"]


def test_prior_samples_and_densities_agree():
    config = validate_config({})
    prior = Prior(config["prior"])
    rng = np.random.default_rng(1)
    s = prior.sample(rng, 200000)
    # power law d^2 on [100, 1000]: mean = 3/4 (b^4 - a^4)/(b^3 - a^3)
    a, b = 100.0, 1000.0
    assert np.mean(s["luminosity_distance"]) == pytest.approx(0.75 * (b**4 - a**4) / (b**3 - a**3), rel=0.005)
    assert np.mean(np.cos(s["theta_jn"])) == pytest.approx(0.0, abs=0.01)
    assert np.mean(np.sin(s["dec"])) == pytest.approx(0.0, abs=0.01)
    # densities integrate to one
    for name in ("luminosity_distance", "theta_jn", "dec", "chirp_mass"):
        lo, hi = prior.bounds(name)
        grid = np.linspace(lo, hi, 20001)
        assert np.trapezoid(np.exp(prior.priors[name].log_prob(grid)), grid) == pytest.approx(1.0, rel=1e-3)
    assert np.isneginf(prior.log_prob({**{k: v[:1] for k, v in s.items()}, "mass_ratio": np.array([1.5])}))[0]


def test_constrained_prior_is_normalised():
    spec = {"chirp_mass": {"type": "uniform", "minimum": 20, "maximum": 40},
            "mass_ratio": {"type": "uniform", "minimum": 0.25, "maximum": 1.0}}
    prior = Prior(spec, {"mass_2": [20.0, 1000.0]})
    mc, q = np.meshgrid(np.linspace(20, 40, 801), np.linspace(0.25, 1.0, 801))
    dens = np.exp(prior.log_prob({"chirp_mass": mc.ravel(), "mass_ratio": q.ravel()})).reshape(mc.shape)
    total = np.trapezoid(np.trapezoid(dens, mc[0], axis=1), q[:, 0])
    assert -1.5 < prior.log_acceptance < -0.05        # the constraint removes a real part
    assert total == pytest.approx(1.0, abs=0.01)
    s = prior.sample(np.random.default_rng(0), 1000)
    from gwda.gw.conversions import component_masses
    assert component_masses(s["chirp_mass"], s["mass_ratio"])[1].min() >= 20.0

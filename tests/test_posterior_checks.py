"""Guards of the posterior stage: model/data mismatch and prior-boundary flags."""

import json

import numpy as np
import pytest
from gwda.config import validate_config
from gwda.gw.domain import FrequencyDomain
from gwda.gw.priors import Prior
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd
from gwda.npe.analysis import ModelMismatchError, check_data_settings, data_fingerprint
from gwda.npe.summary import prior_bounds, summarise


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


def test_a_model_for_another_trigger_time_is_refused():
    expected = data_fingerprint(_sim())
    later = _sim()
    later.trigger_time += 0.01                  # 10 ms: a relative change of 1e-11 of the GPS time
    with pytest.raises(ModelMismatchError, match="trigger_time"):
        check_data_settings(expected, later, "model.json")


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
    out = summarise(samples, prior_bounds(prior), 0.1)
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


# -- a trained model as one object: model.json + network.pt --------------------------------

TRIGGER = 1126259462.4


def _write_psds(directory, scale=1.0):
    from gwda.gw.psd import PSD
    from gwda.io import psd_files

    d = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0)
    paths = []
    for ifo in ("H1", "L1"):
        paths.append(directory / f"{ifo}_psd.hdf5")
        psd_files.write(PSD(ifo, d.frequencies, scale * analytic_psd(d.frequencies)), paths[-1])
    return paths


@pytest.fixture
def model_files(tmp_path):
    """A model's description and an (untrained) network, as train_flow writes them."""
    torch = pytest.importorskip("torch")
    from gwda.config import config_sections
    from gwda.core.flows import PosteriorModel, save_network
    from gwda.npe.analysis import ModelAnalysis
    from gwda.stages import CONFIG

    config = config_sections(validate_config({"model": {"svd_size": 8, "embedding_hidden": [16], "context_features": 8,
                                                        "flow_transforms": 1, "flow_hidden": 8, "flow_blocks": 1}}),
                             CONFIG["train_flow"])
    psds = _write_psds(tmp_path)
    analysis = ModelAnalysis.from_config(config, psds, TRIGGER, "GW150914")
    settings = dict(config["model"], n_ifos=2, n_bins=analysis.simulator.n_bins, parameters=analysis.flow_parameters,
                    n_proxies=analysis.alignment.n_context)
    torch.manual_seed(0)
    sha = save_network(PosteriorModel(settings), tmp_path / "network.pt")
    analysis.write(tmp_path / "model.json", "network.pt", sha, {"seconds": 0.0, "final_validation_loss": 0.0})
    torch.manual_seed(1)
    save_network(PosteriorModel(settings), tmp_path / "other_network.pt")
    return tmp_path / "model.json", psds, settings


def test_trained_model_loads_and_samples_physical_parameters(model_files):
    from gwda.npe.model import TrainedModel

    path, psds, _ = model_files
    model = TrainedModel.load(path, psds)
    assert model.parameters == ["chirp_mass", "mass_ratio", "chi_1", "chi_2", "luminosity_distance", "theta_jn",
                                "psi", "ra", "dec", "geocent_time"]
    assert model.marginalized == ("phase",) and model.flow_parameters[-1] == "H1_time"
    data = {ifo: np.zeros(model.simulator.n_bins, dtype=complex) for ifo in model.simulator.ifos}
    params, log_q = model.sample(data, {"H1": 0.0, "L1": 0.005}, 200)
    assert set(params) == set(model.parameters) and log_q.shape == (200,)
    # the untrained flow's samples that map one-to-one onto the sky come back as ra, dec
    ok = np.isfinite(log_q)
    assert ok.any()
    assert np.all((params["ra"][ok] >= 0) & (params["ra"][ok] < 2 * np.pi) & (np.abs(params["dec"][ok]) <= np.pi / 2))


def _narrow_time_model(model_files):
    """The model with its time coordinate's scale at 1 ms, so that proxies a few ms apart give
    clearly different densities."""
    import torch
    from gwda.npe.model import TrainedModel

    path, psds, _ = model_files
    model = TrainedModel.load(path, psds)
    with torch.no_grad():
        model.network.param_std[model.network.parameters_inferred.index("H1_time")] = 1e-3
    return model, {ifo: np.zeros(model.simulator.n_bins, dtype=complex) for ifo in model.simulator.ifos}


def test_log_prob_of_physical_parameters_equals_the_sampled_density(model_files):
    import torch

    model, data = _narrow_time_model(model_files)
    proxies = {"H1": 0.002, "L1": 0.007}
    torch.manual_seed(3)
    params, log_q = model.sample(data, proxies, 2000)
    direct = model.log_prob(data, proxies, params)
    ok = np.isfinite(log_q)
    assert ok.sum() > 100 and np.all(np.isfinite(direct))
    # float32 spline inversion: 1e-3 nats (it is the physical → flow map that is checked)
    diff = np.abs(direct[ok] - log_q[ok])
    assert np.median(diff) < 1e-4 and np.mean(diff < 1e-3) > 0.99
    # aligned on other proxies the same parameters have other densities
    assert np.median(np.abs(model.log_prob(data, {"H1": 0.004, "L1": 0.009}, params)[ok] - log_q[ok])) > 0.1


def test_proxy_mixture_density_is_that_of_its_components(model_files):
    """sample_proxy_mixture: draws from (1/K) Σ q(θ | d, τ_k) with that density. For every
    component j, E_mix[q_j / q_mix] over the samples kept (finite density) is the fraction of
    q_j's own draws that are kept; a density that ignored the proxies' time shifts, or a
    wrong normalisation, misses it."""
    import torch

    model, data = _narrow_time_model(model_files)
    proxies = {"H1": 0.0, "L1": 0.005}
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    params, log_mix = model.sample_proxy_mixture(data, proxies, 30000, 3, rng, pilot=500)
    # the proxy sets the mixture drew: replay its generator up to the kernel draw
    torch.manual_seed(4)
    replay = np.random.default_rng(4)
    pilot, _ = model.sample(data, proxies, 500)
    arrival = model.simulator.arrival_times(pilot)
    rows = replay.choice(500, size=3, replace=False)
    kernel = model.alignment.draw_proxies({ifo: t[rows] for ifo, t in arrival.items()}, replay)
    sets = [{ifo: float(t[k]) for ifo, t in kernel.items()} for k in range(3)]
    assert max(abs(a["H1"] - b["H1"]) for a in sets for b in sets) > 1e-3
    kept = np.isfinite(log_mix)
    for tau in sets:
        ratio = np.where(kept, np.exp(model.log_prob(data, tau, params) - np.where(kept, log_mix, 0.0)), 0.0)
        own = np.isfinite(model.sample(data, tau, 20000)[1]).mean()
        # q_j / q_mix lies in [0, K]: the mean of 30 000 is known to ~1 %
        assert ratio.max() <= 3 + 1e-3
        assert ratio.mean() == pytest.approx(own, abs=0.04)


@pytest.mark.parametrize("reach", [1, 2])
def test_time_tails_mixture_reaches_past_the_window_with_its_exact_density(model_files, reach):
    """time_tails: (1 - s) q(θ | τ) + (s/2K) Σ_j Σ± q(θ | τ ± jκ), j = 1..K. For each
    component j, E_mix[s_j q_j / q_mix] over the kept samples is s_j times the fraction of
    q_j's own draws kept; a fifth of the samples are drawn one or more windows away, so the
    mixture proposes H1 arrival times past τ ± κ, where q(θ | τ) alone proposes few."""
    import torch

    model, data = _narrow_time_model(model_files)
    kappa = model.alignment.common_window
    proxies = {"H1": 0.0, "L1": 0.005}
    torch.manual_seed(6)
    params, log_mix = model.time_tails(data, proxies, 0.2, np.random.default_rng(6), reach)(30000)
    kept = np.isfinite(log_mix)
    shifts = [(j * sign * kappa, 0.2 / (2 * reach)) for j in range(1, reach + 1) for sign in (-1, 1)]
    for shift, share in ((0.0, 0.8), *shifts):
        tau = {k: v + shift for k, v in proxies.items()}
        ratio = np.where(kept, share * np.exp(model.log_prob(data, tau, params) - np.where(kept, log_mix, 0.0)), 0.0)
        own = np.isfinite(model.sample(data, tau, 20000)[1]).mean()
        assert ratio.max() <= 1 + 1e-3
        assert ratio.mean() == pytest.approx(share * own, abs=0.02)
    past = lambda p: np.mean(np.abs(model.simulator.arrival_times(p)["H1"] - proxies["H1"]) > kappa)  # noqa: E731
    alone, _ = model.sample(data, proxies, 30000)
    assert past(params) > past(alone) + 0.05


class _FaceOnProposal:
    """A proposal short of the face-away mode: the prior with θ_jn > π/2 reflected to
    π - θ_jn four times in five (face-away mass 0.1 instead of 0.5), with its exact density."""

    def __init__(self, model, seed):
        self.model, self.rng = model, np.random.default_rng(seed)

    def draw(self, n):
        m = self.model
        params = {k: v for k, v in m.prior.sample(self.rng, n).items() if k in m.parameters}
        th = params["theta_jn"]
        flip = (th > np.pi / 2) & (self.rng.random(n) < 0.8)
        th[flip] = np.pi - th[flip]
        return params, m.log_prior(m.with_fixed(params)) + np.where(th > np.pi / 2, np.log(0.2), np.log(1.8))

    def log_density(self, params, own):
        return own

    __call__ = draw


class _Eager:
    """A mixture proposal whose every draw comes with the mixture's density."""

    def __init__(self, mixture):
        self.draw = mixture

    def log_density(self, params, own):
        return own


@pytest.mark.parametrize("rounds, marginal_bins", [(1, 0), (3, 0), (3, 4)])
def test_rebalanced_proposal_moves_samples_to_the_missing_mode_and_keeps_the_evidence(model_files, rounds,
                                                                                     marginal_bins):
    """inference.rebalance: from a pilot that finds the face-away half of the posterior
    underweighted by the proposal, the rest of the samples are drawn with that half's share
    raised to (1 - λ) P + λ Q (in one part, or in three with P estimated again before each;
    with every parameter's quantile bins tilted too, or not), and weighted with the
    mixture's density: the evidence agrees with a plain draw's, the efficiency is higher, and
    the NPE result (resampled back to the proposal) keeps the proposal's face-away share."""
    from gwda.npe.analysis import ModelAnalysis
    from gwda.npe.posterior import FlowSamples, importance_sampled, npe_result
    from gwda.npe.proposal import Rebalancing, draw_to_target_ess

    path, _, _ = model_files
    config = json.loads(path.read_text())["config"]
    quiet = path.parent / "quiet"
    quiet.mkdir()
    model = ModelAnalysis.from_config(config, _write_psds(quiet, scale=1e4), TRIGGER, "GW150914")
    data = {ifo: v[0] for ifo, v in model.simulator.noise(1, np.random.default_rng(3)).items()}
    n = 6000

    plain = draw_to_target_ess(model, data, None, n, np.inf, n, proposal=_FaceOnProposal(model, 1))
    rebalance = Rebalancing({"theta_jn": 2}, pilot_fraction=0.2, defensive=0.3, mass_samples=20000, rounds=rounds,
                            marginal_bins=marginal_bins)
    draw = draw_to_target_ess(model, data, None, n, np.inf, n, rebalance=rebalance, rng=np.random.default_rng(2),
                              proposal=_FaceOnProposal(model, 2))
    assert draw.log_q.size == n and draw.rebalancing["pilot_samples"] == 1200
    assert draw.rebalancing["parts"] == 1 + rounds
    face_away = draw.params["theta_jn"] > np.pi / 2
    # the pilot's face-away share is the proposal's; the rest's is raised towards the prior's 0.5
    assert face_away[:1200].mean() == pytest.approx(0.1, abs=0.03)
    assert face_away[1200:].mean() == pytest.approx(0.7 * 0.5 + 0.3 * 0.1, abs=0.06)
    assert draw.rebalancing["flow_mass"][1] == pytest.approx(0.1, abs=0.01)
    assert draw.rebalancing["proposal_mass"][1] == pytest.approx(0.7 * 0.5 + 0.3 * 0.1, abs=0.06)
    assert set(draw.rebalancing["dimensions"]) == {"cells"} | (set(model.parameters) if marginal_bins else set())

    a = importance_sampled(FlowSamples(model, plain.params, plain.log_q), data, np.random.default_rng(0),
                           exact=(plain.log_likelihood, plain.overlap))
    flow = FlowSamples(model, draw.params, draw.log_q, draw.log_flow)
    b = importance_sampled(flow, data, np.random.default_rng(0), exact=(draw.log_likelihood, draw.overlap))
    error = np.hypot(a.sampler["log_evidence_error"], b.sampler["log_evidence_error"])
    assert abs(a.sampler["log_evidence"] - b.sampler["log_evidence"]) < 3 * error
    assert b.sampler["sample_efficiency"] > a.sampler["sample_efficiency"] + 0.2
    assert np.mean(b.samples["theta_jn"] > np.pi / 2) == pytest.approx(0.5, abs=0.06)
    npe = npe_result(flow, np.random.default_rng(0))
    assert np.mean(npe.samples["theta_jn"] > np.pi / 2) == pytest.approx(0.1, abs=0.03)


def test_time_window_cells_split_arrival_times_at_the_window_edges(model_files):
    """rebalance.time_window: a sample's cell says whether the first detector's arrival time
    lies before, within or after the common window around its proxy (with the bins of the
    named parameters as the slower index)."""
    import torch
    from gwda.npe.proposal import Rebalancing, _cells

    model, data = _narrow_time_model(model_files)
    kappa = model.alignment.common_window
    proxies = {"H1": 0.001, "L1": 0.006}
    torch.manual_seed(7)
    params, _ = model.time_tails(data, proxies, 0.5, np.random.default_rng(7))(4000)
    cells, label = _cells(model, proxies, Rebalancing({"theta_jn": 2}, time_window=True))
    assert cells.size == 6
    offset = model.simulator.arrival_times(model.with_fixed(params))["H1"] - proxies["H1"]
    expected = 3 * (params["theta_jn"] > np.pi / 2) + (offset > -kappa) + (offset > kappa)
    np.testing.assert_array_equal(label(params), expected)
    assert np.all(np.bincount(label(params), minlength=6) > 0)      # every cell is reached


def test_rejection_from_a_mixture_evaluates_its_density_for_the_kept_draws_alone(model_files):
    """_draw_rebalanced with the time-tails mixture: the draws kept and their ln q are those of
    the mixture sampled with its density (same seeds), and its K densities are evaluated for
    the kept rows only."""
    import torch
    from gwda.core.importance import Tilt
    from gwda.npe.proposal import Rebalancing, _dimensions, _draw_rebalanced, _FlowDraws

    model, data = _narrow_time_model(model_files)
    proxies = {"H1": 0.001, "L1": 0.006}
    _, label, _ = _dimensions(model, proxies, Rebalancing({"theta_jn": 2}, time_window=True), {})
    tilt = Tilt({"cells": np.log([1, 1, 1, 1, 8, 1])}, 0.1, 8.0)   # face-away within the window raised
    calls = []
    log_prob = model.log_prob
    model.log_prob = lambda d, tau, params: calls.append(params["theta_jn"].size) or log_prob(d, tau, params)
    out = []
    for proposal in (_Eager(model.time_tails(data, proxies, 0.2, np.random.default_rng(4))),
                     model.time_tails(data, proxies, 0.2, np.random.default_rng(4))):
        torch.manual_seed(5)
        calls.clear()
        out.append((*_draw_rebalanced(proposal, 600, label, tilt, _FlowDraws(), 0, np.random.default_rng(6)),
                    sum(calls)))
    (eager, eager_q, eager_rows), (kept, kept_q, kept_rows) = out
    for k in eager:
        np.testing.assert_array_equal(eager[k], kept[k])
    # float32 networks: a row's ln q moves in the 7th digit with the batch it is evaluated in
    np.testing.assert_allclose(kept_q, eager_q, rtol=1e-5)
    assert np.isfinite(kept_q).sum() > 30
    assert kept_rows == 3 * 600 and eager_rows > 2 * kept_rows


def test_rebalancing_names_an_unknown_parameter():
    from gwda.npe.proposal import Rebalancing

    with pytest.raises(ValueError, match="inference.rebalance.bins.*thetajn"):
        Rebalancing.from_settings({"bins": {"thetajn": 2}, "pilot_fraction": 0.2, "defensive": 0.3},
                                  ["chirp_mass", "theta_jn"])
    assert Rebalancing.from_settings({"bins": {}, "pilot_fraction": 0.2, "defensive": 0.3}, ["theta_jn"]) is None
    assert Rebalancing.from_settings({"bins": {}, "pilot_fraction": 0.2, "defensive": 0.3, "time_window": True},
                                     ["theta_jn"]).time_window


def test_trained_model_refuses_a_network_or_psd_it_was_not_trained_with(model_files, tmp_path):
    from gwda.npe.analysis import ModelMismatchError
    from gwda.npe.model import TrainedModel

    path, psds, _ = model_files
    with pytest.raises(ModelMismatchError, match="checksum differs"):
        TrainedModel.load(path, psds, tmp_path / "other_network.pt")
    broken = tmp_path / "broken.json"
    broken.write_text('{"config": {}')
    with pytest.raises(ModelMismatchError, match="broken.json is not a model description"):
        TrainedModel.load(broken, psds)
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(ModelMismatchError, match="psd_sha256"):
        TrainedModel.load(path, _write_psds(other, scale=1.1))


def test_model_analysis_is_read_without_torch(model_files):
    """importance_sample's environment has no torch: model.json alone gives the analysis."""
    import subprocess
    import sys
    from pathlib import Path

    import gwda

    path, psds, _ = model_files
    code = ("import sys; from gwda.npe.analysis import ModelAnalysis; "
            f"a = ModelAnalysis.load({str(path)!r}, {[str(p) for p in psds]!r}); "
            "assert a.parameters[0] == 'chirp_mass'; assert 'torch' not in sys.modules, 'torch imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(Path(gwda.__file__).parents[1]), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]


def test_model_refuses_strain_of_another_segment(model_files, tmp_path):
    from gwda.io.gwosc_files import Strain
    from gwda.io.strain import write
    from gwda.npe.analysis import ModelAnalysis, ModelMismatchError

    path, psds, _ = model_files
    analysis = ModelAnalysis.load(path, psds)
    start = analysis.simulator.segment_start
    paths = []
    for ifo, shift in (("H1", 0.0), ("L1", 1.0)):
        strain = Strain(ifo, start - 2.0, 4096.0, np.random.default_rng(0).normal(size=8 * 4096))
        paths.append(tmp_path / f"{ifo}.hdf5")
        write(paths[-1], strain, {"segment": [start + shift, start + shift + 4.0], "psd_chunks": []})
    with pytest.raises(ModelMismatchError, match="L1 strain holds the segment"):
        analysis.whitened_data(paths)


def test_standardised_offset_and_interval_coverage():
    from gwda.core.coverage import interval_coverage, standardised_offset

    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 0.5, 200_000)
    assert standardised_offset(x, 2.0) == pytest.approx(2.0, abs=0.02)
    assert standardised_offset(x, 3.5) == pytest.approx(-1.0, abs=0.02)
    # Weights that halve the samples above the median move the weighted median down.
    w = np.where(x > 3.0, 0.5, 1.0)
    assert standardised_offset(x, 3.0, w) < -0.1
    # Periodic: samples around 0.1 rad and a truth at 2π - 0.1 are 0.2 rad apart, not 2π - 0.2.
    ra = rng.normal(0.1, 0.05, 100_000) % (2 * np.pi)
    assert standardised_offset(ra, 2 * np.pi - 0.1, period=2 * np.pi) == pytest.approx(4.0, abs=0.1)
    assert interval_coverage(np.array([0.01, 0.05, 0.5, 0.95, 0.99])) == pytest.approx(0.6)


def test_a_loud_glitch_on_the_merger_moves_the_exact_posterior():
    """What glitch_robustness measures can see damage. The exact-likelihood posterior of the
    chirp mass (the other parameters at their true values; width ≈ 0.02 M☉) of an injection at
    network SNR 20 in Gaussian noise holds the truth within 3 posterior widths; a sine-Gaussian
    glitch of SNR 40 added to H1 on the merger moves its median by more than 3 widths."""
    from gwda.core.coverage import standardised_offset
    from gwda.glitches import families
    from gwda.glitches.injection import in_segment
    from gwda.gw.likelihood import GaussianLikelihood

    domain = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.4)
    psd = analytic_psd(domain.frequencies)
    sim = Simulator(domain, {"H1": psd, "L1": psd}, TRIGGER, TRIGGER - 2.0, WaveformSettings("IMRPhenomD", 20.0))
    truth = {k: np.array([v]) for k, v in dict(chirp_mass=30.0, mass_ratio=0.8, chi_1=0.0, chi_2=0.0, theta_jn=0.4,
                                                   phase=1.0, luminosity_distance=1000.0, ra=1.4, dec=-1.2, psi=0.3,
                                                   geocent_time=0.0).items()}
    signal = sim.signal(truth)
    scale = 20.0 / np.sqrt(sum(v[0] ** 2 for v in sim.optimal_snr(signal).values()))
    truth["luminosity_distance"] = truth["luminosity_distance"] / scale
    noise = sim.noise(1, np.random.default_rng(4))
    clean = {i: signal[i][0] * scale + noise[i][0] for i in sim.ifos}
    window = families.window_domain(0.25, 4096.0, 20.0, 1024.0)
    ranges = validate_config({})["glitches"]["ranges"]["sine_gaussian"]
    burst = families.draw("sine_gaussian", 1, ranges, window, np.random.default_rng(1), 0.0)[0][0]
    start = 2.0 + sim.arrival_times(truth)["H1"][0] - 0.125
    glitched = dict(clean, H1=clean["H1"] + in_segment(burst, start, 40.0, domain))
    grid = np.linspace(26.0, 34.0, 1601)
    params = {k: np.full(grid.size, v[0]) for k, v in truth.items()}
    params["chirp_mass"] = grid

    def offset(data):
        lnl = GaussianLikelihood(sim, data).log_likelihood(params)
        weights = np.exp(lnl - lnl.max())
        assert weights[0] < 1e-6 and weights[-1] < 1e-6             # the grid holds the posterior
        return standardised_offset(grid, 30.0, weights)

    without = offset(clean)
    assert abs(without) < 3
    assert abs(offset(glitched) - without) > 3


def test_sampling_to_a_target_ess_stops_when_it_is_reached(model_files):
    """inference.target_ess: batches are drawn until the importance-sampling ESS reaches the
    target (not before, not a batch later), or until the sample cap; the ln L it hands on
    are those importance sampling would compute. The proposal here is the prior itself (a
    proposal whose weights are the likelihood), so that the ESS grows with every batch."""
    from gwda.core import importance
    from gwda.npe.analysis import ModelAnalysis
    from gwda.npe.posterior import FlowSamples, exact_weights, importance_sampled
    from gwda.npe.proposal import draw_to_target_ess

    class PriorProposal(ModelAnalysis):
        rng = np.random.default_rng(5)

        def sample(self, data, proxies, n):
            params = {k: v for k, v in self.prior.sample(self.rng, n).items() if k in self.parameters}
            return params, self.log_prior(self.with_fixed(params))

    path, _, _ = model_files
    config = json.loads(path.read_text())["config"]
    quiet = path.parent / "quiet"
    quiet.mkdir()
    # noise 10^4 times the design PSD: every prior signal has SNR of order one, so that the
    # likelihood weights of prior draws are spread over many of them
    model = PriorProposal.from_config(config, _write_psds(quiet, scale=1e4), TRIGGER, "GW150914")
    sim = model.simulator
    data = {ifo: v[0] for ifo, v in sim.noise(1, np.random.default_rng(3)).items()}

    def ess(params, log_q, lnl):
        return importance.weights_and_evidence(lnl, FlowSamples(model, params, log_q).log_prior,
                                               log_q)["effective_sample_size"]

    batch, target = 100, 150.0
    draw = draw_to_target_ess(model, data, None, batch, target, 10**5)
    params, log_q, lnl, overlap = draw.params, draw.log_q, draw.log_likelihood, draw.overlap
    n = log_q.size
    assert n % batch == 0 and n >= 2 * batch, n        # more than one batch was needed
    assert ess(params, log_q, lnl) >= target
    head = {k: v[:n - batch] for k, v in params.items()}
    assert ess(head, log_q[:n - batch], lnl[:n - batch]) < target
    # what it hands on equals what importance sampling computes from the samples
    flow = FlowSamples(model, params, log_q)
    lnl_again, overlap_again, _ = exact_weights(flow, model.likelihood(data))
    np.testing.assert_allclose(lnl, lnl_again)
    np.testing.assert_allclose(overlap, overlap_again)
    a = importance_sampled(flow, data, np.random.default_rng(0), exact=(lnl, overlap))
    b = importance_sampled(flow, data, np.random.default_rng(0))
    assert a.sampler["log_evidence"] == b.sampler["log_evidence"]
    # the cap stops it short of an unreachable target, with exactly the cap drawn
    assert draw_to_target_ess(model, data, None, batch, 1e9, 250).log_q.size == 250
    # a batch already drawn is the first, not drawn again
    given = model.sample(data, None, batch)
    draw = draw_to_target_ess(model, data, None, batch, 1e9, 250, first=given)
    params, log_q = draw.params, draw.log_q
    assert log_q.size == 250 and np.array_equal(log_q[:batch], given[1])
    assert all(np.array_equal(params[k][:batch], given[0][k]) for k in given[0])

"""Time alignment (proxies, aligned data), the flow's coordinates and the matched filter."""

import numpy as np
import pytest
from gwda.gw.alignment import TimeAlignment
from gwda.gw.coordinates import FlowCoordinates
from gwda.gw.detectors import SPEED_OF_LIGHT, Detector, DetectorSkyFrame
from gwda.gw.domain import FrequencyDomain
from gwda.gw.likelihood import GaussianLikelihood
from gwda.gw.matched_filter import find_trigger
from gwda.gw.priors import Prior
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings, polarizations
from gwda.io.synthetic import analytic_psd
from scipy import stats

TRIGGER = 1126259462.4
DOMAIN = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.4)
PARAMS = dict(chirp_mass=30.0, mass_ratio=0.8, chi_1=0.2, chi_2=-0.1, theta_jn=2.6, phase=1.0,
              luminosity_distance=400.0, ra=2.1, dec=-1.2, psi=1.5, geocent_time=0.013)
PRIOR = {"ra": {"type": "uniform", "minimum": 0.0, "maximum": 2 * np.pi},
         "dec": {"type": "cosine", "minimum": -np.pi / 2, "maximum": np.pi / 2},
         "geocent_time": {"type": "uniform", "minimum": -0.1, "maximum": 0.1}}


@pytest.fixture(scope="module")
def sim():
    psd = analytic_psd(DOMAIN.frequencies)
    return Simulator(DOMAIN, {"H1": psd, "L1": psd}, TRIGGER, TRIGGER - 2.0, WaveformSettings("IMRPhenomD", 20.0))


def _arrays(params):
    return {k: np.atleast_1d(v) for k, v in params.items()}


def test_aligned_data_equal_signals_projected_with_the_alignment(sim):
    params = _arrays(PARAMS)
    hp, hc = sim.polarizations(params)
    align = {"H1": 0.0171, "L1": 0.0102}
    shifted = sim.align_data({k: v[0] for k, v in sim.project(hp, hc, params).items()}, align)
    direct = sim.project(hp, hc, params, align={k: np.array([v]) for k, v in align.items()})
    for ifo in sim.ifos:
        np.testing.assert_allclose(shifted[ifo], direct[ifo][0], atol=1e-10 * np.abs(direct[ifo]).max())


def test_proxies_follow_their_flat_kernel(sim):
    alignment = TimeAlignment(("H1", "L1"), 0.008, 0.002)
    rng = np.random.default_rng(0)
    arrival = sim.arrival_times(Prior(PRIOR).sample(rng, 20000))
    proxies = alignment.draw_proxies(arrival, rng)
    common = (proxies["H1"] - arrival["H1"]) / 0.008
    relative = ((proxies["L1"] - proxies["H1"]) - (arrival["L1"] - arrival["H1"])) / 0.002
    for u in (common, relative):
        assert np.all(np.abs(u) <= 1)
        assert stats.kstest((u + 1) / 2, "uniform").pvalue > 1e-3
    np.testing.assert_allclose(alignment.context(proxies)[:, 0], proxies["L1"] - proxies["H1"])
    # Samples inside the windows are not flagged; samples piled at an edge are.
    inside = alignment.window_fractions(arrival, {k: v.copy() for k, v in arrival.items()})
    assert inside == {"H1": 0.0, "L1": 0.0}
    edge = alignment.window_fractions({k: v + 0.0079 for k, v in arrival.items()}, arrival)
    assert edge["H1"] == 1.0 and edge["L1"] == 0.0


def test_detector_sky_frame():
    h1, l1 = Detector("H1"), Detector("L1")
    frame = DetectorSkyFrame(h1, l1, TRIGGER)
    rng = np.random.default_rng(1)
    ra, dec = rng.uniform(0, 2 * np.pi, 5000), np.arcsin(rng.uniform(-1, 1, 5000))
    zenith, azimuth = frame.from_ra_dec(ra, dec)
    back = frame.to_ra_dec(zenith, azimuth)
    np.testing.assert_allclose(back[0], ra, atol=1e-9)
    np.testing.assert_allclose(back[1], dec, atol=1e-9)
    # The zenith angle fixes the arrival-time difference between the two detectors.
    dt = l1.time_delay_from_geocenter(ra, dec, TRIGGER) - h1.time_delay_from_geocenter(ra, dec, TRIGGER)
    np.testing.assert_allclose(dt, -frame.baseline * np.cos(zenith) / SPEED_OF_LIGHT, atol=1e-12)
    # Isotropic in one frame, isotropic in the other.
    assert stats.kstest((np.cos(zenith) + 1) / 2, "uniform").pvalue > 1e-3
    assert stats.kstest(azimuth / (2 * np.pi), "uniform").pvalue > 1e-3


def test_flow_coordinates_round_trip_and_jacobian(sim):
    alignment = TimeAlignment(("H1", "L1"), 0.008, 0.002)
    coords = FlowCoordinates(sim, alignment, ["chirp_mass", "ra", "dec", "geocent_time"], Prior(PRIOR))
    assert coords.names == ["chirp_mass", "zenith", "azimuth", "H1_time"]
    rng = np.random.default_rng(2)
    theta = Prior(PRIOR).sample(rng, 500)
    theta["chirp_mass"] = rng.uniform(20, 40, 500)
    arrival = sim.arrival_times(theta)
    proxies = {k: float(v[0]) for k, v in alignment.draw_proxies(arrival, rng).items()}
    flow = coords.to_flow(theta, arrival, proxies)
    back, log_jac = coords.from_flow(flow, proxies, rng)
    for k in theta:
        np.testing.assert_allclose(back[k], theta[k], atol=1e-9)
    # |∂(zenith, azimuth)/∂(ra, dec)| by finite differences
    eps = 1e-6
    z0, a0 = coords.sky.from_ra_dec(theta["ra"], theta["dec"])
    z1, a1 = coords.sky.from_ra_dec(theta["ra"] + eps, theta["dec"])
    z2, a2 = coords.sky.from_ra_dec(theta["ra"], theta["dec"] + eps)
    wrap = lambda d: (d + np.pi) % (2 * np.pi) - np.pi  # noqa: E731
    det = ((z1 - z0) * wrap(a2 - a0) - (z2 - z0) * wrap(a1 - a0)) / eps**2
    ok = np.abs(np.cos(theta["dec"])) > 0.05
    np.testing.assert_allclose(log_jac[ok], np.log(np.abs(det[ok])), atol=1e-4)


def test_phase_marginalised_likelihood_repeats_every_half_pi_in_psi(sim):
    """The symmetry behind the ψ fold: ψ → ψ + π/2 flips the sign of a 22-mode signal, which
    the phase marginalisation absorbs; without it (phase fixed) the likelihood changes."""
    params = _arrays(PARAMS)
    rng = np.random.default_rng(5)
    data = {i: (sim.signal(params)[i] + sim.noise(1, rng)[i])[0] for i in sim.ifos}
    psi = np.array([0.3, 1.1, 1.5])
    trial = {k: np.repeat(v, 3) for k, v in params.items()}
    shifted = {**trial, "psi": psi + np.pi / 2}
    trial["psi"] = psi
    marginalized, fixed_phase = GaussianLikelihood(sim, data, True), GaussianLikelihood(sim, data, False)
    lnl = marginalized.evaluate(trial)[0]
    lnl_shifted = marginalized.evaluate(shifted)[0]
    np.testing.assert_allclose(lnl_shifted, lnl, atol=1e-6 * np.abs(lnl).max())
    fixed = fixed_phase.evaluate(trial)[0]
    fixed_shifted = fixed_phase.evaluate(shifted)[0]
    assert np.all(np.abs(fixed_shifted - fixed) > 1.0)


def test_psi_is_folded_only_where_the_posterior_repeats(sim):
    alignment = TimeAlignment(("H1",), 0.008, 0.002)
    psi_prior = {"psi": {"type": "uniform", "minimum": 0.0, "maximum": np.pi},
                 "phase": {"type": "uniform", "minimum": 0.0, "maximum": 2 * np.pi}}
    coords = FlowCoordinates(sim, alignment, ["psi"], Prior(psi_prior))
    assert coords.names == ["psi_folded"]
    # Phase inferred, or ψ on another range: no exact symmetry, no fold.
    assert FlowCoordinates(sim, alignment, ["psi", "phase"], Prior(psi_prior)).names == ["psi", "phase"]
    other = {**psi_prior, "psi": {"type": "uniform", "minimum": 0.0, "maximum": np.pi / 2}}
    assert FlowCoordinates(sim, alignment, ["psi"], Prior(other)).names == ["psi"]
    # A flow uniform on [0, π/2) gives ψ uniform on [0, π) with density 1/π; samples outside
    # the folded range are marked (NaN density).
    rng = np.random.default_rng(4)
    folded = np.append(rng.uniform(0, np.pi / 2, 20000), [-0.1, np.pi / 2 + 0.1])
    back, log_jac = coords.from_flow({"psi_folded": folded}, {}, rng)
    log_q = np.log(2 / np.pi) + log_jac
    np.testing.assert_allclose(log_q[:-2], -np.log(np.pi))
    assert np.all(np.isnan(log_jac[-2:]))
    assert stats.kstest(back["psi"][:-2] / np.pi, "uniform").pvalue > 1e-3
    np.testing.assert_allclose(coords.to_flow(back, {}, {})["psi_folded"][:-2], folded[:-2], atol=1e-12)


def test_matched_filter_finds_the_arrival_times(sim):
    """An injection at network SNR ~20, searched with a bank that contains its waveform:
    arrival times within half a sample, SNR within 3σ of the optimal SNR."""
    params = _arrays(PARAMS)
    signal = sim.signal(params)
    rng = np.random.default_rng(3)
    noise = sim.noise(1, rng)
    data = {i: (signal[i] + noise[i])[0] for i in sim.ifos}
    bank = {k: np.full(3, PARAMS[k]) for k in ("chirp_mass", "mass_ratio", "chi_1", "chi_2")}
    bank["chirp_mass"] = np.array([30.0, 24.0, 38.0])
    templates = np.stack([polarizations({**{k: v[i] for k, v in bank.items()}, "theta_jn": 0.0, "phase": 0.0},
                                        sim.waveform, DOMAIN)[0] for i in range(3)])
    # The templates as their own basis: coefficients are the identity.
    trigger = find_trigger(sim, data, bank, np.eye(3, dtype=complex), templates)
    assert trigger.template["chirp_mass"] == 30.0
    assert trigger.effective_templates == pytest.approx(1.0)   # the others fit far worse
    arrival = sim.arrival_times(params)
    for ifo in sim.ifos:
        assert abs(trigger.times[ifo] - arrival[ifo][0]) < 0.5 / DOMAIN.sample_rate
        assert abs(trigger.snr[ifo] - np.sqrt(np.sum(np.abs(signal[ifo]) ** 2))) < 3

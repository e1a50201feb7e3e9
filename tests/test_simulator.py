"""The simulator against independent PyCBC computations."""

import numpy as np
import pytest
from gwda.gw.conversions import component_masses
from gwda.gw.detectors import Detector
from gwda.gw.domain import FrequencyDomain
from gwda.gw.likelihood import GaussianLikelihood
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings, apply_angles, polarizations
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4
DOMAIN = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.4)
PARAMS = dict(chirp_mass=28.0, mass_ratio=0.8, chi_1=0.3, chi_2=-0.1, theta_jn=0.6, phase=1.0,
              luminosity_distance=400.0, ra=1.4, dec=-1.2, psi=0.5, geocent_time=0.01)


@pytest.fixture(scope="module")
def simulator():
    psd = analytic_psd(DOMAIN.frequencies)
    return Simulator(DOMAIN, {"H1": psd, "L1": 1.3 * psd}, TRIGGER, TRIGGER - 2.0,
                     WaveformSettings("IMRPhenomD", 20.0))


def _arrays(params):
    return {k: np.atleast_1d(v) for k, v in params.items()}


@pytest.mark.parametrize("det", ["H1", "L1", "V1"])
def test_antenna_patterns_and_delays_match_pycbc(det):
    from pycbc.detector import Detector as PycbcDetector

    rng = np.random.default_rng(0)
    ra, dec, psi = rng.uniform(0, 2 * np.pi, 50), np.arcsin(rng.uniform(-1, 1, 50)), rng.uniform(0, np.pi, 50)
    ours, theirs = Detector(det), PycbcDetector(det)
    fp, fc = ours.antenna_pattern(ra, dec, psi, TRIGGER)
    fp2, fc2 = theirs.antenna_pattern(ra, dec, psi, TRIGGER)
    # PyCBC estimates GMST by interpolation (~1e-5 rad); LAL computes it exactly.
    np.testing.assert_allclose(fp, fp2, atol=1e-4)
    np.testing.assert_allclose(fc, fc2, atol=1e-4)
    np.testing.assert_allclose(ours.time_delay_from_geocenter(ra, dec, TRIGGER),
                               theirs.time_delay_from_earth_center(ra, dec, TRIGGER), atol=1e-6)


def test_inclination_and_phase_are_separable_for_22_mode_aligned_spins():
    settings = WaveformSettings("IMRPhenomD", 20.0)
    base = dict(chirp_mass=30.0, mass_ratio=0.7, chi_1=0.4, chi_2=-0.3)
    a, _ = polarizations({**base, "theta_jn": 0.0, "phase": 0.0}, settings, DOMAIN)
    for theta_jn, phase in ((0.4, 1.1), (2.5, 4.0)):
        hp, hc = polarizations({**base, "theta_jn": theta_jn, "phase": phase}, settings, DOMAIN)
        ep, ec = apply_angles(a, theta_jn, phase)
        np.testing.assert_allclose(ep, hp, atol=1e-12 * np.abs(hp).max())
        np.testing.assert_allclose(ec, hc, atol=1e-12 * np.abs(hc).max())


def test_optimal_snr_matches_pycbc_sigma(simulator):
    from pycbc.detector import Detector as PycbcDetector
    from pycbc.filter import sigma
    from pycbc.types import FrequencySeries
    from pycbc.waveform import get_fd_waveform

    snr = simulator.optimal_snr(simulator.signal(_arrays(PARAMS)))
    m1, m2 = component_masses(PARAMS["chirp_mass"], PARAMS["mass_ratio"])
    hp, hc = get_fd_waveform(approximant="IMRPhenomD", mass1=float(m1), mass2=float(m2),
                             spin1z=0.3, spin2z=-0.1, distance=400.0, inclination=0.6,
                             coa_phase=1.0, delta_f=0.25, f_lower=20.0, f_final=2048.0)
    for ifo, psd in simulator.psds.items():
        fp, fc = PycbcDetector(ifo).antenna_pattern(PARAMS["ra"], PARAMS["dec"], PARAMS["psi"], TRIGGER)
        h = fp * hp + fc * hc
        # The windowed data see the PSD times <w^2> (gwda.gw.domain): give PyCBC the same.
        pycbc_psd = FrequencySeries(psd * DOMAIN.window_factor, delta_f=DOMAIN.delta_f)
        h.resize(len(pycbc_psd))
        expected = sigma(h, pycbc_psd, low_frequency_cutoff=20.0, high_frequency_cutoff=1024.0)
        assert snr[ifo][0] == pytest.approx(expected, rel=1e-4)


def test_time_domain_injection_recovers_optimal_snr_and_arrival_time_by_matched_filter(simulator):
    """Signal -> time domain -> Tukey window -> FFT -> whitening: the matched-filter SNR of
    the noiseless data with the template equals the optimal SNR, and the data correlate best
    with the template moved to the trigger time at a lag equal to the detector's arrival time
    (geocentre time plus PyCBC's delay from the Earth's centre), to 2 µs."""
    from pycbc.detector import Detector as PycbcDetector

    params = _arrays(PARAMS)
    whitened = simulator.signal(params)
    arrival = simulator.arrival_times(params)
    n = DOMAIN.n_samples
    for ifo, h_w in whitened.items():
        full = np.zeros(DOMAIN.frequencies.size, dtype=complex)
        full[DOMAIN.mask] = h_w[0] / simulator.whitening[ifo]        # unwhiten
        x = np.fft.irfft(full, n=n) / DOMAIN.delta_t
        d_w = simulator.whiten_segment({ifo: x})[ifo]
        # the window (flat over the merger) barely changes the signal; the effective PSD
        # already includes <w^2>, so the data's SNR is sqrt(<w^2>)^-1 x window overlap.
        overlap = np.real(np.vdot(h_w[0], d_w)) / np.sqrt(np.vdot(h_w[0], h_w[0]).real)
        assert overlap == pytest.approx(np.sqrt(np.sum(np.abs(h_w) ** 2)), rel=0.02)
        template = simulator.align_data({ifo: h_w[0]}, {ifo: arrival[ifo][0]})[ifo]
        cross = np.conj(template) * d_w

        def peak(lags):
            return lags[np.real(np.exp(2j * np.pi * np.outer(lags, simulator.freqs)) @ cross).argmax()]

        coarse = peak(np.arange(-0.03, 0.03, 1e-5))
        lag = peak(coarse + np.arange(-2e-5, 2e-5, 1e-7))
        expected = PARAMS["geocent_time"] + PycbcDetector(ifo).time_delay_from_earth_center(
            PARAMS["ra"], PARAMS["dec"], TRIGGER)
        assert lag == pytest.approx(expected, abs=2e-6)


def test_likelihood_is_gaussian_in_whitened_data(simulator):
    rng = np.random.default_rng(3)
    params = _arrays(PARAMS)
    signal = simulator.signal(params)
    noise = simulator.noise(1, rng)
    data = {ifo: signal[ifo][0] + noise[ifo][0] for ifo in signal}
    likelihood = GaussianLikelihood(simulator, data)
    lnl_true = likelihood.log_likelihood(params)[0]
    lnl_noise = likelihood.noise_log_likelihood()
    # E[ln L(true) - ln L(0)] = rho^2 / 2 with fluctuation rho.
    rho2 = sum(np.sum(np.abs(s) ** 2) for s in signal.values())
    assert abs((lnl_true - lnl_noise) - rho2 / 2) < 5 * np.sqrt(rho2)
    # -2 (ln L(true) + N ln 2π) is chi-square with 2 N degrees of freedom.
    n_real = 2 * 2 * simulator.n_bins
    chi2 = -2 * (lnl_true + n_real / 2 * np.log(2 * np.pi))
    assert abs(chi2 - n_real) < 5 * np.sqrt(2 * n_real)


def test_torch_float32_projection_matches_numpy(simulator):
    torch = pytest.importorskip("torch")
    params = _arrays({k: np.array([v, v * 0.9]) for k, v in PARAMS.items()})
    hp, hc = simulator.polarizations(params)
    ref = simulator.project(hp, hc, params)
    got = simulator.project(torch.as_tensor(hp, dtype=torch.complex64),
                            torch.as_tensor(hc, dtype=torch.complex64),
                            {k: torch.as_tensor(v, dtype=torch.float32) for k, v in params.items()})
    for ifo in ref:
        assert np.abs(got[ifo].numpy() - ref[ifo]).max() < 1e-5 * np.abs(ref[ifo]).max()


def test_projection_of_a_scaled_amplitude_matches_the_polarizations(simulator):
    """Training projects separable 22-mode waveforms as one complex number per row times
    the ι = φ = 0 amplitude; the result must equal projecting h+ and h× (numpy and torch)."""
    torch = pytest.importorskip("torch")
    from gwda.gw.waveforms import angle_factors, apply_angles

    params = _arrays({k: np.array([v, v * 0.9, v * 0.7]) for k, v in PARAMS.items()})
    amplitude, _ = simulator.polarizations({**params, "theta_jn": np.zeros(3), "phase": np.zeros(3)})
    align = {"H1": np.array([0.01, 0.0, -0.02]), "L1": np.array([0.0, 0.003, 0.0])}
    hp, hc = apply_angles(amplitude, params["theta_jn"], params["phase"])
    ref = simulator.project(hp, hc, params, align=align)
    plus, cross = angle_factors(params["theta_jn"], params["phase"], amplitude)
    got = simulator.project_amplitude(amplitude, plus, cross, params, align=align)
    a32 = torch.as_tensor(amplitude, dtype=torch.complex64)
    p32 = {k: torch.as_tensor(v, dtype=torch.float32) for k, v in params.items()}
    plus32, cross32 = angle_factors(p32["theta_jn"], p32["phase"], a32)
    got32 = simulator.project_amplitude(a32, plus32, cross32, p32,
                                        align={k: torch.as_tensor(v) for k, v in align.items()})
    for ifo in ref:
        np.testing.assert_allclose(got[ifo], ref[ifo], rtol=0, atol=1e-12 * np.abs(ref[ifo]).max())
        assert np.abs(got32[ifo].numpy() - ref[ifo]).max() < 1e-5 * np.abs(ref[ifo]).max()


def test_phase_marginalized_likelihood_equals_numerical_integral(simulator):
    from scipy.special import logsumexp

    rng = np.random.default_rng(8)
    params = _arrays(PARAMS)
    signal = simulator.signal(params)
    noise = simulator.noise(1, rng)
    data = {ifo: signal[ifo][0] + noise[ifo][0] for ifo in signal}
    trial = _arrays({**PARAMS, "chirp_mass": 28.01, "theta_jn": 0.9})
    likelihood = GaussianLikelihood(simulator, data)
    lnl_marg, w = likelihood.phase_marginalized(trial)
    phases = np.linspace(0, 2 * np.pi, 721)[:-1]
    lnl = likelihood.log_likelihood(_arrays({**{k: np.full(phases.size, v[0]) for k, v in trial.items()},
                                            "phase": phases}))
    assert lnl_marg[0] == pytest.approx(logsumexp(lnl) - np.log(phases.size), abs=1e-6)


def test_phase_draws_follow_the_conditional_posterior():
    from gwda.gw.likelihood import sample_phase

    rng = np.random.default_rng(0)
    w = np.full(200000, 3.0 * np.exp(1j * 0.8))
    phi = sample_phase(w, rng)
    # p(φ) ∝ exp(|w| cos(2φ + arg w)): the mean of e^{i(2φ + arg w)} is I1(3)/I0(3) on the real axis.
    from scipy.special import i0, i1

    z = np.mean(np.exp(1j * (2 * phi + 0.8)))
    assert z.real == pytest.approx(i1(3.0) / i0(3.0), abs=0.01) and abs(z.imag) < 0.01
    assert phi.min() >= 0 and phi.max() < 2 * np.pi
    assert abs(np.mean(phi < np.pi) - 0.5) < 0.01


def test_drawn_phase_recovers_the_injected_phase(simulator):
    """φ drawn from its conditional posterior (w of the phase-marginalised likelihood, then
    :func:`sample_phase`) sits where the full likelihood of the same data peaks and at the
    injected phase, mod π (h(φ + π) = h(φ) for 22-mode signals). At network SNR ρ ≈ 27 the
    conditional of 2φ is von Mises with concentration |w| ≈ ρ² ≈ 750 (width 0.04 rad), and
    the noise moves its peak by ~1/ρ: 0.05 rad about the likelihood's peak and 0.15 rad about
    the injection are > 3σ. A conjugate in w puts the draws at −φ (2.1 rad off here)."""
    from gwda.gw.likelihood import sample_phase

    rng = np.random.default_rng(5)
    params = _arrays(PARAMS)
    signal = simulator.signal(params)
    noise = simulator.noise(1, rng)
    data = {ifo: signal[ifo][0] + noise[ifo][0] for ifo in signal}
    likelihood = GaussianLikelihood(simulator, data, marginalize_phase=True)
    _, w = likelihood.phase_marginalized(params)
    drawn = sample_phase(np.repeat(w, 4000), rng)
    grid = np.linspace(0, np.pi, 1441)[:-1]
    lnl = likelihood.log_likelihood(_arrays({**{k: np.full(grid.size, v[0]) for k, v in params.items()},
                                             "phase": grid}))
    best = grid[lnl.argmax()]

    def off(a, b):  # distance mod π
        return np.abs(np.angle(np.exp(2j * (np.asarray(a) - b)))) / 2

    assert off(best, PARAMS["phase"]) < 0.15
    assert np.median(off(drawn, best)) < 0.05
    assert np.median(off(drawn, PARAMS["phase"])) < 0.15
    # both halves of [0, 2π) are drawn
    assert abs(np.mean(drawn < np.pi) - 0.5) < 0.05


def test_likelihood_of_many_parameter_sets_in_worker_processes(simulator):
    """evaluate(): in chunks over worker processes, the same ln L (and w) as one call; the
    phase-marginalised form where the likelihood was made so, the full one by default."""
    rng = np.random.default_rng(4)
    signal = simulator.signal(_arrays(PARAMS))
    noise = simulator.noise(1, rng)
    data = {ifo: signal[ifo][0] + noise[ifo][0] for ifo in signal}
    n = 7
    params = {k: np.full(n, v) for k, v in PARAMS.items()}
    params["chirp_mass"] = 28.0 + 0.01 * np.arange(n)
    params["phase"] = rng.uniform(0, 2 * np.pi, n)
    full = GaussianLikelihood(simulator, data)
    lnl, w = full.evaluate(params, threads=2, chunk=3)
    assert w is None
    np.testing.assert_allclose(lnl, full.log_likelihood(params), rtol=1e-12)
    marginal = GaussianLikelihood(simulator, data, marginalize_phase=True)
    lnl, w = marginal.evaluate(params, threads=2, chunk=3)
    expected_lnl, expected_w = marginal.phase_marginalized(params)
    np.testing.assert_allclose(lnl, expected_lnl, rtol=1e-12)
    np.testing.assert_allclose(w, expected_w, rtol=1e-12)


def test_failed_waveforms_are_counted_and_redrawn():
    from gwda.gw.priors import Prior
    from gwda.gw.waveforms import draw_and_generate

    spec = {"chirp_mass": {"type": "uniform", "minimum": 25, "maximum": 35},
            "mass_ratio": {"type": "uniform", "minimum": 0.5, "maximum": 1.0},
            "chi_1": {"type": "uniform", "minimum": 0.5, "maximum": 1.5},     # |χ| > 1 fails in LAL
            "chi_2": {"type": "uniform", "minimum": -0.5, "maximum": 0.5}}
    params, hp, hc, n_failed = draw_and_generate(Prior(spec), ["chirp_mass", "mass_ratio", "chi_1", "chi_2"],
                                                 100, WaveformSettings("IMRPhenomD", 20.0), DOMAIN,
                                                 np.random.default_rng(0), max_rounds=40)
    assert n_failed > 20                       # about half of the first draw
    assert np.all(params["chi_1"] <= 1.0)
    assert np.all(np.isfinite(hp)) and np.all(np.abs(hp).max(axis=1) > 0)
    assert hc.shape[0] == 0                    # separable: h× = -i h+ is not stored


@pytest.mark.parametrize("approximant, extra", [
    ("IMRPhenomD", {"chi_1": 0.3, "chi_2": -0.2}),
    ("IMRPhenomPv2", {"a_1": 0.5, "a_2": 0.3, "tilt_1": 0.7, "tilt_2": 2.0, "phi_12": 1.0, "phi_jl": 4.0}),
])
def test_waveforms_equal_pycbc_get_fd_waveform(approximant, extra):
    import lalsimulation as lalsim
    from pycbc.waveform import get_fd_waveform

    settings = WaveformSettings(approximant, 20.0)
    params = {"chirp_mass": 29.0, "mass_ratio": 0.75, "theta_jn": 0.8, "phase": 1.3, **extra}
    hp, hc = polarizations(params, settings, DOMAIN)
    m1, m2 = component_masses(29.0, 0.75)
    if settings.aligned:
        spins = dict(spin1z=0.3, spin2z=-0.2)
        iota = 0.8
    else:
        iota, s1x, s1y, s1z, s2x, s2y, s2z = lalsim.SimInspiralTransformPrecessingNewInitialConditions(
            0.8, 4.0, 0.7, 2.0, 1.0, 0.5, 0.3, m1 * 1.988409870698051e30, m2 * 1.988409870698051e30, 20.0, 1.3)
        spins = dict(spin1x=s1x, spin1y=s1y, spin1z=s1z, spin2x=s2x, spin2y=s2y, spin2z=s2z)
    php, phc = get_fd_waveform(approximant=approximant, mass1=float(m1), mass2=float(m2), distance=1.0,
                               inclination=iota, coa_phase=1.3, delta_f=DOMAIN.delta_f, f_lower=20.0,
                               f_final=1024.0, f_ref=20.0, **spins)
    band = DOMAIN.band_slice
    np.testing.assert_allclose(hp, php.numpy()[band], rtol=0, atol=1e-12 * np.abs(hp).max())
    np.testing.assert_allclose(hc, phc.numpy()[band], rtol=0, atol=1e-12 * np.abs(hc).max())


@pytest.mark.parametrize("approximant, spins", [
    ("IMRPhenomD", {"chi_1": (-0.5, 0.5), "chi_2": (-0.5, 0.5)}),
    ("IMRPhenomPv2", {"a_1": (0.0, 0.8), "a_2": (0.0, 0.8), "tilt_1": (0.0, 3.0), "tilt_2": (0.0, 3.0),
                      "phi_12": (0.0, 6.0), "phi_jl": (0.0, 6.0)}),
])
def test_waveforms_projected_in_the_workers_equal_the_projected_waveforms(approximant, spins):
    """The workers project waveforms onto the storage basis block by block (more rows than
    one block here, one of them failing): the coefficients must equal projecting the full
    waveforms, and the failed row is flagged and zero."""
    from gwda.gw.waveforms import generate

    rng = np.random.default_rng(11)
    n = 70
    params = {"chirp_mass": rng.uniform(25, 35, n), "mass_ratio": rng.uniform(0.5, 1, n),
              **{k: rng.uniform(lo, hi, n) for k, (lo, hi) in spins.items()}}
    if approximant == "IMRPhenomD":
        params["chi_1"][66] = 1.5                                   # LAL refuses |χ| > 1
    else:
        params.update(theta_jn=rng.uniform(0, 3, n), phase=rng.uniform(0, 6, n))
        params["a_1"][66] = 1.5
    settings = WaveformSettings(approximant, 20.0)
    basis, _ = np.linalg.qr(rng.standard_normal((int(DOMAIN.mask.sum()), 12))
                            + 1j * rng.standard_normal((int(DOMAIN.mask.sum()), 12)))
    weight = rng.uniform(0.5, 2.0, basis.shape[0])
    hp, hc, failed = generate(params, settings, DOMAIN)
    cp, cc, failed_b = generate(params, settings, DOMAIN, basis=basis, weight=weight)
    assert failed[66] and failed_b[66] and failed.sum() == failed_b.sum() == 1
    assert cp.dtype == np.complex64 and cp.shape == (n, 12) and np.all(cp[66] == 0)
    pairs = [(hp, cp)] if settings.separable else [(hp, cp), (hc, cc)]
    assert cc.shape[0] == (0 if settings.separable else n)
    for full, coefficients in pairs:
        expected = (full * weight) @ basis.conj()
        scale = np.abs(expected).max()
        assert np.abs(coefficients - expected).max() < 1e-5 * scale


@pytest.mark.parametrize("mass_ratio", [1.0, 0.5])
def test_time_before_merger_follows_the_post_newtonian_chirp(mass_ratio):
    """t(f) from the phase of IMRPhenomD equals the 2PN stationary-phase time to coalescence
    of a non-spinning binary in its early inspiral (v = (πMf)^⅓ ≈ 0.18–0.2): the terms left out
    (2.5PN and beyond, and where the model puts t = 0 near the peak) are ~1–2 % there."""
    from gwda.gw.waveforms import time_before_merger

    settings = WaveformSettings.from_settings({"approximant": "IMRPhenomD", "reference_frequency": 20.0})
    params = {"chirp_mass": np.array([8.0]), "mass_ratio": np.array([mass_ratio]), "chi_1": np.zeros(1),
              "chi_2": np.zeros(1), "theta_jn": np.zeros(1), "phase": np.zeros(1)}
    f = np.array([20.0, 25.0])
    t = time_before_merger(params, settings, f)[0]
    m1, m2 = component_masses(8.0, mass_ratio)
    total, eta = (m1 + m2) * 4.925490947641267e-06, m1 * m2 / (m1 + m2) ** 2     # G M☉/c³ in s
    v = (np.pi * total * f) ** (1 / 3)
    pn = -5 / 256 * total / eta * v**-8 * (1 + (743 / 252 + 11 * eta / 3) * v**2 - 32 * np.pi / 5 * v**3
                                           + (3058673 / 508032 + 5429 / 504 * eta + 617 / 72 * eta**2) * v**4)
    np.testing.assert_allclose(t, pn, rtol=0.03)
    assert t[0] < t[1] < 0

"""gwda.glitches.fidelity: bursts against the formula at their own condition, frequency
tracking, the lattice scan and the spectrum ratio; each number shown to fail on the fault it
is there to catch."""

import numpy as np
import pytest
from gwda.glitches import families, fidelity

DOMAIN = families.window_domain(0.25, 4096.0, 20.0, 1024.0)
RANGES = {"f0": [70.0, 250.0], "tau": [0.004, 0.03], "bandwidth": [20.0, 100.0], "chirp_mass": [20.0, 45.0],
          "mass_ratio": [0.25, 1.0], "chi": [-0.9, 0.9]}


def _draw(cls, n=60, seed=1, ranges=RANGES):
    return families.draw(cls, n, {k: v for k, v in ranges.items()}, DOMAIN, np.random.default_rng(seed), 0.03)


@pytest.mark.parametrize("cls", ["sine_gaussian", "ringdown", "gaussian_pulse", "bbh"])
def test_bursts_drawn_from_the_formula_match_it_at_their_own_condition(cls):
    """Training bursts (random phase, and for bbh random orientation and sky) against the
    formula's quadratures at their true parameters: the phase maximisation is exact, so the
    match is 1 to rounding, at zero shift (bbh: to 1e-6, its merger being placed at the
    condition by a parabola through the envelope's top samples)."""
    x, params = _draw(cls)
    result = fidelity.against_formula(cls, x, params, DOMAIN)
    assert result["match_p10"] > 1 - (1e-6 if cls == "bbh" else 1e-9)
    assert result["peak_residual_rms"] == 0.0


def test_a_late_burst_loses_match_at_its_condition_and_shows_its_delay():
    """Gaussian pulses 0.5 ms late (as the GAN's were): the match at the conditioned time
    falls, the shifted match stays 1, and the residual is the delay to the grid's 15 µs. A
    sine-Gaussian's carrier phase absorbs most of a delay (the phase is maximised over), so
    its match barely moves, but its residual, set by the envelope, still shows the delay."""
    step = 1 / (16 * DOMAIN.sample_rate)
    x, params = _draw("gaussian_pulse", ranges={"tau": [0.0002, 0.001]})
    late = dict(params, peak_time=params["peak_time"] - 0.0005)     # the formula placed 0.5 ms early
    result = fidelity.against_formula("gaussian_pulse", x, late, DOMAIN)
    assert result["match_median"] < 0.8           # measured 0.65
    assert result["match_shifted_median"] > 0.9999     # the delay falls between grid points
    assert result["peak_residual_median"] == pytest.approx(0.0005, abs=step)
    x, params = _draw("sine_gaussian")
    late = dict(params, peak_time=params["peak_time"] - 0.0005)
    result = fidelity.against_formula("sine_gaussian", x, late, DOMAIN)
    assert result["match_median"] > 0.99
    assert result["peak_residual_rms"] == pytest.approx(0.0005, abs=step)


def test_a_sign_flipped_pulse_has_negative_match():
    """A Gaussian pulse has no phase to maximise over: the flipped pulse scores −1."""
    x, params = _draw("gaussian_pulse")
    m = fidelity.one_to_one(-x, *families.quadratures("gaussian_pulse", params, DOMAIN), DOMAIN)
    np.testing.assert_allclose(m["match"], -1.0, atol=1e-9)


def test_a_burst_at_other_parameters_is_seen():
    """Sine-Gaussians drawn with τ 20 % longer than their condition: the match falls below
    the target's 0.999 although each is a perfect sine-Gaussian (a nearest-neighbour match
    would not notice)."""
    x, params = _draw("sine_gaussian")
    wrong = dict(params, tau=params["tau"] / 1.2)
    result = fidelity.against_formula("sine_gaussian", x, wrong, DOMAIN)
    assert result["match_median"] < 0.995


def test_frequency_tracking_sees_a_staircase():
    """Carriers snapped to plateaus 40 Hz apart (the GAN's f0 staircase): the slope within
    20 Hz bins collapses to 0 where a bin lies on one plateau; drawn at their condition, every
    bin's slope is 1 ± 0.05."""
    x, params = _draw("sine_gaussian", n=400, seed=3)
    result = fidelity.against_formula("sine_gaussian", x, params, DOMAIN)
    assert all(abs(b["slope"] - 1) < 0.05 for b in result["f0_bins"]) and len(result["f0_bins"]) == 9
    stairs = dict(params, f0=40.0 * np.round(params["f0"] / 40.0))
    snapped = families.unit_snr(families.sine_gaussian(DOMAIN, stairs["peak_time"], stairs["f0"], stairs["tau"],
                                                       stairs["phase"]), DOMAIN)
    result = fidelity.against_formula("sine_gaussian", snapped, params, DOMAIN)
    assert abs(result["f0_slope_worst"] - 1) > 0.5


def test_lattice_scan_finds_a_comb_of_peak_times():
    """Peaks uniform over ±30 ms at 4096 Hz (246 samples) where they were asked to be, give
    z ≈ 0; independent uniform ones z ≈ 2 Exp(1) per period, below 16.5 at all 39 periods
    with probability 0.99; 30 % of them on a comb of 16 samples give z ≈ n (0.3)² ≈ 54 at
    periods 16 and 8 (whose comb it contains)."""
    rng = np.random.default_rng(4)
    asked = rng.uniform(400, 646, 600)
    z = fidelity.lattice_z(asked + rng.normal(0, 0.2, 600), reference=asked)
    assert set(z) == set(range(2, 41)) and max(z.values()) < 1
    z = fidelity.lattice_z(rng.uniform(400, 646, 600), reference=asked)
    assert max(z.values()) < 16.5
    combed = np.where(rng.random(600) < 0.3, 16 * np.round(asked / 16), asked)
    z = fidelity.lattice_z(combed, reference=asked)
    assert z[16] > 30 and z[8] > 30 and max(z[p] for p in (13, 15, 17, 31)) < 16.5


def test_spectrum_ratio_sees_lost_high_frequencies():
    """Two independent draws of 1000 sine-Gaussians agree within 30 % in every bin holding
    ≥ 1e-3 of the peak power (their sampling noise); the same bursts low-passed above 150 Hz
    (mergers that lost their ringdown) fall orders of magnitude short there."""
    a, _ = _draw("sine_gaussian", n=1000, seed=5)
    b, _ = _draw("sine_gaussian", n=1000, seed=6)
    same = fidelity.spectrum_ratio(a, b, DOMAIN)
    assert 0.7 < same["min"] and same["max"] < 1.4
    band = DOMAIN.whitened_band(b)
    band[:, DOMAIN.frequencies[DOMAIN.mask] > 150] *= 0.01
    lost = fidelity.spectrum_ratio(a, DOMAIN.whitened_time_series(band), DOMAIN)
    assert lost["min"] < 1e-3 and lost["frequency_of_min"] > 150

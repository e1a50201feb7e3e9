"""The denoiser's evaluation metrics on inputs with known answers: the Wiener filter's gain and
its mean squared error on Gaussian data, the phase and amplitude at the peak of delayed and
scaled copies of a pulse, the power ratios, the quantiles and their SNR bins."""

import numpy as np
import pytest
from gwda.denoise.evaluation import WienerFilter, overlap_table, peak_errors, power_ratio, quantiles, signal_metrics

FS = 1024.0
T = np.arange(1024) / FS
SIGMA, F0 = 0.05, 60.0  # envelope width (s) and carrier frequency (Hz) of the test pulse


def pulse(t0: float, amplitude: float = 1.0) -> np.ndarray:
    """A Gaussian-windowed cosine centred on t0. Its negative-frequency content is
    exp(-(2π F0 σ)²/2) ≈ e^-177 of the peak and its tails at the window's edges are below e^-40,
    so its discrete analytic signal is amplitude · envelope · exp(iφ) to rounding error."""
    return amplitude * np.exp(-((T - t0) ** 2) / (2 * SIGMA**2)) * np.cos(2 * np.pi * F0 * (T - t0))


# ---------------------------------------------------------------------------- Wiener filter


def test_wiener_gain_is_signal_power_over_total_power():
    """Gain P_s / (P_s + P_n) per detector and frequency: 0 where there is no signal, ½ where
    signal and noise are equally loud, → 1 where the signal dominates."""
    signal_power = np.array([[0.0, 1.0, 3.0, 9.0], [2.0, 2.0, 0.0, 6.0]])
    noise_power = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 6.0, 5.0, 2.0]])
    gain = WienerFilter(signal_power, noise_power).gain
    np.testing.assert_allclose(gain, [[0.0, 0.5, 0.75, 0.9], [0.5, 0.25, 0.0, 0.75]], rtol=1e-15)


def test_wiener_fit_recovers_the_analytic_gain_of_white_signal_in_white_noise():
    """White Gaussian signal (σ_s = 2 in one detector, 1 in the other) in unit white noise: the
    optimal gain is σ_s² / (σ_s² + 1) = 0.8 and 0.5 at every frequency, one per detector.

    Tolerance: over M windows the mean periodogram of a bin has relative standard deviation
    1/√M (χ² with 2 degrees of freedom; √2/√M at zero frequency, one degree), so the fitted
    gain g scatters by g(1 − g)·√2·that; each bin is allowed 6 σ and the mean over the 128 bins
    5 σ/√128."""
    rng = np.random.default_rng(11)
    rows, samples = 400, 255  # an odd length: the filter must not assume an even one
    sigma_s = np.array([2.0, 1.0])[None, :, None]
    signals = sigma_s * rng.standard_normal((rows, 2, samples))
    noise = rng.standard_normal((rows, 2, samples))
    gain = WienerFilter.fit(signals, noise).gain
    assert gain.shape == (2, samples // 2 + 1)
    expected = np.array([0.8, 0.5])[:, None]
    relative = np.full(samples // 2 + 1, 1 / np.sqrt(rows))
    relative[0] *= np.sqrt(2)
    sd = expected * (1 - expected) * np.sqrt(2) * relative
    assert np.all(np.abs(gain - expected) < 6 * sd)
    np.testing.assert_allclose(gain.mean(axis=1), expected[:, 0], atol=5 * sd[:, 1:].mean() / np.sqrt(gain.shape[1]))


def test_wiener_filter_reaches_the_minimum_mean_squared_error():
    """Fitted on one set and applied to fresh white signal + white noise, the filter's error per
    sample has the Wiener minimum σ_s²σ_n² / (σ_s² + σ_n²) (0.8 and 0.5 here), below the data's
    own error σ_n² = 1; the output has the input's shape (an odd number of samples).

    Tolerance 3 %: the mean of e² over K = 400 × 255 samples scatters by √(2/K) ≈ 0.44 %
    (5 σ = 2.2 %); the fitted gain's error (≈ 0.01) adds ≈ 0.1 %."""
    rng = np.random.default_rng(12)
    rows, samples = 400, 255
    sigma_s = np.array([2.0, 1.0])[None, :, None]
    wiener = WienerFilter.fit(sigma_s * rng.standard_normal((rows, 2, samples)), rng.standard_normal((rows, 2, samples)))
    signals = sigma_s * rng.standard_normal((rows, 2, samples))
    data = signals + rng.standard_normal((rows, 2, samples))
    out = wiener(data)
    assert out.shape == data.shape
    mse = np.mean((out - signals) ** 2, axis=(0, 2))
    np.testing.assert_allclose(mse, [4 / 5, 1 / 2], rtol=0.03)
    assert np.all(mse < np.mean((data - signals) ** 2, axis=(0, 2)) - 0.15)


def test_wiener_filter_passes_and_stops_exact_frequency_bins():
    """A gain of 1 at frequency bin 5 and 0 elsewhere returns exactly the bin-5 cosine of a sum
    of cosines at bins 5 and 17, on an odd number of samples (101): the output keeps the
    input's length and differs from the passed cosine only by rounding."""
    samples = 101
    n = np.arange(samples)
    passed = 1.5 * np.cos(2 * np.pi * 5 * n / samples + 0.3)
    data = np.stack([np.stack([passed + np.cos(2 * np.pi * 17 * n / samples), 2 * passed])] * 3)
    keep = np.zeros(samples // 2 + 1)
    keep[5] = 1.0
    out = WienerFilter(np.stack([keep, keep]), np.stack([1 - keep, 1 - keep]))(data)
    assert out.shape == data.shape
    np.testing.assert_allclose(out[:, 0], np.broadcast_to(passed, (3, samples)), atol=1e-12)
    np.testing.assert_allclose(out[:, 1], np.broadcast_to(2 * passed, (3, samples)), atol=1e-12)


# ------------------------------------------------------------------------------ peak errors


def test_peak_errors_of_delayed_scaled_copies_match_the_analytic_envelope_and_phase():
    """An estimate a · h(t − τ) of a Gaussian-windowed cosine h peaking at t₀: at t₀ its envelope
    is a · exp(−τ²/2σ²) of the truth's and its phase lags by 2π f₀ τ, wrapped into (−π, π].
    One value per row; tolerance 1e-9 (the pulse's analytic signal is exact to rounding)."""
    t0 = np.array([0.5, 0.5, 0.4375, 0.5625])  # on the sample grid
    tau = np.array([0.0, 0.004, -0.01, 0.03])  # the last two wrap the phase past ±π
    scale = np.array([1.0, 0.8, 1.3, 2.0])
    truth = np.stack([np.stack([pulse(t, 0.4), pulse(t)]) for t in t0])
    estimate = np.stack([np.stack([pulse(t + d, 0.4 * a), pulse(t + d, a)]) for t, d, a in zip(t0, tau, scale)])
    amp, phase = peak_errors(estimate, truth)
    assert amp.shape == phase.shape == (4,)
    np.testing.assert_allclose(amp, scale * np.exp(-(tau**2) / (2 * SIGMA**2)) - 1, atol=1e-9)
    wrapped = np.angle(np.exp(-2j * np.pi * F0 * tau))
    np.testing.assert_allclose(phase, wrapped, atol=1e-9)
    assert np.all((phase > -np.pi) & (phase <= np.pi))
    assert phase[2] < -2 and phase[3] > 1  # -3.77 and -11.31 rad, wrapped


def test_peak_errors_use_each_rows_louder_detector():
    """The errors are read in the detector where the truth has more power (Σ_t h²), which may
    differ from row to row. The quieter detector carries a slow positive bump, so its sum and its
    sum of cubes exceed those of the louder, oscillating one: a choice by those would pick it.
    The estimate scales the louder detector by 1.25 and the quieter by 0.5."""
    bump = 0.3 * np.exp(-((T - 0.5) ** 2) / (2 * SIGMA**2))
    loud = pulse(0.5)
    truth = np.stack([[loud, bump], [bump, loud], [bump, loud]])
    louder = np.array([0, 1, 1])
    factors = np.where(np.arange(2)[None, :] == louder[:, None], 1.25, 0.5)
    amp, phase = peak_errors(factors[..., None] * truth, truth)
    np.testing.assert_allclose(amp, [0.25, 0.25, 0.25], atol=1e-9)
    np.testing.assert_allclose(phase, 0.0, atol=1e-9)


# ------------------------------------------------------------------------------ power ratio


def test_power_ratio_of_sinusoids_is_the_ratio_of_mean_powers():
    """Full-period sinusoids of amplitude A have Σ_t x² = A² N/2 (and Σ_t x = Σ_t x³ = 0): the
    ratio is mean(A²) over windows and detectors of the first over that of the second,
    46/3 here; exact to rounding."""
    samples = 64
    n = np.arange(samples)
    wave = np.sin(2 * np.pi * 3 * n / samples + 0.4)
    amplitude = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])  # mean of squares 23/6
    numerator = amplitude[..., None] * wave
    output = 0.5 * np.ones((3, 2, 1)) * np.sin(2 * np.pi * 5 * n / samples)  # mean of squares 1/4
    assert power_ratio(numerator, output) == pytest.approx((23 / 6) / 0.25, rel=1e-12)
    assert power_ratio(output, numerator) == pytest.approx(0.25 / (23 / 6), rel=1e-12)


def test_power_ratio_of_a_scaled_copy_is_the_inverse_square_of_the_scale():
    """An output c · x has c² times the power of x, whatever x: the ratio is 1/c²."""
    x = np.random.default_rng(5).standard_normal((7, 3, 50))
    assert power_ratio(x, 0.25 * x) == pytest.approx(16.0, rel=1e-12)
    assert power_ratio(x, x) == pytest.approx(1.0, rel=1e-12)


# -------------------------------------------------------------------------------- quantiles


def test_quantiles_of_an_evenly_spaced_sample_are_exact():
    """0, 1, ..., 100 in any order: the 10 %, 50 % and 90 % points are 10, 50 and 90 exactly
    (linear interpolation between order statistics), and the count is 101."""
    x = np.random.default_rng(3).permutation(np.arange(101.0))
    q = quantiles(x)
    assert q == {"n": 101, "median": 50.0, "q10": 10.0, "q90": 90.0}
    assert type(q["n"]) is int and all(type(q[k]) is float for k in ("median", "q10", "q90"))


def test_quantiles_of_a_normal_sample_match_the_distribution():
    """10⁵ standard normal draws: the quantiles are Φ⁻¹(0.1, 0.5, 0.9) = −1.2816, 0, 1.2816
    within 5 standard errors, √(p(1−p)/n)/φ(z) (0.0054 at 10 % and 90 %, 0.0040 at 50 %)."""
    q = quantiles(np.random.default_rng(4).standard_normal(100_000))
    assert q["n"] == 100_000
    assert q["q10"] == pytest.approx(-1.2816, abs=5 * 0.0054)
    assert q["median"] == pytest.approx(0.0, abs=5 * 0.0040)
    assert q["q90"] == pytest.approx(1.2816, abs=5 * 0.0054)


def test_quantiles_of_one_value_and_of_none():
    """A single value is its own median and 10 % and 90 % points; an empty sample gives only
    its count."""
    assert quantiles(np.array([0.7])) == {"n": 1, "median": 0.7, "q10": 0.7, "q90": 0.7}
    assert quantiles(np.array([])) == {"n": 0}


# ---------------------------------------------------------------------------- overlap table


def test_overlap_table_bins_are_half_open_except_the_last_which_is_closed():
    """SNR bins [0, 10), [10, 20), [20, 30]: a value on an inner edge belongs to the bin above,
    the last edge to the last bin, values outside to none; each method's overlaps (here SNR/100
    and 1 − SNR/100) are summarised over the same rows."""
    snr = np.array([35.0, 0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, -1.0])
    table = overlap_table(snr, {"a": snr / 100, "b": 1 - snr / 100}, [0.0, 10.0, 20.0, 30.0])
    assert [(r["snr_min"], r["snr_max"]) for r in table] == [(0.0, 10.0), (10.0, 20.0), (20.0, 30.0)]
    assert [r["a"]["n"] for r in table] == [2, 2, 3] == [r["b"]["n"] for r in table]
    expected_a = [{"n": 2, "median": 0.025, "q10": 0.005, "q90": 0.045},
                  {"n": 2, "median": 0.125, "q10": 0.105, "q90": 0.145},
                  {"n": 3, "median": 0.25, "q10": 0.21, "q90": 0.29}]
    for row, exp in zip(table, expected_a):
        assert set(row) == {"snr_min", "snr_max", "a", "b"}
        for key in ("median", "q10", "q90"):
            assert row["a"][key] == pytest.approx(exp[key], abs=1e-12)
            assert row["b"][key] == pytest.approx(1 - exp[{"q10": "q90", "q90": "q10"}.get(key, key)], abs=1e-12)


def test_overlap_table_with_one_bin_counts_both_edges():
    """A single bin [lo, hi] is the last one: closed at both ends."""
    snr = np.array([1.0, 2.0, 3.0, 4.0])
    (row,) = overlap_table(snr, {"a": snr}, [1.0, 4.0])
    assert row["a"]["n"] == 4


# --------------------------------------------------------------------------- signal metrics


def _injections():
    """Six rows with network SNR 4 ... 24, two detectors (the second louder), the truth a pulse
    h = (0.6 p, p); q = (−p, 0.6 p) is orthogonal to h with the same norm, so cos θ · h +
    sin θ · q has overlap cos θ with h exactly."""
    snr = np.array([4.0, 8.0, 12.0, 16.0, 20.0, 24.0])
    p = np.stack([pulse(t) for t in np.linspace(0.45, 0.55, snr.size)])
    truth = np.stack([0.6 * p, p], axis=1)
    q = np.stack([-p, 0.6 * p], axis=1)

    def with_overlap(o):
        return o[:, None, None] * truth + np.sqrt(1 - o**2)[:, None, None] * q

    methods = {"mix": with_overlap(1 - snr / 100), "scaled": (1 + snr / 100)[:, None, None] * truth,
               "flipped": -truth}
    return with_overlap(snr / 100), truth, snr, methods


def test_signal_metrics_on_reconstructions_with_known_overlaps_and_peak_errors():
    """Data with overlap SNR/100 and three reconstructions: overlap 1 − SNR/100; the truth
    scaled by 1 + SNR/100 (overlap 1, amplitude error SNR/100, phase 0); the truth negated
    (overlap −1, amplitude error 0, phase error π). Loud rows are those with SNR ≥ 12 (four of
    six). Overlaps and errors are exact to rounding (1e-9)."""
    data, truth, snr, methods = _injections()
    out, overlaps = signal_metrics(data, truth, snr, methods, [0.0, 10.0, 30.0], 12.0)
    assert set(overlaps) == {"data", "mix", "scaled", "flipped"}
    np.testing.assert_allclose(overlaps["data"], snr / 100, atol=1e-9)
    np.testing.assert_allclose(overlaps["mix"], 1 - snr / 100, atol=1e-9)
    np.testing.assert_allclose(overlaps["scaled"], 1.0, atol=1e-9)
    np.testing.assert_allclose(overlaps["flipped"], -1.0, atol=1e-9)
    assert set(out) == {"overlap_by_snr", "median_overlap_snr_above_12", "peak"}

    low, high = out["overlap_by_snr"]
    assert (low["snr_min"], low["snr_max"], high["snr_min"], high["snr_max"]) == (0.0, 10.0, 10.0, 30.0)
    assert low["data"]["n"] == 2 and high["data"]["n"] == 4 and high["flipped"]["n"] == 4
    assert low["data"]["median"] == pytest.approx(0.06, abs=1e-9)
    assert high["data"]["median"] == pytest.approx(0.18, abs=1e-9)
    assert high["mix"]["median"] == pytest.approx(0.82, abs=1e-9)

    medians = out["median_overlap_snr_above_12"]
    assert medians == pytest.approx({"data": 0.18, "mix": 0.82, "scaled": 1.0, "flipped": -1.0}, abs=1e-9)

    assert set(out["peak"]) == {"mix", "scaled", "flipped"}
    scaled = out["peak"]["scaled"]
    assert set(scaled) == {"snr_above_12", "all"}
    for part in scaled.values():
        assert set(part) == {"amplitude_error_abs", "phase_error_rad_abs"}
    loud_amp = scaled["snr_above_12"]["amplitude_error_abs"]  # 0.12, 0.16, 0.20, 0.24
    assert loud_amp["n"] == 4
    assert (loud_amp["q10"], loud_amp["median"], loud_amp["q90"]) == pytest.approx((0.132, 0.18, 0.228), abs=1e-9)
    all_amp = scaled["all"]["amplitude_error_abs"]  # 0.04 ... 0.24
    assert all_amp["n"] == 6 and all_amp["median"] == pytest.approx(0.14, abs=1e-9)
    assert scaled["all"]["phase_error_rad_abs"]["q90"] < 1e-9
    assert scaled["snr_above_12"]["phase_error_rad_abs"]["n"] == 4
    flipped = out["peak"]["flipped"]
    for part in ("snr_above_12", "all"):
        assert flipped[part]["phase_error_rad_abs"]["median"] == pytest.approx(np.pi, abs=1e-9)
        assert flipped[part]["amplitude_error_abs"]["q90"] < 1e-9


def test_signal_metrics_with_no_loud_rows_reports_none():
    """With the high-SNR threshold above every row, the loud medians are None and the loud peak
    summaries hold only their count, 0; the summaries over all rows are unchanged."""
    data, truth, snr, methods = _injections()
    out, _ = signal_metrics(data, truth, snr, methods, [0.0, 30.0], 100.0)
    assert out["median_overlap_snr_above_100"] == {"data": None, "mix": None, "scaled": None, "flipped": None}
    assert out["peak"]["scaled"]["snr_above_100"] == {"amplitude_error_abs": {"n": 0}, "phase_error_rad_abs": {"n": 0}}
    assert out["peak"]["scaled"]["all"]["amplitude_error_abs"]["n"] == 6

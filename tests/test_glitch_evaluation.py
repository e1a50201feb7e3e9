"""The GAN evaluation's numbers themselves: the best match against an independent computation,
every key of evaluate()'s result, its determinism, and the targets at their boundaries."""

import numpy as np
import pytest
from gwda.glitches import families
from gwda.glitches.evaluation import TARGETS, best_match, evaluate, parameter_tests, targets_met
from gwda.glitches.features import measure
from gwda.glitches.generator import reduce
from scipy import stats

WINDOW = families.window_domain(0.25, 4096.0, 20.0, 1024.0)
RANGES = {"f0": [70.0, 250.0], "tau": [0.004, 0.03]}


def reference_match(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Match of every row of ``a`` with every row of ``b``, maximised over circular shifts and
    phase, by an explicit DFT over all shifts: max_s |Σ_k A_k B_k* e^{2πiks/n}| / (‖A‖ ‖B‖),
    A, B the one-sided spectra."""
    n = a.shape[-1]
    fa, fb = np.fft.rfft(a), np.fft.rfft(b)
    k = np.arange(fa.shape[-1])
    phases = np.exp(2j * np.pi * np.outer(k, np.arange(n)) / n)          # (bins, shifts)
    cross = fa[:, None, :] * np.conj(fb)[None, :, :]                      # (rows a, rows b, bins)
    best = np.abs(cross @ phases).max(axis=-1)
    return best / np.outer(np.linalg.norm(fa, axis=-1), np.linalg.norm(fb, axis=-1))


def test_best_match_is_the_largest_match_over_shifts_phase_and_rows():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 64))
    b = np.concatenate([rng.standard_normal((4, 64)), 5.0 * np.roll(a[1:2], 17, axis=-1)])   # a[1], shifted and scaled
    expected = reference_match(a, b).max(axis=1)
    np.testing.assert_allclose(best_match(a, b), expected, rtol=1e-10)
    assert best_match(a, b)[1] == pytest.approx(1.0, abs=1e-12)
    assert np.all(expected[[0, 2]] < 0.9)              # random rows match nothing closely


def test_best_match_of_a_burst_with_its_quadrature_is_one():
    """Phase: a sine-Gaussian matches its 90°-rotated copy (the same burst at another phase)."""
    x, _ = families.draw("sine_gaussian", 4, RANGES, WINDOW, np.random.default_rng(1), 0.03)
    spectrum = np.fft.rfft(x)
    rotated = np.fft.irfft(1j * spectrum, n=x.shape[-1])
    np.testing.assert_allclose(best_match(x, rotated), 1.0, atol=1e-9)
    assert best_match(x[:1], np.roll(x[1:], 5, axis=-1))[0] < 0.999


def test_best_match_skips_only_the_row_itself():
    rng = np.random.default_rng(2)
    b = rng.standard_normal((5, 64))
    matrix = reference_match(b[:3], b)
    assert np.all(best_match(b[:3], b) == pytest.approx(1.0, abs=1e-12))      # by default itself counts
    np.testing.assert_allclose(best_match(b[:3], b, skip_same_row=True),
                               [np.max(np.delete(matrix[i], i)) for i in range(3)], rtol=1e-10)


def test_parameter_tests_report_scipy_statistics_per_parameter():
    rng = np.random.default_rng(3)
    real = {k: rng.normal(0, 1, 300) for k in ("peak_time", "central_frequency", "bandwidth", "duration", "quality")}
    fake = {k: v + 0.2 for k, v in real.items()}
    out = parameter_tests(real, fake)
    for k in real:
        assert out[k] == {"ks_p": pytest.approx(stats.ks_2samp(real[k], fake[k]).pvalue, rel=1e-12),
                          "wasserstein": pytest.approx(0.2, rel=1e-9),
                          "median_real": pytest.approx(np.median(real[k])),
                          "median_generated": pytest.approx(np.median(real[k]) + 0.2)}


def _metrics(ks_p, real_accuracy, generated_accuracy, c2st):
    return {"parameters": {"a": {"ks_p": 0.5}, "b": {"ks_p": ks_p}}, "class_accuracy_real": real_accuracy,
            "class_accuracy_generated": generated_accuracy, "c2st_in_noise": c2st}


def test_targets_are_met_at_their_boundaries_and_missed_beyond():
    gap = 0.051 - (0.051 - TARGETS["fidelity_gap_max"])           # exactly the target in floats
    assert gap == TARGETS["fidelity_gap_max"]
    at = targets_met(_metrics(TARGETS["ks_p_min"], 0.051, 0.051 - TARGETS["fidelity_gap_max"], TARGETS["c2st_noise_max"]))
    assert at == {"parameters_ks": True, "class_fidelity": True, "c2st_in_noise": True}
    beyond = targets_met(_metrics(0.9 * TARGETS["ks_p_min"], 0.9, 0.8, TARGETS["c2st_noise_max"] + 0.01))
    assert beyond == {"parameters_ks": False, "class_fidelity": False, "c2st_in_noise": False}


def _condition_metrics(match_median=1.0, match_p10=1.0, residual=0.0, slope=1.0, lattice=1.0, low=1.0, high=1.0,
                       null_low=1.0, null_high=1.0, bins=True):
    m = _metrics(0.5, 0.9, 0.9, 0.5)
    m["one_to_one"] = {"generated": {"match_median": match_median, "match_p10": match_p10, "peak_residual_rms": residual,
                                     "f0_bins": [{"slope": 1.0}, {"slope": slope}] if bins else []}}
    m["lattice_z"] = {"generated": {"max": lattice}}
    m["spectrum_ratio"] = {"generated": {"min": low, "max": high}, "real_halves": {"min": null_low, "max": null_high}}
    return m


def test_condition_targets_are_met_at_their_boundaries_and_missed_beyond():
    """The fidelity targets: match median and 10th percentile, peak-time residual and f0 slope
    at their bounds pass, a hair beyond fails; the lattice bound is strict; the spectrum
    passes within ×2 either way, or within the real halves' own ln-excursion (either side)
    where that is larger; no f0 bin with enough bursts is not a pass."""
    t = TARGETS
    keys = ("one_to_one", "f0_tracking", "lattice", "spectrum")
    tol = t["f0_slope_tolerance"]
    for slope in (1 + tol, 1 - tol):
        at = targets_met(_condition_metrics(t["match_median_min"], t["match_p10_min"], t["peak_residual_rms_max"],
                                            slope, np.nextafter(t["lattice_z_max"], 0), 1 / t["spectrum_ratio_max"],
                                            t["spectrum_ratio_max"]))
        assert {k: at[k] for k in keys} == dict.fromkeys(keys, True), slope
    for bad in (dict(match_median=np.nextafter(t["match_median_min"], 0)),
                dict(match_p10=np.nextafter(t["match_p10_min"], 0)),
                dict(residual=np.nextafter(t["peak_residual_rms_max"], 1))):
        m = targets_met(_condition_metrics(**bad))
        assert not m["one_to_one"] and m["f0_tracking"], bad
    for slope in (np.nextafter(1 + tol, 2), np.nextafter(1 - tol, 0)):
        assert not targets_met(_condition_metrics(slope=slope))["f0_tracking"]
    assert not targets_met(_condition_metrics(bins=False))["f0_tracking"]
    assert not targets_met(_condition_metrics(lattice=t["lattice_z_max"]))["lattice"]
    assert not targets_met(_condition_metrics(high=2.05))["spectrum"]
    assert not targets_met(_condition_metrics(low=1 / 2.05))["spectrum"]
    # a noisy real spectrum (its halves ×2.5 apart on either side) allows ×2.5
    for null in (dict(null_high=2.5), dict(null_low=0.4)):
        assert targets_met(_condition_metrics(high=2.45, **null))["spectrum"], null
        assert targets_met(_condition_metrics(low=1 / 2.45, **null))["spectrum"], null
        assert not targets_met(_condition_metrics(high=2.55, **null))["spectrum"], null


@pytest.fixture(scope="module")
def evaluated():
    classes = ("sine_gaussian", "ringdown")
    rng = np.random.default_rng(4)

    def sample(n):
        x = [families.draw(c, n, RANGES, WINDOW, rng, 0.03)[0] for c in classes]
        return np.concatenate(x), np.repeat([0, 1], n)

    # more than the default 200 matched rows per class, so that n_match shows
    (train_x, train_y), (real_x, real_y), (fake_x, fake_y) = sample(120), sample(230), sample(215)
    args = (classes, train_x, train_y, real_x, real_y, fake_x, fake_y)
    kwargs = dict(domain=WINDOW, snr_in_noise=15.0, epochs=2, seed=3, real_features=measure(real_x, WINDOW),
                  fake_features=measure(fake_x, WINDOW))
    # the second call as for a GAN conditioned on the class alone: its generated file holds no
    # parameters, so there is nothing to hold the bursts to and the result is the same
    class_only = dict(real_parameters={"peak_time": np.full(real_y.size, 0.125)}, fake_parameters={})
    return evaluate(*args, **kwargs), evaluate(*args, **kwargs, **class_only), (real_x, real_y, fake_x, fake_y)


def test_evaluation_reports_every_number_under_its_name_and_is_reproducible(evaluated):
    first, second, (real_x, real_y, fake_x, fake_y) = evaluated
    assert first == second                                 # seeded: the same numbers every time
    assert set(first) == {"targets", "snr_in_noise", "classes"}
    assert first["targets"] == TARGETS and first["snr_in_noise"] == 15.0
    re, fa = reduce(real_x, WINDOW), reduce(fake_x, WINDOW)
    for i, cls in enumerate(("sine_gaussian", "ringdown")):
        m = first["classes"][cls]
        assert set(m) == {"n_real", "n_generated", "parameters", "class_accuracy_real", "class_accuracy_generated",
                          "c2st_noise_free", "c2st_in_noise", "match_generated_median", "match_generated_p10",
                          "match_real_median", "match_real_p10", "targets_met"}
        assert (m["n_real"], m["n_generated"]) == (230, 215)
        assert all(set(p) == {"ks_p", "wasserstein", "median_real", "median_generated"} for p in m["parameters"].values())
        # the first 200 generated rows against every real one; the first 200 real ones against the others
        fake = best_match(fa[fake_y == i][:200], re[real_y == i])
        real = best_match(re[real_y == i][:200], re[real_y == i], skip_same_row=True)
        assert (m["match_generated_median"], m["match_generated_p10"]) == (np.median(fake), np.percentile(fake, 10))
        assert (m["match_real_median"], m["match_real_p10"]) == (np.median(real), np.percentile(real, 10))
        assert m["match_real_median"] < 1.0                # not each real burst against itself
        assert set(m["targets_met"]) == {"parameters_ks", "class_fidelity", "c2st_in_noise"}

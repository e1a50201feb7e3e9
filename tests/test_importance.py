"""The importance-sampling core's edge cases and exact arithmetic (gwda.core.importance):
samples outside the prior, systematic resampling, and the tilt's fit in degenerate bins."""

import warnings

import numpy as np
import pytest
from gwda.core import importance


def test_samples_outside_the_prior_get_zero_weight_and_count_in_the_mean():
    """A sample with ln π = -inf (or a NaN likelihood) has weight 0: Z is the mean of the
    weights over all n samples, the others' weights unchanged."""
    log_l = np.array([0.0, np.log(2.0), np.nan, 1.0])
    log_prior = np.array([0.0, 0.0, 0.0, -np.inf])
    ev = importance.weights_and_evidence(log_l, log_prior, np.zeros(4))
    np.testing.assert_array_equal(ev["weights"], [1 / 3, 2 / 3, 0.0, 0.0])
    assert ev["log_evidence"] == pytest.approx(np.log(3 / 4), rel=1e-12)
    assert ev["effective_sample_size"] == pytest.approx(9 / 5, rel=1e-12)
    assert ev["n_samples"] == 4


def test_no_sample_inside_the_prior_gives_an_empty_result_not_an_error():
    ev = importance.weights_and_evidence(np.full(3, np.nan), np.full(3, -np.inf), np.zeros(3))
    assert set(ev) == {"log_weights", "weights", "log_evidence", "log_evidence_error", "effective_sample_size",
                       "sample_efficiency", "n_samples"}
    np.testing.assert_array_equal(ev["log_weights"], np.full(3, -np.inf))
    np.testing.assert_array_equal(ev["weights"], np.zeros(3))
    assert ev["log_evidence"] == -np.inf and ev["log_evidence_error"] == np.inf
    assert ev["effective_sample_size"] == 0.0 and ev["sample_efficiency"] == 0.0 and ev["n_samples"] == 3


@pytest.mark.parametrize("scale", [1.0, 4.0])
def test_resampling_draws_the_effective_sample_size_by_default(scale):
    """n defaults to the ESS (Σw)²/Σw², for weights on any scale; a given n wins."""
    rng = np.random.default_rng(0)
    weights = scale * np.array([0.25, 0.25, 0.25, 0.25, 0.0, 0.0])
    assert importance.resample(weights / scale, rng).size == 4
    assert importance.resample(weights, rng).size == 4
    assert importance.resample(weights, rng, n=10).size == 10
    single = importance.resample(np.array([0.0, 1.0, 0.0]), rng)
    np.testing.assert_array_equal(single, [1])


def test_resampling_keeps_indices_inside_the_set_when_the_weights_sum_below_one():
    """Normalised weights may sum to 1 - ε; a position beyond their cumulative sum is the
    last sample's, not one past the end."""
    class Last:
        def random(self):
            return np.nextafter(1.0, 0.0)

    weights = np.random.default_rng(1).random(1000)
    weights /= weights.sum()
    while np.cumsum(weights)[-1] >= 1.0:
        weights = np.nextafter(weights, 0.0)
    idx = importance.resample(weights, Last(), n=1000)
    assert idx.max() == weights.size - 1


def test_a_tilt_without_finite_weights_is_flat_and_keeps_its_settings():
    sizes = {"a": 3, "b": 2}
    labels = {"a": np.array([0, 1, 2]), "b": np.array([0, 1, 1])}
    tilt = importance.fit_tilt(labels, np.full(3, -np.inf), labels, sizes, defensive=0.2, max_factor=5.0)
    assert tilt.defensive == 0.2 and tilt.max_factor == 5.0
    assert {k: v.tolist() for k, v in tilt.log_f.items()} == {"a": [0.0] * 3, "b": [0.0] * 2}


def test_a_tilt_leaves_bins_without_proposal_draws_alone_and_zeroes_empty_posterior_bins():
    """Five bins: the posterior puts weight in bin 3, where the proposal's reference draws
    have none (its factor stays 1), none in bin 0 (factor 0), and no sample at all lands in
    bin 4 (the arrays keep their length). One dimension is fitted exactly in one step, with
    no warning for the empty bins."""
    reference = np.repeat([0, 1, 2], [100, 100, 200])
    labels = np.array([1, 2, 3, 3])
    log_w = np.log([1.0, 1.0, 1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tilt = importance.fit_tilt({"x": labels}, log_w, {"x": reference}, {"x": 5}, defensive=0.0)
    f = np.exp(tilt.log_f["x"])
    assert f.size == 5
    assert f[0] == 0.0
    # q's mass per bin: 1/4, 1/4, 1/2; the posterior's over those bins: 0, 1/4, 1/4 (bin 3 has
    # no q mass to move). exp f = P/Q, normalised to mean 1 under q.
    c = tilt({"x": reference})
    assert c.mean() == pytest.approx(1.0, rel=1e-12)
    ratio = np.array([0.0, 1.0, 0.5]) / np.sum(np.array([0.0, 1.0, 0.5]) * [0.25, 0.25, 0.5])
    np.testing.assert_allclose(f[:3], ratio, rtol=1e-12)
    # the bins without q mass keep f = 0 but for the normalisation (here ×2)
    np.testing.assert_allclose(f[3:], [2.0, 2.0], rtol=1e-12)

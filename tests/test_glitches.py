"""Burst families in whitened data: each against its formula through the feature estimator,
the unit-SNR normalisation against a matched filter in noise, the training-set file."""

import numpy as np
import pytest
from gwda.glitches import families
from gwda.glitches.dataset import BurstSet, simulate
from gwda.glitches.features import measure
from scipy import stats

DOMAIN = families.window_domain(0.5, 4096.0, 20.0, 1024.0)
SAMPLE = 1 / DOMAIN.sample_rate
# Interior of the default ranges: the band edge at 20 Hz then cuts < 1e-4 of a burst's
# spectrum (a sine-Gaussian's extends 1/(2πτ) about f0; at f0 = 100 Hz, τ = 6 ms the cut
# low-frequency part rings at 20 Hz and lengthens the measured duration by up to 10 %).
INTERIOR = {"f0": [120.0, 250.0], "tau": [0.008, 0.03], "bandwidth": [20.0, 100.0]}


def draw(cls, n, ranges=INTERIOR, seed=0):
    return families.draw(cls, n, ranges, DOMAIN, np.random.default_rng(seed), 0.1)


def test_sine_gaussians_measure_as_their_formula():
    x, p = draw("sine_gaussian", 300)
    m = measure(x, DOMAIN)
    np.testing.assert_allclose(m["snr"], 1.0, rtol=1e-9)
    assert np.all(np.abs(m["central_frequency"] - p["f0"]) < 0.5)                 # Hz
    np.testing.assert_allclose(m["duration"], p["tau"] / 2, rtol=0.02)             # energy ∝ exp(-2t²/τ²)
    np.testing.assert_allclose(m["bandwidth"], 1 / (2 * np.pi * p["tau"]), rtol=0.02)
    np.testing.assert_allclose(m["quality"], np.sqrt(2) * np.pi * p["f0"] * p["tau"], rtol=0.02)
    assert np.all(np.abs(m["peak_time"] - p["peak_time"]) <= SAMPLE)


def test_ringdowns_start_at_their_peak_time_and_decay_with_tau():
    x, p = draw("ringdown", 300, {**INTERIOR, "tau": [0.01, 0.03]})
    m = measure(x, DOMAIN)
    # energy ∝ exp(-2t/τ) from the onset: standard deviation τ/2; the band limit smears the
    # onset (the envelope peaks 0-5 ms later) and can only add energy around it
    assert abs(np.median(m["duration"] / (p["tau"] / 2)) - 1) < 0.03
    assert np.all(m["duration"] > 0.99 * p["tau"] / 2)
    lag = m["peak_time"] - p["peak_time"]
    assert np.all((lag >= 0) & (lag < 0.005))
    assert abs(np.median(m["central_frequency"] - p["f0"])) < 10


def test_white_noise_bursts_stay_in_their_band():
    x, p = draw("white_noise_burst", 300)
    m = measure(x, DOMAIN)
    # the band ± the spread of the Gaussian envelope, 1/(πτ)
    assert np.all(np.abs(m["central_frequency"] - p["f0"]) <= p["bandwidth"] / 2 + 1 / (np.pi * p["tau"]))
    # a random spectrum of ~bandwidth·τ independent bins: its centroid scatters by up to
    # bandwidth/√12 ≈ 0.29 bandwidth (one bin), so the median error stays below 0.2 of it
    assert np.median(np.abs(m["central_frequency"] - p["f0"]) / p["bandwidth"]) < 0.2


def test_gaussian_pulses_and_mergers_peak_at_their_peak_time():
    x, p = draw("gaussian_pulse", 200, {"tau": [0.0002, 0.001]})
    assert np.all(np.abs(measure(x, DOMAIN)["peak_time"] - p["peak_time"]) <= SAMPLE)
    ranges = {"chirp_mass": [20.0, 45.0], "mass_ratio": [0.25, 1.0], "chi": [-0.9, 0.9]}
    x, p = draw("bbh", 200, ranges)
    m = measure(x, DOMAIN)
    assert np.all(np.abs(m["peak_time"] - p["peak_time"]) <= 2 * SAMPLE)
    # heavier binaries merge at lower frequencies (f ∝ 1/M)
    assert stats.spearmanr(m["central_frequency"], p["chirp_mass"])[0] < -0.6


def test_unit_snr_is_the_snr_a_matched_filter_recovers_in_white_noise():
    """A burst injected at SNR 12 into whitened Gaussian noise (unit variance per sample in
    the band): the matched filter with the burst itself recovers 12 ± 1 per realisation."""
    x, _ = draw("sine_gaussian", 1)
    rng = np.random.default_rng(5)
    n_bins = DOMAIN.mask.sum()
    noise = DOMAIN.whitened_time_series(rng.standard_normal((4000, n_bins)) + 1j * rng.standard_normal((4000, n_bins)))
    assert abs(noise.var() - 1) < 0.01
    data = noise + 12.0 * x
    snr = np.real(np.sum(DOMAIN.whitened_band(data) * np.conj(DOMAIN.whitened_band(x)), axis=-1))
    assert abs(snr.mean() - 12.0) < 4 / np.sqrt(snr.size) and abs(snr.std() - 1) < 0.05
    np.testing.assert_allclose(families.optimal_snr(12.0 * x, DOMAIN), 12.0)


def test_training_set_is_seeded_labelled_and_written_with_its_parameters(tmp_path):
    ranges = {"sine_gaussian": INTERIOR, "gaussian_pulse": {"tau": [0.0002, 0.001]}}
    a = simulate(["sine_gaussian", "gaussian_pulse"], ranges, 50, DOMAIN, np.random.default_rng(1), 0.1)
    b = simulate(["sine_gaussian", "gaussian_pulse"], ranges, 50, DOMAIN, np.random.default_rng(1), 0.1)
    np.testing.assert_array_equal(a.series, b.series)
    a.write(tmp_path / "bursts.hdf5")
    back = BurstSet.read(tmp_path / "bursts.hdf5")
    assert back.classes == ("sine_gaussian", "gaussian_pulse") and back.domain == DOMAIN
    np.testing.assert_allclose(back.series, a.series, rtol=1e-6, atol=1e-6 * np.abs(a.series).max())
    assert np.all(np.isnan(back.parameters["f0"][back.of_class("gaussian_pulse")]))
    assert np.all(np.isfinite(back.parameters["f0"][back.of_class("sine_gaussian")]))


def test_unknown_class_is_refused():
    with pytest.raises(ValueError, match="unknown burst class 'blip'"):
        draw("blip", 1)


# -- the conditional WGAN-GP (gwda.core.gan): its mechanics -----------------------------------

def _tiny_gan(seed=0):
    import torch
    from gwda.core.gan import ConditionalGAN

    torch.manual_seed(seed)
    return ConditionalGAN({"n_samples": 64, "n_classes": 2, "latent": 8, "generator_channels": [8, 4],
                           "critic_channels": [4, 8], "kernel": 5, "band": [3, 20], "fixed_norm": True})


def test_gradient_penalty_is_zero_for_a_unit_gradient_critic():
    import torch
    from gwda.core.gan import gradient_penalty

    w = torch.randn(64)
    real, fake, cond = torch.randn(16, 64), torch.randn(16, 64), torch.zeros(16, 1)
    for norm, expected in ((1.0, 0.0), (2.0, 1.0)):
        def critic(x, c, v=w / w.norm() * norm):
            return x @ v
        assert float(gradient_penalty(critic, real, fake, cond)) == pytest.approx(expected, abs=1e-5)


def test_generated_series_are_band_limited_with_the_data_norm():
    import torch

    model = _tiny_gan()
    model.norm.fill_(3.0)
    x = model.fake(torch.randn(10, 8), model.one_hot(torch.tensor([0, 1] * 5)))
    spectrum = torch.fft.rfft(x.detach(), dim=-1).abs()
    assert float(spectrum[:, :3].max()) < 1e-5 and float(spectrum[:, 20:].max()) < 1e-5
    np.testing.assert_allclose(x.norm(dim=-1).detach().numpy(), 3.0, rtol=1e-5)


def test_gan_training_resumes_from_its_checkpoint_as_if_never_stopped(tmp_path):
    import torch
    from gwda.core.gan import train_gan

    rng = np.random.default_rng(0)
    series, labels = rng.standard_normal((320, 64)), rng.integers(0, 2, 320)
    settings = {"epochs": 2, "batch_size": 16, "critic_steps": 2, "gradient_penalty": 10.0,
                "learning_rate_generator": 1e-3, "learning_rate_critic": 1e-3}
    cpu = torch.device("cpu")
    whole = _tiny_gan()
    train_gan(whole, series, labels, settings, 0, tmp_path / "a", tmp_path / "a.csv", "fp", cpu, progress=False)
    part = _tiny_gan()
    train_gan(part, series, labels, {**settings, "epochs": 1}, 0, tmp_path / "b", tmp_path / "b.csv", "fp", cpu,
              progress=False)
    resumed = _tiny_gan(seed=1)           # a new process: other initial weights, restored from the checkpoint
    result = train_gan(resumed, series, labels, settings, 0, tmp_path / "b", tmp_path / "b.csv", "fp", cpu,
                       progress=False)
    assert result["resumed_from"] == 1
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b)
    g = torch.Generator().manual_seed(3)
    first = whole.generate(np.array([0, 1]), g)
    np.testing.assert_array_equal(first, resumed.generate(np.array([0, 1]), torch.Generator().manual_seed(3)))

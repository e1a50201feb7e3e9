"""Burst families in whitened data: each against its formula through the feature estimator,
the unit-SNR normalisation against a matched filter in noise, the training-set file."""

import numpy as np
import pytest
from gwda.glitches import families
from gwda.glitches.dataset import BurstSet, simulate
from gwda.glitches.features import ONE_SIGMA, measure
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
    # energy ∝ exp(-2t/τ) from the onset: its central 68.27 % spans (τ/2) ln(0.8413/0.1587);
    # the band limit smears the onset (the envelope peaks 0-5 ms later)
    expected = p["tau"] / 4 * np.log((1 + ONE_SIGMA) / (1 - ONE_SIGMA))
    assert abs(np.median(m["duration"] / expected) - 1) < 0.03
    assert np.all(np.abs(m["duration"] / expected - 1) < 0.06)
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


def test_the_schema_knows_the_simulated_classes(root):
    import yaml

    schema = yaml.safe_load((root / "config" / "schema.yaml").read_text())["properties"]["glitches"]
    assert tuple(schema["then"]["properties"]["classes"]["items"]["enum"]) == families.CLASSES
    assert tuple(schema["properties"]["classes"]["default"]) == families.CLASSES
    assert set(schema["properties"]["ranges"]["properties"]) == set(families.CLASSES)


def test_unknown_class_is_refused():
    with pytest.raises(ValueError, match="unknown burst class 'blip'"):
        draw("blip", 1)


# -- the conditional WGAN-GP (gwda.core.gan): its mechanics -----------------------------------

def _tiny_gan(seed=0):
    import torch
    from gwda.core.gan import ConditionalGAN

    torch.manual_seed(seed)
    return ConditionalGAN({"n_samples": 64, "n_conditions": 2, "latent": 8, "generator_channels": [8, 4],
                           "critic_channels": [4, 8], "kernel": 5, "band": [3, 20], "fixed_norm": True,
                           "critic_spectral": 8})


def _one_hot(labels):
    return np.eye(2, dtype=np.float32)[np.asarray(labels)]


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
    x = model.fake(torch.randn(10, 8), torch.as_tensor(_one_hot([0, 1] * 5)))
    spectrum = torch.fft.rfft(x.detach(), dim=-1).abs()
    assert float(spectrum[:, :3].max()) < 1e-5 and float(spectrum[:, 20:].max()) < 1e-5
    np.testing.assert_allclose(x.norm(dim=-1).detach().numpy(), 3.0, rtol=1e-5)


def test_gan_training_resumes_from_its_checkpoint_as_if_never_stopped(tmp_path):
    import torch
    from gwda.core.gan import train_gan

    rng = np.random.default_rng(0)
    series, labels = rng.standard_normal((320, 64)), _one_hot(rng.integers(0, 2, 320))
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
    first = whole.generate(_one_hot([0, 1]), g)
    np.testing.assert_array_equal(first, resumed.generate(_one_hot([0, 1]), torch.Generator().manual_seed(3)))


# -- the glitch generator's condition and its reduced series ----------------------------------

RANGES = {"sine_gaussian": {"f0": [70.0, 250.0], "tau": [0.004, 0.03]}, "gaussian_pulse": {"tau": [0.0002, 0.001]}}
WINDOW = families.window_domain(0.25, 4096.0, 20.0, 1024.0)


def test_conditions_scale_each_class_parameter_to_its_range():
    from gwda.glitches.generator import ConditionEncoder

    enc = ConditionEncoder(["sine_gaussian", "gaussian_pulse"], RANGES, 0.03, 0.25)
    assert enc.slots == ("peak_time", "f0", "tau") and enc.size == 5
    labels = np.array([0, 0, 1, 1] * 50)
    params = enc.draw(labels, np.random.default_rng(0))
    c = enc.encode(labels, params)
    np.testing.assert_array_equal(c[:, :2], np.eye(2)[labels])
    assert np.all(np.abs(c[:, 2:]) <= 1)
    assert np.all(np.isnan(params["f0"][labels == 1])) and np.all(c[labels == 1, 3] == 0)
    np.testing.assert_allclose(c[labels == 0, 3], (params["f0"][labels == 0] - 160) / 90, rtol=1e-6)
    # tau of each class scaled by its own range
    np.testing.assert_allclose(c[labels == 1, 4], (params["tau"][labels == 1] - 0.0006) / 0.0004, rtol=1e-5)


def _expand(y, domain):
    """Fourier interpolation of reduced series back to ``domain`` (the inverse of ``reduce``)."""
    factor = domain.n_samples // y.shape[-1]
    spectrum = np.zeros(y.shape[:-1] + (domain.n_samples // 2 + 1,), dtype=complex)
    spectrum[..., :y.shape[-1] // 2 + 1] = np.fft.rfft(y, axis=-1) * factor
    return np.fft.irfft(spectrum, n=domain.n_samples, axis=-1)


def test_reduced_series_are_exact_for_band_limited_bursts():
    from gwda.glitches.generator import reduce, reduced_domain, to_unit_bursts

    x, _ = families.draw("sine_gaussian", 20, RANGES["sine_gaussian"], WINDOW, np.random.default_rng(1), 0.03)
    small = reduced_domain(WINDOW)
    assert small.sample_rate == 2048.0 and reduce(x, WINDOW).shape == (20, 512)
    # only the bin at f_max = 1024 Hz (the reduced Nyquist frequency) is lost: < 1e-6 of a
    # sine-Gaussian's power below 250 Hz
    np.testing.assert_allclose(_expand(reduce(x, WINDOW), WINDOW), x, atol=1e-6)
    np.testing.assert_allclose(to_unit_bursts(reduce(x, WINDOW), WINDOW), x, atol=1e-6)


# -- glitches in coloured noise ------------------------------------------------------------------

def test_injected_glitches_are_recovered_at_their_snr_by_a_matched_filter():
    """Glitches coloured by an aLIGO-like PSD, added to coloured Gaussian noise of that PSD and
    whitened again: the matched filter with each glitch recovers its SNR with unit scatter."""
    from gwda.glitches import injection
    from gwda.gw.noise import gaussianity, time_domain_noise
    from gwda.io.synthetic import analytic_psd

    rng = np.random.default_rng(2)
    stretch = injection.stretch_domain(32.0, 4096.0, 20.0, 1024.0)
    f = np.linspace(0, 2048, 8193)
    psd = analytic_psd(f)
    n = 60
    bursts, _ = families.draw("sine_gaussian", n, RANGES["sine_gaussian"], WINDOW, rng, 0.03)
    starts = rng.uniform(0, 31.7, n)
    snrs = injection.power_law(rng, n, -3.0, 8.0, 50.0)
    assert snrs.min() >= 8 and snrs.max() <= 50
    psd_on_stretch = np.interp(stretch.frequencies, f, psd)
    glitch = stretch.coloured_time_series(injection.whitened_stretch(bursts, starts, snrs, stretch), psd_on_stretch)
    noise = time_domain_noise(f, psd, stretch.duration, stretch.sample_rate, rng)
    white = injection.whiten(noise + glitch, psd_on_stretch, stretch)
    # the whitened Gaussian noise alone has unit variance per sample
    assert abs(injection.whiten(noise, psd_on_stretch, stretch).var() - 1) < 0.02
    recovered = injection.matched_filter_snrs(white, bursts, starts, stretch)
    # overlapping glitches add to each other's filter output: compare the isolated ones
    isolated = np.array([np.all(np.abs(s - np.delete(starts, i)) > 0.25) for i, s in enumerate(starts)])
    diff = (recovered - snrs)[isolated]
    assert abs(diff.mean()) < 4 / np.sqrt(diff.size) and 0.7 < diff.std() < 1.3
    # glitches make the whitened noise heavy-tailed
    gaussian = injection.whiten(noise, psd_on_stretch, stretch)
    assert gaussianity(white)["excess_kurtosis"] > 0.1 > abs(gaussianity(gaussian)["excess_kurtosis"])


def test_glitch_catalogue_follows_its_rate_and_classes():
    from gwda.glitches.injection import draw_catalogue

    cat = draw_catalogue(0.5, 4000.0, 0.25, {"minimum": 8.0, "maximum": 50.0, "alpha": -3.0},
                         ["sine_gaussian", "bbh"], np.random.default_rng(3))
    assert abs(len(cat) - 2000) < 4 * np.sqrt(2000)
    assert cat["start"].between(0, 4000 - 0.25).all() and set(cat["class"]) == {"sine_gaussian", "bbh"}


# -- the evaluation can fail ---------------------------------------------------------------------

def test_parameter_tests_accept_the_same_family_and_reject_a_shifted_one():
    from gwda.glitches.evaluation import parameter_tests

    rng = np.random.default_rng(4)
    a, _ = families.draw("sine_gaussian", 500, RANGES["sine_gaussian"], WINDOW, rng, 0.03)
    b, _ = families.draw("sine_gaussian", 500, RANGES["sine_gaussian"], WINDOW, rng, 0.03)
    shifted, _ = families.draw("sine_gaussian", 500, {"f0": [110.0, 290.0], "tau": [0.004, 0.03]}, WINDOW, rng, 0.03)
    same = parameter_tests(measure(a, WINDOW), measure(b, WINDOW))
    wrong = parameter_tests(measure(a, WINDOW), measure(shifted, WINDOW))
    assert min(p["ks_p"] for p in same.values()) > 1e-3
    assert wrong["central_frequency"]["ks_p"] < 1e-6
    assert wrong["central_frequency"]["median_generated"] - wrong["central_frequency"]["median_real"] > 30


def test_two_sample_classifier_tells_classes_apart_and_not_a_class_from_itself():
    from gwda.core.classifier import two_sample_accuracy
    from gwda.glitches.generator import reduce

    rng = np.random.default_rng(5)
    sg = reduce(families.draw("sine_gaussian", 800, RANGES["sine_gaussian"], WINDOW, rng, 0.03)[0], WINDOW)
    sg2 = reduce(families.draw("sine_gaussian", 800, RANGES["sine_gaussian"], WINDOW, rng, 0.03)[0], WINDOW)
    rd = reduce(families.draw("ringdown", 800, RANGES["sine_gaussian"], WINDOW, rng, 0.03)[0], WINDOW)
    # 800 scored: the standard error of the accuracy of a coin is 0.018
    assert abs(two_sample_accuracy(sg, sg2, 5, 0) - 0.5) < 0.07
    assert two_sample_accuracy(sg, rd, 5, 0) > 0.9


def test_bursts_in_noise_have_their_snr_in_unit_variance_noise():
    """in_noise: ρ times the unit-SNR burst plus whitened noise of unit variance per sample,
    so that a matched filter recovers ρ with unit scatter."""
    from gwda.glitches.evaluation import in_noise
    from gwda.glitches.generator import reduce, reduced_domain

    small = reduced_domain(WINDOW)
    x = reduce(families.draw("sine_gaussian", 400, RANGES["sine_gaussian"], WINDOW, np.random.default_rng(8),
                             0.03)[0], WINDOW)
    noisy = in_noise(x, 15.0, small, np.random.default_rng(9))
    noise = in_noise(np.zeros_like(x), 15.0, small, np.random.default_rng(9))
    np.testing.assert_allclose(noisy - noise, 15.0 * x, atol=1e-9)
    # 400 × 512 samples, correlated over ~1.1 samples by the band: ±1 % is > 5σ
    assert noise.var() == pytest.approx(1.0, abs=0.01)
    template, data = small.whitened_band(x), small.whitened_band(noisy)
    recovered = np.real(np.sum(np.conj(template) * data, axis=-1)) / np.linalg.norm(template, axis=-1)
    assert recovered.mean() == pytest.approx(15.0, abs=5 / np.sqrt(400))
    assert recovered.std() == pytest.approx(1.0, abs=0.2)


def test_two_sample_test_in_noise_sees_two_classes_at_high_snr_and_not_at_low():
    """Sine-Gaussians against ringdowns of the same f0 and τ ranges: in noise at SNR 20 a
    classifier tells them apart, at SNR 0.3 (any classifier's accuracy ≤ Φ(0.3/√2) ≈ 0.58)
    it scores as a coin, within 4σ (σ = 0.5 / √400)."""
    from gwda.core.classifier import two_sample_accuracy
    from gwda.glitches.evaluation import in_noise
    from gwda.glitches.generator import reduce, reduced_domain

    small = reduced_domain(WINDOW)
    rng = np.random.default_rng(10)
    sg = reduce(families.draw("sine_gaussian", 800, RANGES["sine_gaussian"], WINDOW, rng, 0.03)[0], WINDOW)
    rd = reduce(families.draw("ringdown", 800, RANGES["sine_gaussian"], WINDOW, rng, 0.03)[0], WINDOW)
    high = two_sample_accuracy(in_noise(sg, 20.0, small, rng), in_noise(rd, 20.0, small, rng), 5, 0)
    low = two_sample_accuracy(in_noise(sg, 0.3, small, rng), in_noise(rd, 0.3, small, rng), 5, 0)
    assert high > 0.85
    assert abs(low - 0.5) < 0.1


def test_gan_metrics_pass_fresh_draws_and_fail_swapped_classes():
    """evaluate() on a generator that draws from the training families (targets met) and on
    one that returns ringdowns when asked for sine-Gaussians and vice versa (class fidelity,
    the parameters and the noise-free C2ST fail; in noise at SNR 15, 100 training rows a side
    do not tell these two families apart: the power of that test is checked above)."""
    from gwda.glitches.evaluation import evaluate

    classes = ("sine_gaussian", "ringdown")
    rng = np.random.default_rng(11)

    def sample(n):
        drawn = [families.draw(c, n, RANGES["sine_gaussian"], WINDOW, rng, 0.03) for c in classes]
        params = {k: np.concatenate([p[k] for _, p in drawn]) for k in ("peak_time", "f0", "tau")}
        return np.concatenate([x for x, _ in drawn]), np.repeat([0, 1], n), params

    (train_x, train_y, _), (real_x, real_y, real_p), (fake_x, fake_y, fake_p) = sample(300), sample(200), sample(200)
    real_m, fake_m = measure(real_x, WINDOW), measure(fake_x, WINDOW)
    common = dict(domain=WINDOW, snr_in_noise=15.0, epochs=10, seed=0, n_match=20, real_parameters=real_p,
                  fake_parameters=fake_p)
    good = evaluate(classes, train_x, train_y, real_x, real_y, fake_x, fake_y, real_features=real_m,
                    fake_features=fake_m, **common)
    bad = evaluate(classes, train_x, train_y, real_x, real_y, fake_x, 1 - fake_y, real_features=real_m,
                   fake_features=fake_m, **common)
    for cls in classes:
        g, b = good["classes"][cls], bad["classes"][cls]
        assert set(g["targets_met"]) == {"parameters_ks", "class_fidelity", "c2st_in_noise", "lattice", "spectrum",
                                         "one_to_one", "f0_tracking"}
        assert all(g["targets_met"].values()), (cls, g["targets_met"])
        assert g["one_to_one"]["generated"]["match_p10"] > 1 - 1e-6 and g["one_to_one"]["real"]["match_p10"] > 1 - 1e-6
        assert not b["targets_met"]["class_fidelity"] and not b["targets_met"]["parameters_ks"], (cls, b)
        # a ringdown asked to be a sine-Gaussian of its parameters (and vice versa) is not one
        assert not b["targets_met"]["one_to_one"] and b["one_to_one"]["generated"]["match_median"] < 0.9
        assert b["class_accuracy_generated"] < 0.2 and b["c2st_noise_free"] > 0.75
        assert abs(g["c2st_noise_free"] - 0.5) < 0.15     # 4σ of a coin scored on 200 rows


def test_generator_output_becomes_unit_snr_bursts_in_one_step():
    from gwda.glitches.generator import reduce, to_unit_bursts

    x, _ = families.draw("ringdown", 10, RANGES["sine_gaussian"], WINDOW, np.random.default_rng(6), 0.03)
    y = 3.7 * reduce(x, WINDOW) + 0.01 * np.random.default_rng(7).standard_normal((10, 512))
    np.testing.assert_allclose(to_unit_bursts(y, WINDOW), families.unit_snr(_expand(y, WINDOW), WINDOW), atol=1e-12)


def test_gan_learns_a_one_parameter_family_and_the_check_rejects_a_shifted_one(tmp_path):
    """Sine-Gaussians with f0 uniform in 100-200 Hz (τ nearly fixed): the trained generator's
    central frequencies pass the KS check against held-out ones at 400 samples; the same
    generator asked for f0 in 140-200 Hz only fails it."""
    import torch
    from gwda.core.gan import ConditionalGAN, train_gan
    from gwda.glitches.evaluation import parameter_tests
    from gwda.glitches.generator import ConditionEncoder, GlitchGenerator, reduce, to_unit_bursts

    domain = families.window_domain(0.125, 2048.0, 20.0, 512.0)
    ranges = {"sine_gaussian": {"f0": [100.0, 200.0], "tau": [0.009, 0.011]}}
    train = simulate(["sine_gaussian"], ranges, 1000, domain, np.random.default_rng(0), 0.01)
    enc = ConditionEncoder(["sine_gaussian"], ranges, 0.01, 0.125)
    torch.manual_seed(0)
    network = {"latent": 8, "generator_channels": [32, 16, 8], "critic_channels": [8, 16, 16], "kernel": 5,
               "critic_spectral": 16}
    gan = ConditionalGAN(GlitchGenerator.gan_settings(enc, domain, network))
    settings = {"epochs": 60, "batch_size": 32, "critic_steps": 2, "gradient_penalty": 10.0,
                "learning_rate_generator": 2e-3, "learning_rate_critic": 2e-4, "adam_beta1": 0.5,
                "stft_loss": 1000.0, "stft_sizes": [16, 32, 64, 128]}
    train_gan(gan, reduce(train.series, domain), enc.encode(train.labels, train.parameters), settings, 0,
              tmp_path, tmp_path / "losses.csv", "fp", torch.device("cpu"), progress=False)
    generator = GlitchGenerator(gan, enc, domain)
    held = simulate(["sine_gaussian"], ranges, 400, domain, np.random.default_rng(1), 0.01)
    fake, _ = generator.generate(np.zeros(400, dtype=int), np.random.default_rng(2))
    good = parameter_tests(measure(held.series, domain), measure(fake, domain))["central_frequency"]
    assert good["ks_p"] > 1e-3, good
    params = enc.draw(np.zeros(400, dtype=int), np.random.default_rng(3))
    params["f0"] = np.random.default_rng(4).uniform(140.0, 200.0, 400)
    wrong_conditions = enc.encode(np.zeros(400, dtype=int), params)
    shifted = to_unit_bursts(gan.generate(wrong_conditions, torch.Generator().manual_seed(5)), domain)
    assert parameter_tests(measure(held.series, domain), measure(shifted, domain))["central_frequency"]["ks_p"] < 1e-3


# -- real glitches cut from GWOSC-format strain -------------------------------------------------

def test_real_glitches_are_cut_whitened_and_centred_from_gwosc_files(tmp_path):
    """Synthetic GWOSC files with sine-Gaussians (f0 = 120 Hz, Q = 9) injected at known GPS
    times: each cut window holds its burst at the centre, at 120 Hz, with the optimal SNR
    the injection has for the analytic PSD (within the noise under it and the scatter of a
    median-Welch PSD from 64 s)."""
    import pandas as pd
    from gwda.config import validate_config
    from gwda.glitches import real
    from gwda.gw.domain import FrequencyDomain
    from gwda.io.synthetic import analytic_psd, sine_gaussian, write_gwosc_files

    times = [1000000100.3, 1000000180.7, 1000000230.1]
    write_gwosc_files(tmp_path, 1000000000, 320, detectors=("H1",), injection_time=times, injection_amplitude=5e-21)
    table = pd.DataFrame({"gps_time": times, "detector": "H1", "label": "blip"})
    table.to_csv(tmp_path / "glitches.csv", index=False)
    data = validate_config({"data": {"source": "local", "local": {"directory": str(tmp_path)}}})["data"]
    series, params = real.cut_all(real.read_table(tmp_path / "glitches.csv"), data, WINDOW, 64.0)
    m = measure(series, WINDOW)
    np.testing.assert_allclose(m["snr"], 1.0, rtol=1e-9)
    # the envelope of a Q = 9 burst at 120 Hz (τ = 17 ms) is flat within 2 % over ±2.4 ms:
    # noise moves its maximum by a few ms
    assert np.all(np.abs(m["peak_time"] - WINDOW.duration / 2) < 0.008), m["peak_time"]
    assert np.all(np.abs(m["central_frequency"] - 120.0) < 5.0), m["central_frequency"]
    # the injection's optimal SNR for the analytic PSD, in the project's convention
    segment = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.0)
    t = np.arange(segment.n_samples) / segment.sample_rate
    htilde = np.fft.rfft(sine_gaussian(t, 2.0, amplitude=5e-21)) / segment.sample_rate
    expected = np.sqrt(np.sum(np.abs(segment.whiten(htilde, analytic_psd(segment.frequencies))) ** 2))
    assert 50 < expected < 150
    assert np.all(np.abs(params["snr"] / expected - 1) < 0.15), (params["snr"], expected)


def test_a_glitch_table_without_its_columns_is_refused(tmp_path):
    from gwda.glitches import real

    (tmp_path / "t.csv").write_text("time,ifo\n1,H1\n")
    with pytest.raises(real.GlitchTableError, match="lacks column"):
        real.read_table(tmp_path / "t.csv")


# -- gengli's pretrained blips (optional extra, in the test extra) ---------------------------------

def test_gengli_snr_convention_is_pinned_and_its_blips_are_injected_at_our_snr():
    """gengli's SNR assumes a unit one-sided PSD: its series of SNR ρ_g has Σy² = ρ_g² f_s/2, so
    in whitened noise of unit variance per sample (ours) its optimal SNR is ρ_g √(f_s/2). Our
    blips are rescaled to unit SNR in our convention: a matched filter in our whitened noise
    recovers the SNR we inject."""
    pytest.importorskip("gengli", reason="gengli is in the test extra: pip install -e '.[test]'")
    from gwda.glitches import gengli_source

    scaled = gengli_source.generator("L1").get_glitch(4, srate=4096.0, snr=10.0, seed=1, alpha=None)
    # (to within its one-sided sum's full counting of the DC and Nyquist bins)
    np.testing.assert_allclose(np.sqrt(np.sum(scaled**2, axis=-1)), 10.0 * np.sqrt(4096.0 / 2), rtol=5e-3)
    blips = gengli_source.blips(30, "H1", WINDOW, seed=2)
    assert blips.shape == (30, WINDOW.n_samples)
    np.testing.assert_allclose(families.optimal_snr(blips, WINDOW), 1.0, rtol=1e-9)
    # blips are short and low-frequency: centred in the window, power mostly below 250 Hz
    m = measure(blips, WINDOW)
    assert np.all(np.abs(m["peak_time"] - WINDOW.duration / 2) < 0.05) and np.median(m["central_frequency"]) < 250
    rng = np.random.default_rng(3)
    k = WINDOW.mask.sum()
    noise = WINDOW.whitened_time_series(rng.standard_normal((30, k)) + 1j * rng.standard_normal((30, k)))
    data = noise + 12.0 * blips
    snr = np.real(np.sum(WINDOW.whitened_band(data) * np.conj(WINDOW.whitened_band(blips)), axis=-1))
    assert abs(snr.mean() - 12.0) < 4 / np.sqrt(30) and 0.6 < snr.std() < 1.5


@pytest.mark.parametrize("source", ["simulated", "gengli"])
def test_glitch_sources_draw_unit_snr_glitches(source):
    if source == "gengli":
        pytest.importorskip("gengli", reason="gengli is in the test extra: pip install -e '.[test]'")
    from gwda.config import validate_config
    from gwda.glitches.sources import glitch_maker

    config = validate_config({"noise": {"glitches": {"source": source}}})
    make, window = glitch_maker(source, config)
    names = ["gengli_blip"] * 4 if source == "gengli" else ["sine_gaussian", "bbh", "ringdown", "sine_gaussian"]
    bursts = make(names, np.random.default_rng(0), "L1")
    assert bursts.shape == (4, window.n_samples) and window.duration == config["glitches"]["window"]
    np.testing.assert_allclose(families.optimal_snr(bursts, window), 1.0, rtol=1e-9)


def test_a_glitch_added_to_segment_data_has_its_snr():
    from gwda.config import validate_config
    from gwda.glitches.injection import in_segment
    from gwda.gw.domain import FrequencyDomain

    segment = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.4)
    ranges = validate_config({})["glitches"]["ranges"]
    for cls in ("sine_gaussian", "ringdown", "bbh"):
        burst = families.draw(cls, 1, ranges[cls], WINDOW, np.random.default_rng(0), 0.03)[0][0]
        band = in_segment(burst, 1.9, 12.0, segment)
        assert band.shape == (segment.mask.sum(),)
        assert np.sqrt(np.sum(np.abs(band) ** 2)) == pytest.approx(12.0, rel=0.01)

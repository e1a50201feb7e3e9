"""The Transformer denoiser: token layout, the window and its noise level, the training
examples, learning on a small problem, resume, determinism and the model file."""

import numpy as np
import pytest
import torch
from gwda.config import ConfigError, validate_config
from gwda.denoise.data import DenoiserSimulation, GlitchPool, resample
from gwda.denoise.denoiser import Denoiser, DenoiserMismatchError
from gwda.denoise.evaluation import WienerFilter, peak_errors
from gwda.denoise.model import DenoisingTransformer, from_tokens, to_tokens
from gwda.denoise.training import network_overlap, train
from gwda.denoise.window import DenoiserWindow
from gwda.glitches import families
from gwda.glitches.sources import glitch_maker
from gwda.gw.domain import FrequencyDomain
from gwda.gw.priors import Prior
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4
DOMAIN = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=0.4)
SETTINGS = validate_config({})["denoiser"]


@pytest.fixture(scope="module")
def simulator():
    psd = analytic_psd(DOMAIN.frequencies)
    return Simulator(DOMAIN, {"H1": psd, "L1": 1.3 * psd}, TRIGGER, TRIGGER - 2.0, WaveformSettings("IMRPhenomD", 20.0))


@pytest.fixture(scope="module")
def window():
    return DenoiserWindow.from_settings(DOMAIN, 2.0, SETTINGS)


def test_tokens_are_the_exact_inverse_of_samples():
    x = torch.randn(3, 2, 96)
    tokens = to_tokens(x, 16)
    assert tokens.shape == (3, 2, 6, 16)
    assert torch.equal(tokens[1, 0, 2], x[1, 0, 32:48])
    assert torch.equal(from_tokens(tokens), x)
    with pytest.raises(ValueError, match="not a whole number of tokens of 17 samples"):
        to_tokens(x, 17)


def test_network_refuses_inputs_it_was_not_built_for():
    net = DenoisingTransformer(dict(n_detectors=2, n_samples=64, patch=16, d_model=8, heads=2, layers=1,
                                    feedforward=16, dropout=0.0, band=[2, 32]))
    assert net(torch.randn(5, 2, 64)).shape == (5, 2, 64)
    with pytest.raises(ValueError, match="input of 1 detector"):
        net(torch.randn(5, 1, 64))
    with pytest.raises(ValueError, match="d_model .* not a multiple of .*heads"):
        DenoisingTransformer(dict(n_detectors=2, n_samples=64, patch=16, d_model=9, heads=2, layers=1,
                                  feedforward=16, dropout=0.0, band=[2, 32]))


def test_output_lies_in_the_analysis_band():
    net = DenoisingTransformer(dict(n_detectors=1, n_samples=128, patch=16, d_model=8, heads=2, layers=1,
                                    feedforward=16, dropout=0.0, band=[5, 40]))
    spectrum = torch.fft.rfft(net(torch.randn(4, 1, 128)), dim=-1).abs()
    assert spectrum[..., 5:40].max() > 1e-3
    assert spectrum[..., :5].max() < 1e-5 and spectrum[..., 40:].max() < 1e-5


def test_window_sits_in_the_untapered_segment(window):
    assert window.sample_rate == 2048 and window.n_samples == 4096
    assert window.times()[0] == pytest.approx(-1.4) and window.n_bins == DOMAIN.mask.sum() - 1
    with pytest.raises(ValueError, match="denoiser.window .* outside the untapered part"):
        DenoiserWindow.from_settings(DOMAIN, 2.0, {**SETTINGS, "window": 3.0})


@pytest.mark.parametrize("override, key", [
    ({"window": 3.5}, "denoiser.window"),
    ({"network": {"patch": 33}}, "denoiser.network.patch"),
    ({"network": {"d_model": 30, "heads": 4}}, "denoiser.network.heads"),
    ({"snr": {"minimum": 40, "maximum": 8}}, "denoiser.snr.minimum"),
    ({"glitches": {"classes": ["koi_fish"]}}, "denoiser.glitches.classes"),
    ({"merger_range": [0.8, 0.2]}, "denoiser.merger_range"),
])
def test_bad_denoiser_settings_name_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate_config({"denoiser": override})


def test_window_noise_has_the_level_of_whitened_data(simulator, window):
    """Coloured noise through the event's path (Tukey window, whitening by the PSD, cut) has
    variance 1/<w²> per sample in the window, the level the training noise is drawn at."""
    from gwda.gw.noise import time_domain_noise

    rng = np.random.default_rng(3)
    psd = simulator.psds["H1"]
    cuts = [window.cut(DOMAIN.whiten_segment(time_domain_noise(DOMAIN.frequencies, psd, 4.0, 4096.0, rng), psd))
            for _ in range(40)]
    # 40 × 4096 samples, correlated over ~1 sample: the variance is known to ~1 %.
    assert np.var(cuts) == pytest.approx(window.noise_std**2, rel=0.03)
    assert window.noise_std**2 == pytest.approx(1 / DOMAIN.window_factor)


def test_window_keeps_the_optimal_snr_of_a_signal_inside_it(simulator, window):
    params = dict(chirp_mass=np.array([30.0]), mass_ratio=np.array([0.8]), chi_1=np.array([0.1]),
                  chi_2=np.array([0.0]), theta_jn=np.array([0.4]), phase=np.array([1.0]),
                  luminosity_distance=np.array([400.0]), ra=np.array([1.4]), dec=np.array([-1.2]),
                  psi=np.array([0.3]), geocent_time=np.array([0.0]))
    signal = simulator.signal(params)["H1"]
    x = window.cut(signal)
    # Σ x² = ρ² n / (2 K) for a band-limited series in the whitened-series convention.
    n, k = window.series_domain.n_samples, window.n_bins
    snr = np.sqrt(np.sum(x**2) * 2 * k * window.n_samples / n / window.n_samples)
    assert snr == pytest.approx(simulator.optimal_snr({"H1": signal})["H1"][0], rel=0.01)


def test_resampling_keeps_a_band_limited_series_and_the_pool_has_unit_snr():
    burst_domain = families.window_domain(0.25, 4096.0, 20.0, 1024.0)
    ranges = validate_config({})["glitches"]["ranges"]["sine_gaussian"]
    bursts, _ = families.draw("sine_gaussian", 8, ranges, burst_domain, np.random.default_rng(0), 0.03)
    low = resample(bursts, 512)
    np.testing.assert_allclose(low, bursts[:, ::2], atol=1e-3 * np.abs(bursts).max())
    np.testing.assert_allclose(resample(low, 1024), bursts, atol=1e-3 * np.abs(bursts).max())
    pool = GlitchPool(lambda names, rng, ifo: families.draw("sine_gaussian", len(names), ranges, burst_domain, rng,
                                                            0.03)[0], burst_domain, ["sine_gaussian"], 2048.0, 16)
    pool.refresh(["H1"], np.random.default_rng(1))
    assert pool.bursts["H1"].shape == (16, 512)
    np.testing.assert_allclose(families.optimal_snr(pool.bursts["H1"], pool.domain), 1.0, rtol=1e-9)


def _simulation(simulator, window, rate=0.25, source="simulated"):
    config = validate_config({"denoiser": {"glitches": {"rate": rate, "source": source}}})
    make, burst_domain = glitch_maker(source, config)
    pool = GlitchPool(make, burst_domain, config["glitches"]["classes"], window.sample_rate, 64)
    pool.refresh(simulator.ifos, np.random.default_rng(1))
    prior = Prior(config["prior"], config["prior_constraints"])
    return DenoiserSimulation(simulator, prior, window, config["denoiser"], pool, torch.device("cpu"))


def test_examples_have_the_drawn_snr_merger_time_noise_and_glitches(simulator, window):
    sim = _simulation(simulator, window, rate=1.0)
    rng, gen = np.random.default_rng(5), torch.Generator().manual_seed(5)
    signals, params = sim.fresh_signals(64, rng)
    ex = sim.examples(signals, rng, gen)
    noise_only = ex.snr == 0
    assert 0 < noise_only.sum() < 30                                 # fraction 0.2 of 64
    assert torch.all(ex.signal[torch.as_tensor(noise_only)] == 0)
    # The answer's optimal network SNR is the drawn one (the window holds nearly all of it).
    n, k = window.series_domain.n_samples, window.n_bins
    snr = torch.sqrt((ex.signal**2).sum((-2, -1)) * 2 * k / n).numpy()
    assert np.all((ex.snr[~noise_only] >= 8) & (ex.snr[~noise_only] <= 40))
    np.testing.assert_allclose(snr[~noise_only], ex.snr[~noise_only], rtol=0.02)
    # Merger (envelope peak) inside the configured fraction of the window, within 20 ms.
    peak = np.argmax(np.abs(ex.signal.numpy()).max(1), axis=-1)[~noise_only] / window.n_samples
    assert np.all((peak > 0.55 - 0.02 / window.duration) & (peak < 0.85 + 0.02 / window.duration))
    # Glitches: Poisson(rate × window) per detector, SNRs in the configured range, absent
    # from the answer; what remains is noise at the whitened-data level.
    assert ex.n_glitches.mean() == pytest.approx(2.0, abs=0.4)
    g = sim.settings["glitches"]["snr"]
    alone = (ex.glitches**2).sum(-1).numpy() * 2 * k / n
    single = ex.n_glitches == 1
    assert np.all((np.sqrt(alone[single]) > 0.97 * g["minimum"]) & (np.sqrt(alone[single]) < 1.03 * g["maximum"]))
    noise = ex.data - ex.signal - ex.glitches
    assert noise.var().item() == pytest.approx(window.noise_std**2, rel=0.03)


class SineGaussianBatches:
    """A small problem: sine-Gaussians (f0 in 40–120 Hz) in white noise, 256 samples at 512 Hz,
    one detector, network SNR 10–20, a quarter of the windows noise only."""

    device = torch.device("cpu")
    n = 256

    def refresh(self, rng):
        pass

    def draw(self, n, rng, generator):
        from gwda.denoise.data import Examples

        t = np.arange(self.n) / 512.0
        t0, f0 = rng.uniform(0.2, 0.3, n), rng.uniform(40, 120, n)
        tau, phase = rng.uniform(0.02, 0.05, n), rng.uniform(0, 2 * np.pi, n)
        s = np.exp(-((t - t0[:, None]) / tau[:, None]) ** 2) * np.sin(2 * np.pi * f0[:, None] * (t - t0[:, None])
                                                                      + phase[:, None])
        snr = np.where(rng.uniform(size=n) < 0.25, 0.0, rng.uniform(10, 20, n))
        s *= (snr / np.linalg.norm(s, axis=-1))[:, None]
        noise = torch.randn((n, 1, self.n), generator=generator)
        signal = torch.as_tensor(s[:, None], dtype=torch.float32)
        return Examples(signal + noise, signal, snr, torch.zeros_like(signal), np.zeros((n, 1), int))


def _tiny_denoiser(seed=0):
    torch.manual_seed(seed)
    net = DenoisingTransformer(dict(n_detectors=1, n_samples=256, patch=16, d_model=32, heads=4, layers=2,
                                    feedforward=64, dropout=0.0, band=[0, 129]))
    return Denoiser(net, None, ["H1"], {})


TINY_TRAINING = {"epochs": 6, "examples_per_epoch": 2048, "batch_size": 64, "learning_rate": 2e-3,
                 "validation_examples": 128}


def _score(denoiser, batches):
    ex = batches.draw(400, np.random.default_rng(99), torch.Generator().manual_seed(99))
    out = denoiser(ex.data)
    has = ex.snr > 0
    data, truth = ex.data.numpy(), ex.signal.numpy()
    overlap = np.median(network_overlap(out[has], truth[has]))
    identity = np.median(network_overlap(data[has], truth[has]))
    suppression = np.mean((data[~has] ** 2).sum(-1)) / np.mean((out[~has] ** 2).sum(-1))
    return overlap, identity, suppression


def test_denoiser_learns_a_small_problem_and_an_untrained_one_fails(tmp_path):
    """After ~1 minute of training the median overlap beats the identity's (≈ 0.7 at SNR 15 in
    256 noise samples) by 0.15 and noise-only windows lose 10× in power; the untrained network
    fails both checks."""
    batches = SineGaussianBatches()
    untrained = _score(_tiny_denoiser(), batches)
    assert not (untrained[0] > untrained[1] + 0.15 and untrained[2] > 10)
    denoiser = _tiny_denoiser()
    result = train(denoiser, batches, TINY_TRAINING, 0, tmp_path / "w", tmp_path / "loss.csv", "tiny", progress=False)
    overlap, identity, suppression = _score(denoiser, batches)
    assert overlap > identity + 0.15, (overlap, identity)
    assert suppression > 10
    history = result["history"]
    assert history[-1]["validation_loss"] < 0.5 * history[0]["validation_loss"]


def test_training_resumes_from_its_checkpoint_and_is_deterministic(tmp_path):
    batches = SineGaussianBatches()
    settings = {**TINY_TRAINING, "epochs": 2, "examples_per_epoch": 256}
    whole = _tiny_denoiser()
    train(whole, batches, settings, 7, tmp_path / "a", tmp_path / "a.csv", "fp", progress=False)
    again = _tiny_denoiser()
    train(again, batches, settings, 7, tmp_path / "b", tmp_path / "b.csv", "fp", progress=False)
    for p, q in zip(whole.network.parameters(), again.network.parameters()):
        assert torch.equal(p, q)
    # Killed during epoch 2 (2 validation batches, 4 per epoch), then run again: it resumes
    # after epoch 1 and ends with the same weights as in one go.

    class Killed(SineGaussianBatches):
        calls = 0

        def draw(self, n, rng, generator):
            Killed.calls += 1
            if Killed.calls == 8:
                raise KeyboardInterrupt
            return super().draw(n, rng, generator)

    with pytest.raises(KeyboardInterrupt):
        train(_tiny_denoiser(), Killed(), settings, 7, tmp_path / "c", tmp_path / "c.csv", "fp", progress=False)
    resumed = _tiny_denoiser()
    result = train(resumed, batches, settings, 7, tmp_path / "c", tmp_path / "c.csv", "fp", progress=False)
    assert result["resumed_from"] == 1 and result["epochs_run"] == 1
    for p, q in zip(whole.network.parameters(), resumed.network.parameters()):
        torch.testing.assert_close(p, q)


def test_denoiser_file_round_trip_and_data_check(tmp_path, window):
    denoiser = Denoiser.build({"patch": 64, "d_model": 8, "heads": 2, "layers": 1, "feedforward": 8, "dropout": 0.0},
                              window, ["H1", "L1"], {"psd_sha256": "abc", "trigger_time": TRIGGER})
    denoiser.save(tmp_path / "d.pt")
    back = Denoiser.load(tmp_path / "d.pt")
    x = np.random.default_rng(0).standard_normal((3, 2, window.n_samples))
    np.testing.assert_allclose(back(x), denoiser(x), atol=1e-6)
    assert back.window == window
    back.check_data({"psd_sha256": "abc"}, "d.pt")
    with pytest.raises(DenoiserMismatchError, match="psd_sha256: denoiser 'abc', data 'xyz'"):
        back.check_data({"psd_sha256": "xyz"}, "d.pt")
    (tmp_path / "bad.pt").write_bytes(b"not a model")
    with pytest.raises(DenoiserMismatchError, match="bad.pt is not a denoiser"):
        Denoiser.load(tmp_path / "bad.pt")


def test_wiener_filter_and_peak_errors():
    rng = np.random.default_rng(2)
    t = np.arange(512) / 512.0
    signals = np.sin(2 * np.pi * 60 * t)[None, None] * rng.uniform(0.5, 1.5, (300, 1, 1))
    noise = rng.standard_normal((300, 1, 512))
    wiener = WienerFilter.fit(signals, noise)
    data = signals + noise
    assert np.median(network_overlap(wiener(data), signals)) > np.median(network_overlap(data, signals)) + 0.3
    amp, phase = peak_errors(1.1 * signals[:5], signals[:5])
    np.testing.assert_allclose(amp, 0.1, atol=1e-6)
    np.testing.assert_allclose(phase, 0.0, atol=1e-6)
    # delayed by 2 samples: the phase at the peak lags by 2π · 60 Hz · 2/512 s = 1.473 rad
    amp, phase = peak_errors(0.8 * np.roll(signals[:5], 2, axis=-1), signals[:5])
    np.testing.assert_allclose(amp, -0.2, atol=1e-6)
    np.testing.assert_allclose(phase, -2 * np.pi * 60 * 2 / 512, atol=1e-6)

import numpy as np
import pytest
from gwda.gw import noise
from gwda.gw import psd as psd_mod
from gwda.gw.domain import FrequencyDomain
from gwda.io.synthetic import analytic_psd

DOMAIN = FrequencyDomain(duration=4.0, sample_rate=4096.0, f_min=20.0, f_max=1024.0, roll_off=0.4)


def test_whitened_simulated_noise_has_unit_variance_per_part():
    psd = analytic_psd(DOMAIN.frequencies)
    fd = noise.frequency_domain_noise(psd, DOMAIN, 50, np.random.default_rng(0))
    white = DOMAIN.whiten(fd, psd)[:, DOMAIN.mask]
    for part in (white.real, white.imag):
        n = part.size
        # The variance of n unit Gaussians scatters by sqrt(2/n): allow 5 sigma.
        assert abs(part.var() - 1) < 5 * np.sqrt(2 / n)
        assert abs(part.mean()) < 5 / np.sqrt(n)
    assert np.all(fd[:, ~DOMAIN.mask] == 0)


def test_windowed_time_domain_noise_whitens_to_unit_variance():
    """Time-domain noise -> Tukey window -> FFT -> whitening with the true PSD: the window's
    power loss is accounted for by the effective PSD, so the variance is 1 again."""
    freqs = DOMAIN.frequencies
    psd = analytic_psd(freqs)
    rng = np.random.default_rng(1)
    segs = np.array([noise.time_domain_noise(freqs, psd, 4.0, 4096.0, rng) for _ in range(40)])
    white = DOMAIN.whiten(DOMAIN.time_to_frequency(segs), psd)[:, DOMAIN.mask]
    x = np.concatenate([white.real.ravel(), white.imag.ravel()])
    # Leakage through the window adds a little power from steeper parts of the spectrum;
    # the tolerance is 5 sigma of the variance plus 1 % for that.
    assert abs(x.var() - 1) < 5 * np.sqrt(2 / x.size) + 0.01


def test_tukey_window_rolls_off_over_roll_off_seconds_each_side():
    """data.window.roll_off is the length in seconds of each of the window's cosine ramps."""
    for roll_off in (0.4, 0.1):
        domain = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0, roll_off=roll_off)
        t = np.arange(domain.n_samples) / domain.sample_rate
        w = domain.window
        ramp = t < roll_off
        np.testing.assert_allclose(w[ramp], 0.5 * (1 - np.cos(np.pi * t[ramp] / roll_off)), atol=1e-3)
        np.testing.assert_allclose(w[::-1][ramp], w[ramp], atol=1e-12)
        assert np.all(w[(t > roll_off + 1e-3) & (t < 4.0 - roll_off - 1e-3)] == 1.0)
        assert domain.window_factor == pytest.approx(1 - 2 * roll_off / 4.0 * 5 / 8, rel=1e-3)


def _psd_with_seismic_wall(frequencies):
    """The analytic PSD with a steep low-frequency wall (f^-8 below 15 Hz, 10^7 at 2 Hz), as
    real detectors have: what the window's roll-off must keep out of the band."""
    f = np.maximum(np.asarray(frequencies, dtype=float), 2.0)
    return analytic_psd(frequencies) * (1 + (f / 15.0) ** -8)


def test_window_keeps_the_seismic_wall_out_of_the_lowest_bins():
    """Noise with a seismic wall, Tukey-windowed (0.4 s) and whitened with its own PSD: the
    20-30 Hz bins keep unit variance to within 10 % (leakage through the window measured at
    6 %; with a 0.2 s roll-off it is 100 %), the whole band to 1 %."""
    freqs = DOMAIN.frequencies
    psd = _psd_with_seismic_wall(freqs)
    rng = np.random.default_rng(1)
    segs = np.array([noise.time_domain_noise(freqs, psd, 4.0, 4096.0, rng) for _ in range(40)])
    white = DOMAIN.whiten_segment(segs, psd)
    low = white[:, DOMAIN.frequencies[DOMAIN.mask] < 30]
    for x, tolerance in ((low, 0.1), (white, 0.01)):
        parts = np.concatenate([x.real.ravel(), x.imag.ravel()])
        assert abs(parts.var() - 1) < tolerance + 5 * np.sqrt(2 / parts.size)


def test_time_domain_noise_has_requested_psd():
    freqs = np.fft.rfftfreq(128 * 4096, 1 / 4096)
    x = noise.time_domain_noise(freqs, analytic_psd(freqs), 128, 4096, np.random.default_rng(2))
    f, est, n = psd_mod.welch([x], 4096, 4.0, 0.5, "mean")
    band = (f >= 20) & (f <= 1024)
    ratio = est[band] / analytic_psd(f[band])
    assert abs(ratio.mean() - 1) < 6 * 1.3 / np.sqrt(n * band.sum())


def test_gaussianity_statistics_discriminate():
    rng = np.random.default_rng(4)
    gauss = rng.standard_normal((20, 500)) + 1j * rng.standard_normal((20, 500))
    heavy = rng.standard_t(3, (20, 500)) + 1j * rng.standard_t(3, (20, 500))
    g, h = noise.gaussianity(gauss), noise.gaussianity(heavy)
    assert g["ks_pvalue"] > 1e-3 and abs(g["variance"] - 1) < 5 * g["variance_std"]
    assert h["ks_pvalue"] < 1e-6 and h["excess_kurtosis"] > 1


def test_real_gw150914_offsource_is_as_gaussian_as_simulated_noise(shared_gwosc, local_config):
    """Whitened off-source GW150914 data compared with Gaussian noise of the same PSD pushed
    through the same 24 s median-Welch estimate and whitening. The estimate's scatter
    (10 averages) inflates the variance and tails of both alike, so the real data must match
    the simulation, not N(0, 1) exactly."""
    from gwda.gw.segments import analysis_spans
    from gwda.io import strain

    config = local_config(shared_gwosc)
    spans = analysis_spans(1126259462.4, config["data"])
    rng = np.random.default_rng(5)
    for det in ("H1", "L1"):
        s = strain.load(det, spans.fetch, config["data"])
        chunks = [s.crop(c) for c in spans.psd_chunks]
        est = psd_mod.estimate(chunks, det, DOMAIN, config["data"]["psd"])
        real = noise.gaussianity(noise.whitened_offsource(chunks, est.values, DOMAIN))
        sims = []
        for _ in range(8):
            sim_chunks = [noise.time_domain_noise(est.frequencies, est.values, c.size / 4096, 4096, rng)
                          for c in chunks]
            sim_est = psd_mod.estimate(sim_chunks, det, DOMAIN, config["data"]["psd"])
            sims.append(noise.gaussianity(noise.whitened_offsource(sim_chunks, sim_est.values, DOMAIN)))
        mean = {k: np.mean([s[k] for s in sims]) for k in sims[0]}
        std = {k: np.std([s[k] for s in sims]) for k in sims[0]}
        assert abs(real["variance"] - mean["variance"]) < 5 * std["variance"] + 0.01, (det, real, mean)
        assert abs(real["excess_kurtosis"] - mean["excess_kurtosis"]) < 5 * std["excess_kurtosis"]
        # Spectral lines make real data a little less Gaussian: its empirical CDF may depart
        # from N(0, 1) by at most one percentage point more than the Gaussian reference does.
        assert real["ks_statistic"] < mean["ks_statistic"] + 0.01
        assert abs(real["variance"] - 1) < 0.15

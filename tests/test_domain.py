"""The frequency domain's conventions where they are easy to get subtly wrong: segments with an
odd number of samples, the window length read from the config, the mean removed per series of
a batch, the edges of a band, and the decimated domain's band and window."""

import numpy as np
import pytest
from gwda.config import load_config
from gwda.gw.domain import FrequencyDomain
from gwda.io.synthetic import analytic_psd


@pytest.mark.parametrize("sample_rate", [2047.0, 2048.0])
def test_colouring_inverts_whitening_for_odd_and_even_sample_counts(sample_rate):
    """Without a window, coloured_time_series is the exact inverse of whitening: colour a white
    series with the PSD, whiten it again, and the in-band whitened series comes back to
    round-off. An odd number of samples (1 s at 2047 Hz) has no Nyquist bin, and the inverse
    transform must be told the length: the default of numpy's irfft would be one sample short."""
    domain = FrequencyDomain(1.0, sample_rate, 20.0, 300.0, roll_off=0.0)
    assert domain.n_samples % 2 == int(sample_rate) % 2
    psd = analytic_psd(domain.frequencies)
    white = np.random.default_rng(1).standard_normal((3, domain.n_samples))
    strain = domain.coloured_time_series(white, psd)
    assert strain.shape == white.shape
    back = domain.whitened_time_series(domain.whiten_segment(strain, psd))
    expected = domain.whitened_time_series(domain.whitened_band(white))
    # whitened_time_series and whitened_band are each other's inverse on the in-band bins
    assert expected.shape == white.shape
    np.testing.assert_allclose(domain.whitened_band(expected), domain.whitened_band(white), rtol=0, atol=1e-12)
    # Unit-variance series through four FFTs of ~2000 points: round-off ~ ε √n log n ≈ 1e-13.
    np.testing.assert_allclose(back, expected, rtol=0, atol=1e-12)
    # and the band really was kept: about (band / Nyquist) of the white series' power
    assert 0.2 < np.var(expected) / np.var(white) < 0.4


def test_from_settings_reads_the_segment_rate_band_and_roll_off(root):
    """Every field of the domain comes from the config's data section, the window's roll-off
    too (here not the default 0.4 s): the window then keeps 1 - (2 r / T)(5 / 8) of the power
    (two cosine ramps of r seconds each, whose w² averages 3/8)."""
    data = load_config(root / "config" / "config.yaml")["data"]
    data = {**data, "segment": {**data["segment"], "duration": 8}, "sample_rate": 2048,
            "frequency": {"f_min": 30, "f_max": 500}, "window": {"roll_off": 0.1}}
    domain = FrequencyDomain.from_settings(data)
    assert (domain.duration, domain.sample_rate, domain.f_min, domain.f_max, domain.roll_off) == (
        8.0, 2048.0, 30.0, 500.0, 0.1)
    assert domain.window_factor == pytest.approx(1 - 2 * 0.1 / 8.0 * 5 / 8, rel=1e-3)


def test_in_band_data_ignore_each_series_own_constant_offset():
    """A batch of segments: the same noise with a different DC offset in each row. Each row's
    own mean is removed before the window, so every row gives the in-band data of the noise
    alone; a constant left in (or the batch's common mean removed instead) would leak through
    the Tukey window's spectrum into the low in-band bins (~1e-5 of the offset at 20 Hz)."""
    domain = FrequencyDomain(4.0, 1024.0, 20.0, 256.0, roll_off=0.4)
    noise = np.random.default_rng(0).standard_normal(domain.n_samples)
    offsets = np.array([0.0, 1e3, -3e3])
    batch = noise + offsets[:, None]
    alone = domain.segment_in_band(noise)
    out = domain.segment_in_band(batch)
    assert out.shape == (3, int(domain.mask.sum()))
    # Round-off of a transform of values up to |c| = 3e3: ≲ |c| T ε ≈ 3e-12 per bin.
    np.testing.assert_allclose(out, np.broadcast_to(alone, out.shape), rtol=0, atol=1e-10)
    # and the noise itself is there: ⟨|n(f)|²⟩ = T/2 ⟨w²⟩ for unit white noise sampled at Δt = 1/fs,
    # i.e. S = 2 Δt in strain units; 5 σ of a mean of ~1900 exponential variates ≈ 11 %.
    power = np.mean(np.abs(alone) ** 2)
    expected = domain.duration / 2 * (2 * domain.delta_t) * domain.window_factor
    assert power == pytest.approx(expected, rel=0.12)


def test_a_band_keeps_the_bins_from_its_lower_to_its_upper_edge_inclusive():
    """whitened_time_series(x, band=(lo, hi)) keeps the bins lo <= f <= hi (edges on the grid
    included) and scales white noise there to unit variance per sample: the kept bins come back
    exactly through whitened_band's transform, the others are zero."""
    domain = FrequencyDomain(4.0, 1024.0, 20.0, 256.0, roll_off=0.4)
    rng = np.random.default_rng(2)
    x_band = rng.standard_normal((200, int(domain.mask.sum()))) + 1j * rng.standard_normal((200, int(domain.mask.sum())))
    band = (30.0, 60.0)                                     # both on the 0.25 Hz grid
    series = domain.whitened_time_series(x_band, band)
    assert series.shape == (200, domain.n_samples)
    f = domain.frequencies
    keep = (f >= 30.0) & (f <= 60.0)
    assert keep.sum() == 121
    spectrum = np.fft.rfft(series, axis=-1) * 2 * np.sqrt(keep.sum()) / domain.n_samples
    np.testing.assert_allclose(spectrum[:, keep], domain.on_full_grid(x_band)[:, keep], rtol=0, atol=1e-12)
    np.testing.assert_allclose(spectrum[:, ~keep], 0.0, rtol=0, atol=1e-12)
    # unit variance per sample: 200 × 4096 samples, but only 200 × 2 × 121 independent numbers
    assert np.var(series) == pytest.approx(1.0, abs=5 * np.sqrt(2 / (200 * 2 * 121)))


@pytest.mark.parametrize("f_max, kept", [(1024.0, "all but the last"), (300.0, "all")])
def test_the_decimated_domain_keeps_the_band_below_its_nyquist_frequency_and_the_window(f_max, kept):
    """4096 Hz with the band up to 1024 Hz: the rate halves, and f_max drops by one bin to stay
    below the new Nyquist frequency (1024 Hz); a band ending at 300 Hz allows a factor 4 and
    stays whole. The in-band bins are the first ones of the original's, and the window keeps its
    roll-off in seconds (here 0.1 s, not the default): its power loss ⟨w²⟩ is the same."""
    domain = FrequencyDomain(4.0, 4096.0, 20.0, f_max, roll_off=0.1)
    low = domain.decimated()
    assert low.sample_rate == 4096.0 / domain.decimation_factor
    assert domain.decimation_factor == (2 if f_max == 1024.0 else 4)
    assert low.f_max == (1024.0 - domain.delta_f if f_max == 1024.0 else 300.0)
    assert low.f_max < low.sample_rate / 2
    assert (low.duration, low.f_min, low.roll_off) == (4.0, 20.0, 0.1)
    original = domain.frequencies[domain.mask]
    np.testing.assert_array_equal(low.frequencies[low.mask], original[:-1] if kept != "all" else original)
    # ⟨w²⟩ = 1 - (2 r / T)(5 / 8) at either rate, to the sampling of the ramps
    assert low.window_factor == pytest.approx(domain.window_factor, rel=1e-3)


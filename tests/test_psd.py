import numpy as np
import pytest
from gwda.gw import psd as psd_mod
from gwda.gw.noise import time_domain_noise
from gwda.io import psd_files
from gwda.io.synthetic import analytic_psd
from scipy import signal
from scipy.signal.windows import tukey

FS, SEG = 4096, 4.0


@pytest.fixture(scope="module")
def noise_256s():
    freqs = np.fft.rfftfreq(256 * FS, 1 / FS)
    return time_domain_noise(freqs, analytic_psd(freqs), 256, FS, np.random.default_rng(3))


def test_median_bias_matches_alternating_harmonic_series():
    assert psd_mod.median_bias(1) == 1.0
    assert psd_mod.median_bias(3) == pytest.approx(1 - 1 / 2 + 1 / 3)
    assert psd_mod.median_bias(5) == pytest.approx(1 - 1 / 2 + 1 / 3 - 1 / 4 + 1 / 5)
    assert psd_mod.median_bias(1001) == pytest.approx(np.log(2), abs=1e-3)


@pytest.mark.parametrize("average", ["mean", "median"])
def test_welch_agrees_with_scipy(noise_256s, average):
    f, ours, n = psd_mod.welch([noise_256s], FS, SEG, 0.5, average, roll_off=0.4)
    nper = int(SEG * FS)
    f2, theirs = signal.welch(noise_256s, fs=FS, window=tukey(nper, 0.2), nperseg=nper,
                              noverlap=nper // 2, detrend="constant", average=average)
    assert n == 127
    np.testing.assert_allclose(f, f2)
    np.testing.assert_allclose(ours[1:-1], theirs[1:-1], rtol=1e-9)


@pytest.mark.parametrize("average, rel_std", [("mean", 1.0), ("median", 1 / np.log(2))])
def test_psd_recovered_within_welch_tolerance(noise_256s, average, rel_std):
    f, est, n = psd_mod.welch([noise_256s], FS, SEG, 0.5, average, roll_off=0.4)
    band = (f >= 20) & (f <= 1024)
    ratio = est[band] / analytic_psd(f[band])
    # Each periodogram bin is S * Exp(1); the mean of n has relative std 1/sqrt(n), the
    # median 1/(ln 2 sqrt(n)). 50 % overlap correlates neighbours: allow up to 35 % more.
    expected = rel_std / np.sqrt(n)
    assert abs(ratio.mean() - 1) < 0.02          # ~6 sigma of the band average (4017 bins)
    assert 0.9 * expected < ratio.std() < 1.35 * expected
    assert np.abs(ratio - 1).max() < 7 * expected


def test_short_welch_segments_interpolated_onto_analysis_grid(noise_256s):
    from gwda.gw.domain import FrequencyDomain

    domain = FrequencyDomain(4.0, FS, 20.0, 1024.0)
    psd = psd_mod.estimate([noise_256s], "H1", domain,
                           {"welch_segment": 2.0, "overlap": 0.5, "average": "median"})
    assert psd.delta_f == pytest.approx(0.25)
    band = domain.mask
    ratio = psd.values[band] / analytic_psd(domain.frequencies[band])
    assert abs(np.median(ratio) - 1) < 0.03
    assert psd.attrs["n_averages"] == 255


def test_psd_file_round_trip(tmp_path, noise_256s):
    from gwda.gw.domain import FrequencyDomain

    domain = FrequencyDomain(4.0, FS, 20.0, 1024.0)
    psd = psd_mod.estimate([noise_256s], "L1", domain,
                           {"welch_segment": None, "overlap": 0.5, "average": "median"}, {"event": "X"})
    psd_files.write(psd, tmp_path / "p.hdf5", tmp_path / "asd.txt")
    back = psd_files.read(tmp_path / "p.hdf5")
    np.testing.assert_array_equal(back.values, psd.values)
    assert back.detector == "L1" and back.attrs["event"] == "X"
    table = np.loadtxt(tmp_path / "asd.txt")
    np.testing.assert_allclose(table[:, 1], np.sqrt(psd.values), rtol=1e-7)

"""The simulator of an event's analysis as the config describes it (Simulator.from_settings):
the segment placed around the trigger as data.segment says, the waveform and band of the
config, and PSDs refused unless they lie on the analysis grid."""

import numpy as np
import pytest
from gwda.config import load_config
from gwda.gw.domain import FrequencyDomain
from gwda.gw.psd import PSD
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4
WAVEFORM = {"approximant": "IMRPhenomD", "reference_frequency": 20}


@pytest.fixture(scope="module")
def data(root):
    """The default data section with the trigger 1.5 s (not the default 2 s) before the end of
    a 4 s segment at 4096 Hz."""
    data = load_config(root / "config" / "config.yaml")["data"]
    return {**data, "segment": {"duration": 4, "post_trigger": 1.5}, "sample_rate": 4096}


def _psds(frequencies, source=True):
    return [PSD(ifo, frequencies, scale * analytic_psd(frequencies), source=f"{ifo}_psd.hdf5" if source else "")
            for ifo, scale in (("H1", 1.0), ("L1", 1.3))]


def test_from_settings_places_the_segment_and_the_merger_where_the_config_says(data):
    """The segment ends post_trigger = 1.5 s after the trigger; a signal with geocent_time
    0.3 s then peaks, in each detector's whitened time series, at 0.3 s plus its delay from
    the geocentre on the simulator's sample times. IMRPhenomD's t = 0 lies within a few ms
    of the whitened amplitude's peak for a chirp mass of 30 M☉ (measured 3.5 ms); a segment
    misplaced by the 0.5 s that separates this config from the default would be far off."""
    f = np.fft.rfftfreq(4 * 4096, 1 / 4096)
    psds = _psds(f)
    sim = Simulator.from_settings(data, WAVEFORM, psds, TRIGGER)
    assert sim.domain == FrequencyDomain.from_settings(data)
    assert sim.waveform == WaveformSettings("IMRPhenomD", 20.0)
    assert sim.trigger_time == TRIGGER
    assert sim.segment_start == pytest.approx(TRIGGER + 1.5 - 4.0, abs=1e-9)
    assert sim.ifos == ["H1", "L1"]
    for p in psds:
        np.testing.assert_array_equal(sim.psds[p.detector], p.values)
    params = {k: np.atleast_1d(v) for k, v in dict(
        chirp_mass=30.0, mass_ratio=0.8, chi_1=0.0, chi_2=0.0, theta_jn=0.3, phase=1.0,
        luminosity_distance=400.0, ra=1.4, dec=-1.2, psi=0.5, geocent_time=0.3).items()}
    signal, arrival, t = sim.signal(params), sim.arrival_times(params), sim.sample_times()
    assert t[0] == pytest.approx(-2.5) and t[-1] == pytest.approx(1.5 - 1 / 4096)
    for ifo, h in signal.items():
        # the envelope of the whitened signal: the series and its quarter-cycle-shifted copy
        envelope = np.hypot(sim.domain.whitened_time_series(h[0]), sim.domain.whitened_time_series(1j * h[0]))
        assert t[np.argmax(envelope)] == pytest.approx(arrival[ifo][0], abs=0.01), ifo


@pytest.mark.parametrize("source", [True, False])
@pytest.mark.parametrize("grid, delta_f, bins", [
    # 8 s at 2048 Hz: as many bins as 4 s at 4096 Hz, at half the spacing
    (np.fft.rfftfreq(8 * 2048, 1 / 2048), 0.125, 8193),
    # 4 s at 2048 Hz: the right spacing, half the bins
    (np.fft.rfftfreq(4 * 2048, 1 / 2048), 0.25, 4097),
])
def test_a_psd_off_the_analysis_grid_is_refused_by_name(data, grid, delta_f, bins, source):
    """A PSD whose spacing or number of bins differs from the analysis domain's is an error
    that names the PSD's file (or, for a PSD not read from a file, its detector) and both
    grids; one on the grid is accepted."""
    good = _psds(np.fft.rfftfreq(4 * 4096, 1 / 4096), source)
    bad = _psds(grid, source)[1]
    Simulator.from_settings(data, WAVEFORM, good, TRIGGER)
    name = "L1_psd.hdf5" if source else "L1"
    expected = (f"{name}: PSD grid (Δf = {delta_f} Hz, {bins} bins) does not match the analysis domain "
                f"(Δf = 0.25 Hz, 8193 bins)")
    with pytest.raises(ValueError) as error:
        Simulator.from_settings(data, WAVEFORM, [good[0], bad], TRIGGER)
    assert str(error.value) == expected

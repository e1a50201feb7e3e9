"""Simulated events: the GWOSC-format files hold the signal the analysis' own model predicts,
at the requested SNR, in noise of the given PSD."""

import numpy as np
import pytest
from gwda.config import load_config
from gwda.gw.psd import PSD
from gwda.gw.priors import Prior
from gwda.gw.segments import analysis_spans
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.gwosc_files import read_hdf5
from gwda.io.simulated_event import SimulatedEvent, file_start, write_event
from gwda.io.synthetic import analytic_psd

BAND = (20.0, 1024.0)


@pytest.fixture(scope="module")
def setting(root):
    config = load_config(root / "config" / "config.yaml")
    f = np.fft.rfftfreq(4 * 4096, 1 / 4096)
    psds = [PSD("H1", f, analytic_psd(f)), PSD("L1", f, 1.4 * analytic_psd(f))]
    prior = Prior(config["prior"], config["prior_constraints"])
    return config, psds, prior, WaveformSettings.from_settings(config["waveform"])


def _analysed(config, psds, record, event):
    """The event's whitened analysis segment, read back from its files, and the analysis
    model's whitened signal at the injected parameters."""
    sim = Simulator.from_settings(config["data"], config["waveform"], psds, event.trigger_time)
    segment = analysis_spans(event.trigger_time, config["data"]).segment
    data = sim.whiten_segment({ifo: read_hdf5(path, ifo).crop(segment) for ifo, path in record["files"].items()})
    signal = sim.signal({k: np.atleast_1d(v) for k, v in record["parameters"].items()})
    return sim, data, {ifo: h[0] for ifo, h in signal.items()}


def test_injection_is_the_analysis_signal_at_the_requested_snr(setting, tmp_path):
    config, psds, prior, waveform = setting
    event = SimulatedEvent("SIM", 1126400000.25, 20.0, seed=3)
    record = write_event(tmp_path, event, prior, waveform, psds, BAND, with_noise=False)
    lo, hi = prior.bounds("luminosity_distance")
    assert lo <= record["parameters"]["luminosity_distance"] <= hi
    assert abs(record["parameters"]["geocent_time"]) <= event.max_trigger_offset
    assert record["network_optimal_snr"] == pytest.approx(20.0, rel=1e-9)
    assert record["gps_start"] == file_start(event) and record["duration"] == 32
    sim, data, signal = _analysed(config, psds, record, event)
    for ifo in data:
        d, h = data[ifo], signal[ifo]
        # Same waveform, arrival time and antenna response: only the taper below the band
        # and the segment's window edges could differ.
        match = np.real(np.vdot(h, d)) / np.linalg.norm(d) / np.linalg.norm(h)
        assert match > 0.9999, ifo
        # The analysis normalises windowed noise by the window's mean square (as bilby does),
        # which raises the SNR of a signal in the window's flat part by 1/sqrt(that factor).
        expected = record["optimal_snr"][ifo] / np.sqrt(sim.domain.window_factor)
        assert np.linalg.norm(d) == pytest.approx(expected, rel=1e-3), ifo


def test_noise_has_the_psd_and_the_signal_its_snr(setting, tmp_path):
    config, psds, prior, waveform = setting
    event = SimulatedEvent("SIM", 1126400100.25, 15.0, seed=11)
    record = write_event(tmp_path, event, prior, waveform, psds, BAND)
    _, data, signal = _analysed(config, psds, record, event)
    for ifo in data:
        residual = data[ifo] - signal[ifo]
        # Whitened noise: unit variance per real and imaginary part (~16 000 values: 1.1 %
        # standard error on the variance; 5 % is > 4 sigma).
        var = np.var(np.concatenate([residual.real, residual.imag]))
        assert var == pytest.approx(1.0, abs=0.05), ifo
        # Matched filter at the truth = optimal SNR + N(0, 1).
        h = signal[ifo]
        assert abs(np.real(np.vdot(h, data[ifo])) / np.linalg.norm(h) - np.linalg.norm(h)) < 4.0, ifo


def test_unreachable_snr_names_the_event(setting, tmp_path):
    config, psds, prior, waveform = setting
    with pytest.raises(RuntimeError, match="SIM-FAR.*network SNR 1000"):
        write_event(tmp_path, SimulatedEvent("SIM-FAR", 1126400200.25, 1000.0, seed=0), prior, waveform, psds,
                    BAND, with_noise=False)


def test_written_events_are_read_as_events_by_the_data_stage(root, tmp_path):
    """bench/simulated_events.py write: its config (over the offline GW150914 config) is valid,
    names the events at their trigger times, and the data stage reads each event's strain
    from the written files with every data-quality flag passing."""
    import json
    import subprocess
    import sys

    from gwda.config import load_config, read_yaml, resolve_events
    from gwda.io import psd_files
    from gwda.stages.data import fetch_strain

    f = np.fft.rfftfreq(4 * 4096, 1 / 4096)
    (tmp_path / "event" / "psd").mkdir(parents=True)
    for ifo in ("H1", "L1"):
        psd_files.write(PSD(ifo, f, analytic_psd(f)), tmp_path / "event" / "psd" / f"{ifo}_psd.hdf5")
    out = tmp_path / "simulated"
    subprocess.run([sys.executable, str(root / "bench" / "simulated_events.py"), "write", "--psd-from",
                    str(tmp_path / "event"), "--snr", "18", "--out", str(out),
                    "--config", str(root / "config" / "local_gw150914.yaml")], check=True, cwd=root,
                   capture_output=True)
    record, = json.loads((out / "injections.json").read_text())
    config = load_config(root / "config" / "local_gw150914.yaml", read_yaml(out / "config.yaml"))
    event, = resolve_events(config)
    assert (event.name, event.gps_time, event.detectors) == ("SIM-SNR18", record["trigger_time"], ("H1", "L1"))
    assert config["validation"]["references"] == []
    for ifo in event.detectors:
        strain = tmp_path / f"{ifo}.hdf5"
        fetch_strain(str(strain), event.name, event.gps_time, ifo, config)
        assert strain.is_file()

"""The first search of an event and the settings that follow from it (gwda/gw/search.py,
gwda/gw/event_settings.py, gwda/stages/search.py): on synthetic GWOSC-format files holding a
heavy and a light binary, the chirp-mass window holds the truth and the segment the signal."""

import json
import math

import numpy as np
import pytest
import yaml
from gwda.config import DEFAULT_CONFIG_PATH, apply_event_settings, config_sections, load_config
from gwda.gw import event_settings as rules
from gwda.gw.detectors import Detector
from gwda.gw.psd import PSD, periodograms
from gwda.gw.priors import Prior
from gwda.gw.waveforms import WaveformSettings, time_before_merger
from gwda.io.simulated_event import SimulatedEvent, write_event
from gwda.io.synthetic import analytic_psd
from gwda.stages import CONFIG
from gwda.stages.search import fetch_search_strain, search_event

BAND = (20.0, 1024.0)


# -- the rules ---------------------------------------------------------------------------------

def test_segment_is_the_shortest_that_holds_the_signal():
    # 4 s: 2 s before the trigger, for 1.2 + 0.4 + 0.1 + 0.2 = 1.9 s needed
    assert rules.segment_duration(1.2, 2.0, 0.4, 0.1, 0.2, [16, 4, 8]) == (4.0, True)
    # 1.4 s in band needs 2.1 s: the next length
    assert rules.segment_duration(1.4, 2.0, 0.4, 0.1, 0.2, [4, 8, 16]) == (8.0, True)
    # a signal no allowed length holds: the longest, flagged
    assert rules.segment_duration(40.0, 2.0, 0.4, 0.1, 0.2, [4, 8, 16]) == (16.0, False)


def test_chirp_mass_window_scales_with_cycles_and_snr():
    # σ(ln M) ∝ M^{5/3} / ρ, and σ₀ at the reference point
    assert rules.chirp_mass_precision(30.0, 20.0, 0.03) == pytest.approx(0.03)
    assert rules.chirp_mass_precision(60.0, 20.0, 0.03) == pytest.approx(0.03 * 2 ** (5 / 3))
    assert rules.chirp_mass_precision(30.0, 10.0, 0.03) == pytest.approx(0.06)
    lo, hi = rules.chirp_mass_window(30.0, 20.0, 0.03, 8.0, 0.05, 0.6)
    assert (lo, hi) == pytest.approx((30.0 / 1.24, 30.0 * 1.24))       # w = 8 × 0.03
    assert rules.chirp_mass_window(10.0, 20.0, 0.03, 8.0, 0.05, 0.6) == pytest.approx((10 / 1.05, 10 * 1.05))
    assert rules.chirp_mass_window(80.0, 8.0, 0.03, 8.0, 0.05, 0.6) == pytest.approx((80 / 1.6, 80 * 1.6))


def test_distance_bound_is_where_the_best_case_snr_drops_to_the_fraction():
    sigma, snr = 15000.0, 24.0
    d = rules.distance_bound(sigma, snr, 0.6)
    assert d % 50 == 0
    assert sigma / d <= 0.6 * snr < sigma / (d - 50)


@pytest.mark.parametrize("chunk,segment,overlap", [(10.0, 4.0, 0.5), (12.0, 4.0, 0.5), (24.0, 8.0, 0.5),
                                                   (10.5, 2.0, 0.25), (3.0, 4.0, 0.5)])
def test_welch_count_is_what_the_estimator_cuts(chunk, segment, overlap):
    x = np.zeros(int(chunk * 256))
    assert rules.welch_count([chunk], segment, overlap) == periodograms(x, 256, segment, overlap, 0.1).shape[0]


def test_psd_data_fit_the_files_and_hold_enough_welch_segments():
    psd = {"duration": 24, "placement": "around", "welch_segment": None, "overlap": 0.5, "average": "median"}
    # 4 s segment with 12 s each side: as configured (10 segments of 4 s)
    assert rules.psd_data(psd, 4.0, 14.4, 12.0, 8) == ({}, [])
    # 8 s segment in 32 s files: 10.6 s before it, 13.4 s after -> 10 s each side, 4 s Welch
    out, notes = rules.psd_data(psd, 8.0, 10.6, 13.4, 8)
    assert out == {"duration": 20.0, "welch_segment": 4.0} and len(notes) == 2
    # GWOSC downloads (no limit): 8 s Welch segments in 12 s chunks are 2 each; halved once
    out, _ = rules.psd_data(psd, 8.0, None, None, 8)
    assert out == {"welch_segment": 4.0}
    # an explicit Welch segment is kept
    assert rules.psd_data({**psd, "welch_segment": 8.0}, 8.0, None, None, 8) == ({}, [])
    # placement before: shortened to what precedes the segment
    out, _ = rules.psd_data({**psd, "placement": "before", "duration": 1024}, 4.0, 30.5, None, 8)
    assert out == {"duration": 30.0}


def test_event_settings_replace_the_config_where_the_stage_reads_them(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"config": {"data.segment.duration": 8.0,
                                               "prior.chirp_mass": {"type": "uniform", "minimum": 9, "maximum": 11}}}))
    config = load_config(_config_file(tmp_path, {}))
    train = apply_event_settings(config_sections(config, CONFIG["train_flow"]), settings)
    assert train["data"]["segment"]["duration"] == 8.0
    assert train["prior"]["chirp_mass"] == {"type": "uniform", "minimum": 9, "maximum": 11}
    assert train["prior"]["mass_ratio"] == config["prior"]["mass_ratio"]
    # a stage without the prior section gets none
    assert "prior" not in apply_event_settings(config_sections(config, CONFIG["estimate_psd"]), settings)
    assert apply_event_settings(train, None) is train


def test_keys_the_user_sets_are_not_adapted(tmp_path):
    every = ["segment", "chirp_mass", "luminosity_distance"]
    assert load_config(_config_file(tmp_path, {}))["search"]["adapt"] == every
    # a copy of the defaults (config/config.yaml edited elsewhere) keeps them adaptive
    same = {"prior": {"chirp_mass": {"type": "uniform", "minimum": 20.0, "maximum": 45.0}},
            "data": {"segment": {"duration": 4}}}
    assert load_config(_config_file(tmp_path, same))["search"]["adapt"] == every
    assert load_config(DEFAULT_CONFIG_PATH)["search"]["adapt"] == every
    given = {"prior": {"chirp_mass": {"type": "uniform", "minimum": 10.0, "maximum": 45.0}},
             "data": {"segment": {"duration": 8}}}
    assert load_config(_config_file(tmp_path, given))["search"]["adapt"] == ["luminosity_distance"]


def _config_file(tmp_path, extra: dict, directory=None):
    path = tmp_path / "config.yaml"
    base = {"data": {"source": "local", "local": {"directory": str(directory or tmp_path)},
                     "psd": {"duration": 24, "placement": "around"}}}
    for key, value in extra.items():
        base[key] = {**base.get(key, {}), **value}
    path.write_text(yaml.safe_dump(base))
    return path


# -- the search on injections ------------------------------------------------------------------

@pytest.fixture(scope="module")
def psds():
    f = np.fft.rfftfreq(32 * 4096, 1 / 4096)
    return [PSD("H1", f, analytic_psd(f)), PSD("L1", f, 1.4 * analytic_psd(f))]


@pytest.mark.parametrize("name,chirp_mass,expected_segment", [("HEAVY", 30.0, 4.0), ("LIGHT", 10.0, 8.0)])
def test_search_sets_a_window_holding_the_truth_and_a_segment_holding_the_signal(tmp_path, psds, name, chirp_mass,
                                                                                  expected_segment):
    data_dir = tmp_path / "data"
    config = load_config(_config_file(tmp_path, {"search": {"templates": 600, "refine_templates": 600}}, data_dir))
    prior_spec = {**config["prior"], "chirp_mass": {"type": "uniform", "minimum": 0.999 * chirp_mass,
                                                    "maximum": 1.001 * chirp_mass},
                  "luminosity_distance": {"type": "uniform", "minimum": 10.0, "maximum": 20000.0}}
    waveform = WaveformSettings.from_settings(config["waveform"])
    event = SimulatedEvent(name, 1200000000.3, 15.0, seed=7)
    record = write_event(data_dir, event, Prior(prior_spec, config["prior_constraints"]), waveform, psds, BAND)
    truth = record["parameters"]

    strain = []
    for ifo in ("H1", "L1"):
        strain.append(tmp_path / f"strain_{ifo}.hdf5")
        fetch_search_strain(strain[-1], name, event.trigger_time, ifo, config_sections(config, CONFIG["fetch_search_strain"]))
    out = search_event(strain, tmp_path / "settings.json", name, event.trigger_time,
                       config_sections(config, CONFIG["search_event"]), figure=tmp_path / "search.png")
    assert json.loads((tmp_path / "settings.json").read_text()) == json.loads(json.dumps(out))
    assert (tmp_path / "search.png").is_file() and (tmp_path / "search.pdf").is_file()
    settings = out["config"]

    # The window holds the injected chirp mass (detector frame), away from its edges.
    window = settings["prior.chirp_mass"]
    lo, hi = window["minimum"], window["maximum"]
    assert lo < truth["chirp_mass"] < hi
    assert math.log(hi / truth["chirp_mass"]) > 0.25 * math.log(hi / lo)
    assert math.log(truth["chirp_mass"] / lo) > 0.25 * math.log(hi / lo)
    # The bank recovers most of the optimal SNR (15 in the full band; the search stops at
    # 512 Hz and whitens with a 4 s Welch PSD of data holding the signal).
    assert 0.8 * 15.0 < out["search"]["network_snr"] < 15.0 + 3.0
    # Templates along the mass-spin degeneracy match with merger times several ms apart
    # (gwda/gw/matched_filter.py): each arrival to 10 ms, their difference (the sky) to 2 ms.
    arrival = {ifo: truth["geocent_time"] + float(Detector(ifo).time_delay_from_geocenter(
        truth["ra"], truth["dec"], event.trigger_time)) for ifo in ("H1", "L1")}
    found = out["search"]["arrival_times"]
    for ifo in arrival:
        assert found[ifo] == pytest.approx(arrival[ifo], abs=0.010), ifo
    assert found["H1"] - found["L1"] == pytest.approx(arrival["H1"] - arrival["L1"], abs=0.002)
    # The segment holds the signal from f_min, with the roll-off and the time prior.
    tau = -time_before_merger({k: np.array([truth[k]]) for k in ("chirp_mass", "mass_ratio", "chi_1", "chi_2")},
                              waveform, [BAND[0]], duration=64.0)[0, 0]
    duration = settings["data.segment.duration"]
    assert duration == expected_segment
    assert duration - config["data"]["segment"]["post_trigger"] >= tau + config["data"]["window"]["roll_off"] + 0.1
    # The distance bound lies beyond the source.
    assert settings["prior.luminosity_distance"]["maximum"] > 1.2 * truth["luminosity_distance"]
    # The 32 s files hold 10 s either side of an 8 s segment, and all 12 s of a 4 s one's.
    assert settings.get("data.psd.duration", 24) == (20.0 if duration == 8 else 24)

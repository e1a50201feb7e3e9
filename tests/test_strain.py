import h5py
import numpy as np
import pytest
from conftest import SYN_DURATION, SYN_START, SYN_TRIGGER
from gwda.gw.segments import Span, analysis_spans
from gwda.io import gwosc_files, strain
from gwda.io.gwosc_files import DataError


def _spans(config):
    return analysis_spans(SYN_TRIGGER, config["data"])


def test_local_files_are_found_and_cut_to_the_span(synthetic_dir, local_config):
    config = local_config(synthetic_dir)
    spans = _spans(config)
    assert spans.fetch == Span(1126259448.0, 1126259477.0)
    s = strain.load("H1", spans.fetch, config["data"])
    assert s.gps_start == spans.fetch.start and s.values.size == 29 * 4096
    raw = gwosc_files.read_hdf5(synthetic_dir / f"H-H1_GWOSC_4KHZ_R1-{SYN_START}-{SYN_DURATION}.hdf5", "H1")
    np.testing.assert_array_equal(s.values, raw.values[18 * 4096: 47 * 4096])
    assert s.dq_names[:2] == ("DATA", "CBC_CAT1") and s.dq_mask.size == 29
    segment = s.crop(spans.segment)
    assert segment.size == 4 * 4096


def test_files_split_across_a_boundary_are_joined(tmp_path, local_config):
    from gwda.io.synthetic import write_gwosc_files

    whole = write_gwosc_files(tmp_path / "whole", SYN_START, 64, detectors=("L1",), seed=3)["L1"]
    x = gwosc_files.read_hdf5(whole, "L1").values
    gwosc_files.write_hdf5(tmp_path / "split", "L1", SYN_START, 4096, x[: 32 * 4096])
    gwosc_files.write_hdf5(tmp_path / "split", "L1", SYN_START + 32, 4096, x[32 * 4096:])
    config = local_config(tmp_path / "split")
    spans = _spans(config)
    s = strain.load("L1", spans.fetch, config["data"])
    np.testing.assert_array_equal(s.values, x[18 * 4096: 47 * 4096])


def test_uncovered_span_names_detector_and_interval(synthetic_dir, local_config):
    config = local_config(synthetic_dir)
    with pytest.raises(DataError) as err:
        strain.load("L1", Span(SYN_START + 50, SYN_START + 80), config["data"])
    assert "L1" in str(err.value)
    assert f"[{SYN_START + 64}, {SYN_START + 80})" in str(err.value)
    with pytest.raises(DataError, match=r"V1: no file .* covers GPS"):
        strain.load("V1", Span(SYN_START, SYN_START + 10), config["data"])


def test_gap_between_files_is_named(tmp_path, local_config):
    rng = np.random.default_rng(0)
    gwosc_files.write_hdf5(tmp_path, "H1", SYN_START, 4096, rng.standard_normal(20 * 4096) * 1e-21)
    gwosc_files.write_hdf5(tmp_path, "H1", SYN_START + 24, 4096, rng.standard_normal(40 * 4096) * 1e-21)
    config = local_config(tmp_path)
    with pytest.raises(DataError, match=rf"H1: no file .* covers GPS \[{SYN_START + 20}, {SYN_START + 24}\)"):
        strain.load("H1", Span(SYN_START, SYN_START + 64), config["data"])


def _damage(directory, det, edit):
    path = directory / f"{det[0]}-{det}_GWOSC_4KHZ_R1-{SYN_START}-{SYN_DURATION}.hdf5"
    with h5py.File(path, "r+") as fh:
        edit(fh)
    return path


def test_nan_samples_are_refused_with_their_gps_span(synthetic_copy, local_config):
    def put_nans(fh):
        x = fh["strain/Strain"][()]
        x[20 * 4096: 21 * 4096] = np.nan
        fh["strain/Strain"][...] = x

    path = _damage(synthetic_copy, "H1", put_nans)
    config = local_config(synthetic_copy)
    with pytest.raises(DataError) as err:
        strain.load("H1", _spans(config).fetch, config["data"])
    msg = str(err.value)
    assert "4096 missing or non-finite samples" in msg
    assert f"[{SYN_START + 20}, {SYN_START + 21})" in msg and path.name in msg


def test_all_zero_data_is_refused(synthetic_copy, local_config):
    def zero(fh):
        x = fh["strain/Strain"][()]
        x[30 * 4096: 32 * 4096] = 0.0
        fh["strain/Strain"][...] = x

    _damage(synthetic_copy, "L1", zero)
    config = local_config(synthetic_copy)
    with pytest.raises(DataError, match=rf"L1: strain is exactly zero at GPS \[{SYN_START + 30}, {SYN_START + 32}\)"):
        strain.load("L1", _spans(config).fetch, config["data"])


def test_failing_data_quality_refused_or_recorded(synthetic_copy, local_config):
    def fail_cat2(fh):
        m = fh["quality/simple/DQmask"][()]
        m[25:27] &= ~np.uint32(1 << 2)         # bit 2: CBC_CAT2
        fh["quality/simple/DQmask"][...] = m

    _damage(synthetic_copy, "H1", fail_cat2)
    config = local_config(synthetic_copy)
    s = strain.load("H1", _spans(config).fetch, config["data"])
    with pytest.raises(DataError, match=rf"CBC_CAT2 not set at GPS \[{SYN_START + 25}, {SYN_START + 27}\)"):
        strain.check_quality(s, ["DATA", "CBC_CAT1", "CBC_CAT2"], "error")
    record = strain.check_quality(s, ["DATA", "CBC_CAT1", "CBC_CAT2"], "warn")
    assert record["failures"] == {"CBC_CAT2": [[SYN_START + 25.0, SYN_START + 27.0]]}
    assert strain.check_quality(s, ["DATA", "CBC_CAT1"], "error")["failures"] == {}
    with pytest.raises(DataError, match="'CAT9'"):
        strain.check_quality(s, ["CAT9"], "error")


def test_truncated_local_file_is_refused(synthetic_copy, local_config):
    path = synthetic_copy / f"H-H1_GWOSC_4KHZ_R1-{SYN_START}-{SYN_DURATION}.hdf5"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    config = local_config(synthetic_copy)
    with pytest.raises(DataError, match="cannot read GWOSC HDF5 file .*H-H1_GWOSC"):
        strain.load("H1", _spans(config).fetch, config["data"])


def test_wrong_sample_rate_is_refused(synthetic_dir, local_config):
    config = local_config(synthetic_dir, sample_rate=16384, frequency={"f_max": 2048})
    with pytest.raises(DataError, match="sample rate 4096 Hz, config data.sample_rate is 16384 Hz"):
        strain.load("H1", _spans(config).fetch, config["data"])


def test_gwf_files_are_read(tmp_path, local_config):
    from gwpy.timeseries import TimeSeries

    x = np.random.default_rng(1).standard_normal(64 * 4096) * 1e-21
    channel = "H1:GWOSC-4KHZ_R1_STRAIN"
    TimeSeries(x, t0=SYN_START, sample_rate=4096, channel=channel, name=channel).write(
        str(tmp_path / f"H-H1_GWOSC_4KHZ_R1-{SYN_START}-64.gwf"))
    config = local_config(tmp_path, quality={"on_fail": "warn"})
    s = strain.load("H1", _spans(config).fetch, config["data"])
    np.testing.assert_array_equal(s.values, x[18 * 4096: 47 * 4096])
    assert s.dq_mask is None
    assert strain.check_quality(s, ["DATA"], "error")["available"] is False


def test_strain_file_round_trip(tmp_path, synthetic_dir, local_config):
    config = local_config(synthetic_dir)
    s = strain.load("L1", _spans(config).fetch, config["data"])
    strain.write(tmp_path / "L1.hdf5", s, {"event": "GW150914", "segment": [1.0, 2.0]})
    back, attrs = strain.read(tmp_path / "L1.hdf5")
    np.testing.assert_array_equal(back.values, s.values)
    assert back.detector == "L1" and back.dq_names == s.dq_names
    assert attrs["event"] == "GW150914"

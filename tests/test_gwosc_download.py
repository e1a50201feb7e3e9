"""The GWOSC download path against a local HTTP server speaking the GWOSC v2 API."""

import socket

import numpy as np
import pytest
from conftest import SYN_DURATION, SYN_START, SYN_TRIGGER
from gwda.gw.segments import analysis_spans
from gwda.io import gwosc_files, strain
from gwda.io.gwosc_files import DataError
from gwosc_server import GwoscServer


def _config(host, cache, local_config, **gwosc):
    settings = {"host": host, "cache_dir": str(cache), "retries": 3, "backoff": 0.01, "timeout": 10}
    settings.update(gwosc)
    config = local_config("unused", source="gwosc", gwosc=settings)
    return config, analysis_spans(SYN_TRIGGER, config["data"]).fetch


def _file(directory, det):
    return directory / f"{det[0]}-{det}_GWOSC_4KHZ_R1-{SYN_START}-{SYN_DURATION}.hdf5"


def test_download_then_cache(synthetic_dir, tmp_path, local_config):
    with GwoscServer(synthetic_dir) as server:
        config, span = _config(server.host, tmp_path / "cache", local_config)
        s = strain.load("H1", span, config["data"])
        assert len(server.file_requests) == 1
        expected = gwosc_files.read_hdf5(_file(synthetic_dir, "H1"), "H1").values
        np.testing.assert_array_equal(s.values, expected[18 * 4096: 47 * 4096])
        assert (tmp_path / "cache" / _file(synthetic_dir, "H1").name).exists()
        strain.load("H1", span, config["data"])           # second time: from the cache
        assert len(server.file_requests) == 1
        assert any("/api/v2/runs/O1/strain-files" in r and "detector=H1" in r for r in server.api_requests)


def test_transient_failures_are_retried(synthetic_dir, tmp_path, local_config):
    with GwoscServer(synthetic_dir, fail_first=2) as server:
        config, span = _config(server.host, tmp_path / "cache", local_config, retries=3)
        s = strain.load("L1", span, config["data"])
        assert len(server.file_requests) == 3 and s.values.size == 29 * 4096


def test_too_many_failures_give_a_clear_error(synthetic_dir, tmp_path, local_config):
    with GwoscServer(synthetic_dir, fail_first=5) as server:
        config, span = _config(server.host, tmp_path / "cache", local_config, retries=2)
        with pytest.raises(DataError, match="failed after 2 attempts.*503"):
            strain.load("L1", span, config["data"])
    assert list((tmp_path / "cache").iterdir()) == []


def test_truncated_download_leaves_nothing_in_the_cache(synthetic_dir, tmp_path, local_config):
    with GwoscServer(synthetic_dir, truncate=True) as server:
        config, span = _config(server.host, tmp_path / "cache", local_config, retries=2)
        with pytest.raises(DataError) as err:
            strain.load("H1", span, config["data"])
        assert "failed after 2 attempts" in str(err.value)
        assert len(server.file_requests) == 2
    assert list((tmp_path / "cache").iterdir()) == []


def test_corrupt_cached_file_is_set_aside_and_downloaded_again(synthetic_dir, tmp_path, local_config):
    cache = tmp_path / "cache"
    cache.mkdir()
    name = _file(synthetic_dir, "H1").name
    (cache / name).write_bytes(b"not an hdf5 file")
    with GwoscServer(synthetic_dir) as server:
        config, span = _config(server.host, cache, local_config)
        strain.load("H1", span, config["data"])
        assert len(server.file_requests) == 1
    assert (cache / (name + ".corrupt")).read_bytes() == b"not an hdf5 file"
    gwosc_files.read_hdf5(cache / name, "H1")


def test_unreachable_gwosc_is_reported_after_retries(tmp_path, local_config):
    with socket.socket() as sock:                 # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config, span = _config(f"http://127.0.0.1:{port}", tmp_path / "cache", local_config, retries=2)
    with pytest.raises(DataError, match=r"GWOSC unreachable: GWOSC lookup of H1 GPS .* failed after 2 attempts"):
        strain.load("H1", span, config["data"])


def test_span_without_data_on_the_server(synthetic_dir, tmp_path, local_config):
    with GwoscServer(synthetic_dir) as server:
        config, _ = _config(server.host, tmp_path / "cache", local_config)
        from gwda.gw.segments import Span

        with pytest.raises(DataError, match="no H1 data covering GPS"):
            strain.load("H1", Span(SYN_START + 100, SYN_START + 120), config["data"])


def test_files_inside_longer_files_are_not_downloaded_twice():
    from gwda.io.gwosc_download import drop_contained

    base = "https://gwosc.example/eventapi/GW150914/"
    urls = [base + "H-H1_GWOSC_4KHZ_R1-1126259447-32.hdf5",
            base + "H-H1_GWOSC_4KHZ_R1-1126257415-4096.hdf5",
            base + "H-H1_GWOSC_4KHZ_R1-1126261511-4096.hdf5"]
    assert drop_contained(urls) == urls[1:]
    assert drop_contained(urls[:1]) == urls[:1]

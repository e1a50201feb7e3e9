"""The real GW150914 GWOSC files (../shared/data/gwosc); skipped where they are absent."""

import numpy as np
import pytest
from gwda.gw import psd as psd_mod
from gwda.gw.domain import FrequencyDomain
from gwda.gw.segments import analysis_spans
from gwda.io import strain
from gwda.io.gwosc_files import DataError

TRIGGER = 1126259462.4


@pytest.mark.parametrize("det", ["H1", "L1"])
def test_local_mode_reads_gw150914_and_its_psd_is_o1_like(shared_gwosc, local_config, det):
    config = local_config(shared_gwosc)
    spans = analysis_spans(TRIGGER, config["data"])
    s = strain.load(det, spans.fetch, config["data"])
    assert s.sample_rate == 4096 and s.span.start <= spans.segment.start and spans.segment.end <= s.span.end
    segment = s.crop(spans.segment)
    assert segment.size == 4 * 4096 and np.all(np.isfinite(segment))
    # Every second passes DATA and CBC_CAT1-3, and there is no CBC hardware injection
    # (L1 has continuous-wave injections running: NO_CW_HW_INJ is unset there).
    assert strain.check_quality(s, ["DATA", "CBC_CAT1", "CBC_CAT2", "CBC_CAT3"], "error")["failures"] == {}
    assert s.inj_names[0] == "NO_CBC_HW_INJ" and np.all(s.inj_mask & 1)
    domain = FrequencyDomain.from_settings(config["data"])
    est = psd_mod.estimate([s.crop(c) for c in spans.psd_chunks], det, domain, config["data"]["psd"])
    asd_100 = est.asd[np.argmin(np.abs(est.frequencies - 100))]
    # O1 sensitivity: 0.6-2e-23 /sqrt(Hz) near 100 Hz in both LIGO detectors.
    assert 5e-24 < asd_100 < 2e-23
    assert est.attrs["n_averages"] == 10


def test_request_outside_the_32s_files_names_the_missing_span(shared_gwosc, local_config):
    config = local_config(shared_gwosc, psd={"duration": 1024, "placement": "before"})
    spans = analysis_spans(TRIGGER, config["data"])
    with pytest.raises(DataError) as err:
        strain.load("H1", spans.fetch, config["data"])
    assert "H1: no file" in str(err.value)
    assert "[1126258436, 1126259446)" in str(err.value)

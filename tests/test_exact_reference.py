"""The stored exact-posterior reference applies only to a run with the same inputs."""

import numpy as np
from gwda.config import validate_config
from gwda.gw.domain import FrequencyDomain
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.exact_reference import differences, input_checksums
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4


def _inputs(psd_scale=1.0, approximant="IMRPhenomD", strain_shift=0.0, prior=None):
    domain = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0)
    psd = analytic_psd(domain.frequencies)
    sim = Simulator(domain, {"H1": psd, "L1": psd_scale * psd}, TRIGGER, TRIGGER - 2.0,
                    WaveformSettings(approximant, 20.0))
    segments = {ifo: np.random.default_rng(i).normal(size=domain.n_samples) * 1e-21 for i, ifo in enumerate(sim.ifos)}
    segments["H1"][100] += strain_shift
    config = validate_config({"prior": prior} if prior else {})
    return input_checksums(sim, segments, config["prior"], config["prior_constraints"])


def test_identical_inputs_have_equal_checksums_and_any_change_is_named():
    ref = _inputs()
    assert differences(ref, _inputs()) == []
    assert [d.split(":")[0] for d in differences(ref, _inputs(strain_shift=1e-25))] == ["strain.H1"]
    assert [d.split(":")[0] for d in differences(ref, _inputs(psd_scale=1.01))] == ["psd.L1"]
    assert [d.split(":")[0] for d in differences(ref, _inputs(approximant="IMRPhenomXAS"))] == ["waveform"]
    other_prior = {"chirp_mass": {"type": "uniform", "minimum": 25.0, "maximum": 35.0}}
    assert [d.split(":")[0] for d in differences(ref, _inputs(prior=other_prior))] == ["prior"]
    # a JSON round trip (the stored summary) changes nothing
    import json
    assert differences(json.loads(json.dumps(ref)), ref) == []

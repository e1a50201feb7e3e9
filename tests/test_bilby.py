"""The bilby reference sees identical inputs: its likelihood equals the project's."""

import numpy as np
import pytest
from gwda.config import validate_config
from gwda.gw.domain import FrequencyDomain
from gwda.gw.priors import Prior
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd

pytest.importorskip("bilby", reason="bilby is a test extra: pip install -e '.[test]'")

TRIGGER = 1126259462.4


def test_bilby_log_likelihood_ratio_equals_ours():
    from gwda.gw.bilby_interface import bilby_likelihood
    from gwda.gw.likelihood import GaussianLikelihood

    domain = FrequencyDomain(4.0, 4096.0, 20.0, 1024.0)
    psd = analytic_psd(domain.frequencies)
    sim = Simulator(domain, {"H1": psd, "L1": 1.2 * psd}, TRIGGER, TRIGGER - 2.0, WaveformSettings("IMRPhenomD", 20.0))
    prior = Prior(validate_config({})["prior"])
    rng = np.random.default_rng(4)
    truth = {k: v[:1] for k, v in prior.sample(rng, 1).items()}
    truth["luminosity_distance"] = np.array([300.0])
    signal, noise = sim.signal(truth), sim.noise(1, rng)
    data = {i: signal[i][0] + noise[i][0] for i in sim.ifos}
    # bilby gets the strain before whitening, as the bilby_reference rule hands it over
    likelihood, priors = bilby_likelihood(sim, {i: data[i] / sim.whitening[i] for i in sim.ifos}, prior)
    # points near the injection (where the likelihood matters) and from the prior
    points = {k: np.concatenate([v, v + 0.002 * rng.normal(size=3) * (k != "geocent_time")]) for k, v in truth.items()}
    points = {k: np.concatenate([points[k], prior.sample(rng, 4)[k]]) for k in points}
    exact = GaussianLikelihood(sim, data, marginalize_phase=True)
    ours = exact.phase_marginalized(points)[0] - exact.noise_log_likelihood()
    theirs = []
    for i in range(ours.size):
        p = {k: float(v[i]) for k, v in points.items()}
        p["geocent_time"] += TRIGGER
        theirs.append(likelihood.log_likelihood_ratio(p))
    # measured differences ~2e-3 nat at ln L ~ 700 (bilby tabulates ln I0, computes GMST its own way)
    np.testing.assert_allclose(theirs, ours, atol=0.01, rtol=1e-5)
    assert ours[0] > 50            # the injection is loud: the comparison is not of zeros

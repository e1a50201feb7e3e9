"""The simulator's projection on torch tensors (what training runs, in single precision and on
a GPU where there is one) against its numpy projection, for a segment whose trigger is not at
its middle, and with every tensor kept on the device of the inputs."""

import numpy as np
import pytest
from gwda.gw.domain import FrequencyDomain
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings, angle_factors, apply_angles
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4
DOMAIN = FrequencyDomain(4.0, 2048.0, 20.0, 512.0, roll_off=0.4)
ROWS = dict(chirp_mass=[28.0, 15.0], mass_ratio=[0.8, 0.5], chi_1=[0.2, -0.4], chi_2=[0.0, 0.3],
            theta_jn=[0.6, 2.2], phase=[1.0, 4.0], luminosity_distance=[400.0, 300.0], ra=[1.4, 3.0],
            dec=[-1.2, 0.3], psi=[0.5, 2.0], geocent_time=[0.01, -0.02])
ALIGN = {"H1": [0.01, -0.003], "L1": [0.0, 0.004]}


@pytest.fixture(scope="module")
def setting():
    """A simulator whose segment starts 2.5 s before the trigger (ends 1.5 s after it): the
    trigger's offset in the segment then matters for the phase of every bin (an offset of half
    the 4 s segment would be a whole number of cycles of each 0.25 Hz bin, either sign), and the
    numpy projection of two rows with their ι = φ = 0 amplitudes."""
    psd = analytic_psd(DOMAIN.frequencies)
    sim = Simulator(DOMAIN, {"H1": psd, "L1": 1.3 * psd}, TRIGGER, TRIGGER - 2.5,
                    WaveformSettings("IMRPhenomXAS", 20.0))
    params = {k: np.asarray(v, dtype=float) for k, v in ROWS.items()}
    amplitude = sim.amplitudes(params)
    align = {k: np.asarray(v) for k, v in ALIGN.items()}
    hp, hc = apply_angles(amplitude, params["theta_jn"], params["phase"])
    return sim, params, amplitude, align, sim.project(hp, hc, params, align=align)


def _tensors(torch, params, amplitude, align, device):
    a = torch.as_tensor(amplitude, dtype=torch.complex64).to(device)
    p = {k: torch.as_tensor(v, dtype=torch.float32).to(device) for k, v in params.items()}
    return a, p, {k: torch.as_tensor(v, dtype=torch.float32).to(device) for k, v in align.items()}


def _both_projections(torch, setting, device):
    """The signals of project_amplitude and of project on ``device``, and numpy's."""
    sim, params, amplitude, align, expected = setting
    a, p, al = _tensors(torch, params, amplitude, align, device)
    plus, cross = angle_factors(p["theta_jn"], p["phase"], a)
    return (sim.project_amplitude(a, plus, cross, p, align=al),
            sim.project(a * plus[..., None], a * cross[..., None], p, align=al)), expected


def test_single_precision_projection_matches_numpy_off_the_segment_middle(setting):
    """float32 tensors in, complex64 signals out (the training's precision), equal to the
    double-precision numpy signals to 1e-5 of their peak: float32 carries 6e-8 relative, and the
    phase f t (up to 512 Hz × 2.5 s ≈ 1300 cycles) is formed in double precision and reduced to
    its fractional cycle before the float32 exponential."""
    torch = pytest.importorskip("torch")
    signals, expected = _both_projections(torch, setting, "cpu")
    for got in signals:
        for ifo, h in expected.items():
            assert got[ifo].dtype == torch.complex64
            assert np.abs(got[ifo].numpy() - h).max() < 1e-5 * np.abs(h).max(), ifo


def test_projection_keeps_every_tensor_on_the_device_of_its_inputs(setting):
    """On torch's meta device (tensors with shapes but no data, which like a GPU's refuse to mix
    with CPU tensors) the projection runs through and returns meta tensors: no array of the
    simulator's (frequencies, whitening) or of the inputs stays behind on the CPU."""
    torch = pytest.importorskip("torch")
    signals, expected = _both_projections(torch, setting, "meta")
    for got in signals:
        for ifo, h in expected.items():
            assert got[ifo].device.type == "meta" and got[ifo].dtype == torch.complex64
            assert tuple(got[ifo].shape) == h.shape

"""The simulator's two ways to a detector signal agree, and its optimal SNR is the
noise-weighted norm whatever the batch shape.

Separable 22-mode approximants (IMRPhenomXAS) take the inclination and phase analytically from
one amplitude per row; every other approximant (IMRPhenomXP) is asked for h+, h× at each row's
angles. IMRPhenomXP without in-plane spins is IMRPhenomXAS twisted up by zero angles, so the
two paths must give the same whitened signals."""

import numpy as np
import pytest
from gwda.gw.domain import FrequencyDomain
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings
from gwda.io.synthetic import analytic_psd

TRIGGER = 1126259462.4
DOMAIN = FrequencyDomain(4.0, 2048.0, 20.0, 512.0, roll_off=0.4)
ROWS = dict(chirp_mass=[28.0, 15.0], mass_ratio=[0.8, 0.5], chi_1=[0.0, 0.0], chi_2=[0.0, 0.0],
            theta_jn=[0.6, 2.2], phase=[1.0, 4.0], luminosity_distance=[400.0, 300.0], ra=[1.4, 3.0],
            dec=[-1.2, 0.3], psi=[0.5, 2.0], geocent_time=[0.01, -0.02])
NO_PRECESSION = dict(a_1=[0.0, 0.0], a_2=[0.0, 0.0], tilt_1=[0.0, 0.0], tilt_2=[0.0, 0.0], phi_12=[0.0, 0.0],
                     phi_jl=[0.0, 0.0])


def _simulator(approximant):
    psd = analytic_psd(DOMAIN.frequencies)
    return Simulator(DOMAIN, {"H1": psd, "L1": 1.3 * psd}, TRIGGER, TRIGGER - 2.0, WaveformSettings(approximant, 20.0))


def _arrays(params):
    return {k: np.asarray(v, dtype=float) for k, v in params.items()}


def test_precessing_approximant_without_in_plane_spin_gives_the_separable_signals():
    """Non-separable path (h+, h× from LAL at each row's θ_jn, φ, then projected) against the
    separable one (one ι = φ = 0 amplitude, angles applied analytically): equal to 1e-4 of the
    signal's peak (measured 3e-5: XP's frame rotations by zero angles and its final-spin fit),
    far below the O(1) change a wrong angle, polarization or row would make."""
    precessing, aligned = _simulator("IMRPhenomXP"), _simulator("IMRPhenomXAS")
    assert not precessing.waveform.separable and aligned.waveform.separable
    got = precessing.signal(_arrays({**ROWS, **NO_PRECESSION}))
    expected = aligned.signal(_arrays(ROWS))
    for ifo in expected:
        assert got[ifo].shape == expected[ifo].shape == (2, precessing.n_bins)
        np.testing.assert_allclose(got[ifo], expected[ifo], rtol=0, atol=1e-4 * np.abs(expected[ifo]).max())


def test_optimal_snr_is_the_noise_weighted_norm_for_one_signal_or_a_batch():
    """⟨h, h⟩ = 4 Σ |h̃|² Δf / S_eff over the band, computed from the unwhitened strain, for a
    single signal (1-D) and for a batch of batches (rows × rows × bins): the SNR is a norm
    over the last (frequency) axis only."""
    sim = _simulator("IMRPhenomXAS")
    signal = sim.signal(_arrays(ROWS))
    for ifo, h in signal.items():
        strain = h / sim.whitening[ifo]
        s_eff = sim.domain.effective_psd(sim.psds[ifo][sim.domain.mask])
        expected = np.sqrt(4 * np.sum(np.abs(strain) ** 2 / s_eff, axis=-1) * sim.domain.delta_f)
        assert np.all(expected > 1.0)
        for i in range(2):
            assert sim.optimal_snr({ifo: h[i]})[ifo] == pytest.approx(expected[i], rel=1e-12)
        stacked = np.stack([h, h[::-1], 2 * h])          # (3, 2, bins)
        np.testing.assert_allclose(sim.optimal_snr({ifo: stacked})[ifo],
                                   [expected, expected[::-1], 2 * expected], rtol=1e-12)

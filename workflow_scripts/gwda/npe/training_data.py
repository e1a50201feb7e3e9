"""Simulated training data of the neural posterior estimator, drawn fresh for every batch.

Per batch, on the training device: reconstruct intrinsic waveforms from their reduced basis,
draw extrinsic parameters from the training distribution (and θ_jn, φ for 22-mode models),
draw time proxies around the arrival times and align each detector's data on them
(:mod:`gwda.gw.alignment`), project onto the detectors and whiten
(:class:`gwda.gw.simulator.Simulator`), project onto the data basis, add fresh white noise
there (exact: the basis is orthonormal, so projected white noise is white with the same
variance), standardise.
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from ..core.flows import PosteriorModel
from ..core.reduced_basis import mismatch, reduced_basis
from ..gw.waveforms import angle_factors
from .analysis import ModelAnalysis
from .dataset import WaveformDataset

log = logging.getLogger(__name__)


class TrainingData:
    """Simulated (θ, features) batches for the posterior model; θ in the flow's coordinates
    (:mod:`gwda.gw.coordinates`)."""

    def __init__(self, analysis: ModelAnalysis, waveforms: WaveformDataset, device: torch.device,
                 glitches=None):
        self.sim, self.prior, self.coordinates = analysis.simulator, analysis.proposal, analysis.coordinates
        self.parameters, self.alignment = self.coordinates.names, analysis.alignment
        self.separable, self.device = self.sim.waveform.separable, device
        self.intrinsic = {k: torch.as_tensor(v, dtype=torch.float32, device=device)
                          for k, v in waveforms.parameters.items()}
        self.coefficients = torch.as_tensor(waveforms.coefficients, dtype=torch.complex64, device=device)
        self.waveform_basis = torch.as_tensor(waveforms.basis, dtype=torch.complex64, device=device)
        self.n_waveforms = waveforms.coefficients.shape[0]
        self.glitches = glitches        # a gwda.npe.training_glitches.TrainingGlitches, or None

    def simulate(self, idx: np.ndarray, rng: np.random.Generator, with_glitches: bool = True):
        """Flow parameters, whitened aligned detector signals (plus glitches, where configured
        and ``with_glitches``) and the proxies' context for waveforms ``idx`` with fresh
        extrinsic parameters and proxies."""
        n = idx.size
        # Intrinsic parameters come with the waveforms (constraints applied when they were
        # drawn); only the extrinsic ones are drawn here, each from its 1-D prior.
        theta = {k: torch.as_tensor(p.sample(rng, n), dtype=torch.float32, device=self.device)
                 for k, p in self.prior.priors.items() if k not in self.intrinsic}
        index = torch.as_tensor(idx, device=self.device)
        for k, v in self.intrinsic.items():
            theta[k] = v[index]
        amplitude = self.coefficients[index] @ self.waveform_basis
        arrival = self.sim.arrival_times(theta)
        drawn = self.alignment.draw_proxies({k: v.double().cpu().numpy() for k, v in arrival.items()}, rng)
        proxies = {k: torch.as_tensor(v, device=self.device) for k, v in drawn.items()}
        if self.separable:
            plus, cross = angle_factors(theta["theta_jn"], theta["phase"], amplitude)
            signals = self.sim.project_amplitude(amplitude, plus, cross, theta, align=proxies, arrival=arrival)
        else:
            signals = self.sim.project(amplitude[:, 0], amplitude[:, 1], theta, align=proxies, arrival=arrival)
        context = torch.as_tensor(self.alignment.context(drawn), dtype=torch.float32, device=self.device)
        if self.glitches is not None and with_glitches:
            signals = self.glitches.add(signals, proxies, rng)[0]
        return self.coordinates.to_flow(theta, arrival, proxies), signals, context

    def coefficients_of(self, whitened: dict, basis: torch.Tensor, generator: torch.Generator | None):
        coeff = torch.stack([whitened[ifo] for ifo in self.sim.ifos], dim=1) @ basis.conj()
        noise = torch.randn(coeff.shape + (2,), device=self.device, generator=generator)
        return coeff + torch.view_as_complex(noise)

    def batch(self, model: PosteriorModel, idx: np.ndarray, rng: np.random.Generator,
              generator: torch.Generator | None = None):
        theta, whitened, context = self.simulate(idx, rng)
        x = model.features(self.coefficients_of(whitened, model.basis, generator), context)
        t = torch.stack([theta[k].to(torch.float32) for k in self.parameters], dim=1)
        return (t - model.param_mean) / model.param_std, x


def data_basis(data: TrainingData, size: int, rng: np.random.Generator, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Reduced basis of whitened, aligned detector signals (the embedding's fixed first
    layer), from ``n`` simulated examples per detector, and its reconstruction mismatch on
    the fifth held out."""
    _, white, _ = data.simulate(rng.integers(0, data.n_waveforms, n), rng, with_glitches=False)
    stack = torch.cat([white[i] for i in data.sim.ifos]).cpu().numpy()
    stack /= np.linalg.norm(stack, axis=1, keepdims=True)
    basis = reduced_basis(stack[: stack.shape[0] * 4 // 5], size)
    held = stack[stack.shape[0] * 4 // 5:]
    mm = mismatch((held @ basis.conj()) @ basis.T, held)
    log.info("data basis of %d elements: mismatch median %.2e, max %.2e", basis.shape[1], np.median(mm), mm.max())
    return basis, mm


def fit_standardisation(model: PosteriorModel, data: TrainingData, rng: np.random.Generator,
                        n: int = 8192) -> None:
    """Set the model's parameter, feature and proxy scalings from simulated samples."""
    idx = rng.integers(0, data.n_waveforms, n)
    theta, whitened, context = data.simulate(idx, rng)
    coeff = data.coefficients_of(whitened, model.basis, None)
    x = torch.cat([coeff.real, coeff.imag], dim=-1).flatten(1)
    model.feature_mean.copy_(x.mean(0))
    model.feature_std.copy_(x.std(0))
    context = context.to(torch.float32)
    model.proxy_mean.copy_(context.mean(0))
    model.proxy_std.copy_(context.std(0))
    t = torch.stack([theta[k].to(torch.float32) for k in data.parameters], dim=1)
    model.param_mean.copy_(t.mean(0))
    model.param_std.copy_(t.std(0))

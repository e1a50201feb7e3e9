"""Conditional density estimator q(θ | d): fixed reduced-basis projection of the data ->
embedding network -> conditional rational-quadratic neural-spline flow (nflows).

The network file holds the network's settings and weights (parameter names and
standardisation, projection basis, feature scaling); what the parameters and data mean is
described elsewhere (for the gravitational-wave model: :mod:`gwda.npe.analysis`).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import torch
from nflows.distributions.normal import StandardNormal
from nflows.flows.base import Flow
from nflows.transforms.base import CompositeTransform
from nflows.transforms.coupling import PiecewiseRationalQuadraticCouplingTransform
from nflows.transforms.permutations import RandomPermutation
from nflows.utils.torchutils import create_alternating_binary_mask
from torch import nn

from ..runtime import atomic_output
from .embeddings import ResMLPEmbedding, WithProxies


class ConditionedResidualNet(nn.Module):
    """Residual network for the coupling transforms, conditioned on the context by an
    additive input term and a gate per block (as nflows' ResidualNet), but written so that
    a single-row context broadcasts over a batch: when sampling many θ for one event, the
    context projections are computed once instead of once per sample."""

    def __init__(self, n_in: int, n_out: int, hidden: int, n_context: int, blocks: int = 2,
                 dropout: float = 0.0):
        super().__init__()
        self.hidden_features = hidden      # nflows scales the spline logits by 1/sqrt(this)
        self.input = nn.Linear(n_in, hidden)
        self.context_input = nn.Linear(n_context, hidden)
        self.blocks = nn.ModuleList()
        self.gates = nn.ModuleList()
        for _ in range(blocks):
            last = nn.Linear(hidden, hidden)
            nn.init.uniform_(last.weight, -1e-3, 1e-3)        # blocks start near identity
            nn.init.uniform_(last.bias, -1e-3, 1e-3)
            self.blocks.append(nn.Sequential(nn.ELU(), nn.Linear(hidden, hidden), nn.ELU(),
                                             nn.Dropout(dropout), last))
            self.gates.append(nn.Linear(n_context, hidden))
        self.output = nn.Linear(hidden, n_out)

    def forward(self, x, context):
        h = self.input(x) + self.context_input(context)
        for block, gate in zip(self.blocks, self.gates):
            h = h + block(h) * torch.sigmoid(gate(context))
        return self.output(h)


class PosteriorModel(nn.Module):
    """q(θ | d): projection of whitened data onto a reduced basis, embedding, spline flow.

    ``forward``-free: use :meth:`features` to turn whitened (aligned) data and the time
    proxies' context into network input, :meth:`log_prob` and :meth:`sample` in physical
    parameter units.
    """

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = settings
        n_ifos, n_basis, n_bins = settings["n_ifos"], settings["svd_size"], settings["n_bins"]
        n_params, n_proxies = len(settings["parameters"]), settings.get("n_proxies", 0)
        self.register_buffer("basis", torch.zeros(n_bins, n_basis, dtype=torch.complex64))
        self.register_buffer("feature_mean", torch.zeros(2 * n_ifos * n_basis))
        self.register_buffer("feature_std", torch.ones(2 * n_ifos * n_basis))
        self.register_buffer("proxy_mean", torch.zeros(n_proxies))
        self.register_buffer("proxy_std", torch.ones(n_proxies))
        self.register_buffer("param_mean", torch.zeros(n_params))
        self.register_buffer("param_std", torch.ones(n_params))
        n_in, n_ctx = 2 * n_ifos * n_basis, settings["context_features"]
        embedding = WithProxies(ResMLPEmbedding(n_in, settings["embedding_hidden"], n_ctx, settings["dropout"]),
                                 n_proxies)
        n_ctx += n_proxies
        generator = torch.Generator().manual_seed(settings.get("permutation_seed", 0))
        transforms = []
        for i in range(settings["flow_transforms"]):
            transforms.append(PiecewiseRationalQuadraticCouplingTransform(
                mask=create_alternating_binary_mask(n_params, even=(i % 2 == 0)),
                transform_net_create_fn=lambda n_in_, n_out_: ConditionedResidualNet(
                    n_in_, n_out_, settings["flow_hidden"], n_ctx, settings["flow_blocks"],
                    settings["dropout"]),
                num_bins=settings["flow_bins"], tails="linear", tail_bound=settings["tail_bound"]))
            perm = torch.randperm(n_params, generator=generator)
            transforms.append(RandomPermutation(n_params))
            transforms[-1]._permutation = perm
        self.flow = Flow(CompositeTransform(transforms), StandardNormal([n_params]), embedding)

    @property
    def parameters_inferred(self) -> list[str]:
        return list(self.settings["parameters"])

    def project(self, whitened: torch.Tensor, proxies: torch.Tensor) -> torch.Tensor:
        """(batch, n_ifos, n_bins) complex whitened, aligned data and (batch, n_proxies) time
        proxies -> network input."""
        coeff = whitened.to(self.basis.dtype) @ self.basis.conj()
        return self.features(coeff, proxies)

    def features(self, coeff: torch.Tensor, proxies: torch.Tensor) -> torch.Tensor:
        """Standardised network input from basis coefficients and time proxies."""
        x = torch.cat([coeff.real, coeff.imag], dim=-1).flatten(1)
        p = proxies.to(x.dtype)
        return torch.cat([(x - self.feature_mean) / self.feature_std, (p - self.proxy_mean) / self.proxy_std], dim=1)

    def log_prob_standardised(self, theta_std: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.flow.log_prob(theta_std, context=features)

    def log_prob(self, theta: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        theta_std = (theta - self.param_mean) / self.param_std
        return self.flow.log_prob(theta_std, context=features) - torch.log(self.param_std).sum()

    @torch.no_grad()
    def log_prob_one_context(self, theta: torch.Tensor, features: torch.Tensor, batch: int = 25000) -> torch.Tensor:
        """ln q of many rows of ``theta`` (physical units) for one conditioning input
        (``features`` of one row, embedded once as in :meth:`sample`)."""
        context = self.flow._embedding_net(features)
        out = []
        for start in range(0, theta.shape[0], batch):
            theta_std = (theta[start:start + batch] - self.param_mean) / self.param_std
            noise, logabsdet = self.flow._transform(theta_std, context=context)
            out.append(_base_log_prob(noise, 0.0, 1.0) + logabsdet - torch.log(self.param_std).sum())
        return torch.cat(out)

    @torch.no_grad()
    def sample(self, n: int, features: torch.Tensor, batch: int = 25000, defensive: tuple[float, float] = (0.0, 1.0)):
        """n samples (physical units) and their log densities for one conditioning input
        (``features`` of one row; its context is embedded once and broadcast).

        ``defensive = (α, τ)``: a fraction α of the base draws come from N(0, τ²) instead of
        N(0, 1), and the density is that of the mixture, (1 − α) q + α q_τ, where q_τ is the
        flow pushed from the wider base. Both densities share the transform, so the mixture's
        is exact; importance weights are then bounded by p / (α q_τ) where the flow's own
        tails are too light."""
        alpha, tau = defensive
        context = self.flow._embedding_net(features)
        out, logp = [], []
        for start in range(0, n, batch):
            m = min(batch, n - start)
            noise = torch.randn(m, len(self.parameters_inferred), device=context.device)
            if alpha > 0:
                noise = noise * torch.where(torch.rand(m, 1, device=noise.device) < alpha, tau, 1.0)
            theta_std, logabsdet = self.flow._transform.inverse(noise, context=context)
            out.append(theta_std * self.param_std + self.param_mean)
            logp.append(_base_log_prob(noise, alpha, tau) - logabsdet - torch.log(self.param_std).sum())
        return torch.cat(out), torch.cat(logp)


def _base_log_prob(z: torch.Tensor, alpha: float, tau: float) -> torch.Tensor:
    """ln of (1 − α) N(z; 0, 1) + α N(z; 0, τ²) (independent components)."""
    d = z.shape[1]
    sq = (z**2).sum(dim=1)
    unit = -0.5 * sq - 0.5 * d * math.log(2 * math.pi)
    if alpha <= 0:
        return unit
    wide = -0.5 * sq / tau**2 - 0.5 * d * math.log(2 * math.pi * tau**2)
    return torch.logaddexp(unit + math.log1p(-alpha), wide + math.log(alpha))


def save_network(model: PosteriorModel, path: Path | str) -> str:
    """Write the network's settings and weights; returns the file's SHA-256 (recorded by
    whoever describes the model, so that a network file cannot be swapped unnoticed)."""
    with atomic_output(path) as tmp:
        torch.save({"settings": model.settings, "state_dict": model.state_dict()}, tmp)
        return file_sha256(tmp)


def load_network(path: Path | str, device: str | torch.device = "cpu") -> PosteriorModel:
    blob = torch.load(path, map_location=device, weights_only=False)
    model = PosteriorModel(blob["settings"]).to(device)
    model.load_state_dict(blob["state_dict"])
    model.eval()
    return model


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

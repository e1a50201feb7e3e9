"""A trained neural posterior estimator: its analysis (:mod:`gwda.npe.analysis`) and its
network, with posterior sampling in physical parameters."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from ..core.flows import PosteriorModel, file_sha256, load_network
from .analysis import ModelAnalysis, ModelMismatchError
from .proposal import MixtureProposal

log = logging.getLogger(__name__)


class TrainedModel(ModelAnalysis):
    """:class:`ModelAnalysis` plus the network: q(θ | d) for the event's whitened data."""

    network: PosteriorModel

    @classmethod
    def load(cls, path, psd_paths: list, network_path=None, device: str | torch.device = "cpu") -> TrainedModel:
        """The model of ``model.json`` (``path``) with its network (by default the file it
        names, beside it), on the event's PSDs."""
        model = super().load(path, psd_paths)
        network_path = Path(network_path or Path(path).with_name(model.info["network"]["file"]))
        if file_sha256(network_path) != model.info["network"]["sha256"]:
            raise ModelMismatchError(f"{network_path} is not the network {path} was trained with (checksum differs)")
        model.network = load_network(network_path, device)
        if model.network.parameters_inferred != model.flow_parameters:
            raise ModelMismatchError(f"{network_path} infers {model.network.parameters_inferred}, "
                                     f"{path} describes {model.flow_parameters}")
        return model

    @property
    def device(self) -> torch.device:
        return self.network.basis.device

    def _features(self, data: dict, proxies: dict) -> torch.Tensor:
        """The network input for whitened ``data`` aligned on ``proxies``."""
        aligned = self.simulator.align_data(data, proxies)
        x = torch.as_tensor(np.stack([aligned[i] for i in self.simulator.ifos])[None], device=self.device)
        context = torch.as_tensor(self.alignment.context(proxies)[None], device=self.device)
        return self.network.project(x, context)

    def sample(self, data: dict, proxies: dict, n: int,
               defensive: tuple[float, float] = (0.0, 1.0)) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n flow samples (physical parameters) and their log densities for whitened ``data``
        aligned on ``proxies`` (per detector, s relative to the trigger); ``defensive``: see
        :meth:`gwda.core.flows.PosteriorModel.sample`."""
        network = self.network
        samples, log_q = network.sample(n, self._features(data, proxies), defensive=defensive)
        flow = {name: samples[:, i].cpu().numpy().astype(float) for i, name in enumerate(network.parameters_inferred)}
        # Seeded from torch's stream, so the caller's torch seed fixes all the samples.
        rng = np.random.default_rng(int(torch.randint(2**62, (), device="cpu")))
        params, log_jacobian = self.coordinates.from_flow(flow, proxies, rng)
        return params, log_q.cpu().numpy().astype(float) + log_jacobian

    def log_prob(self, data: dict, proxies: dict, params: dict[str, np.ndarray]) -> np.ndarray:
        """ln q(θ | d, proxies) of physical parameters ``params``: the density :meth:`sample`
        reports for its samples, at any θ (each maps to the one point of the flow coordinates'
        one-to-one range that :meth:`sample` keeps)."""
        flow = self.coordinates.to_flow(params, self.simulator.arrival_times(params), proxies)
        names = self.network.parameters_inferred
        theta = torch.as_tensor(np.stack([flow[k] for k in names], axis=1), device=self.device,
                                dtype=self.network.param_mean.dtype)
        log_q = self.network.log_prob_one_context(theta, self._features(data, proxies)).cpu().numpy().astype(float)
        # The Jacobian depends on the sky and ψ coordinates only (not on which half of ψ).
        _, log_jacobian = self.coordinates.from_flow(flow, proxies, np.random.default_rng(0))
        return log_q + log_jacobian

    def sample_mixture(self, data: dict, proxy_sets: list[dict], shares: np.ndarray, n: int,
                       rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n samples of the mixture Σ_k s_k q(θ | d, τ_k) over proxy sets τ_k with shares s_k,
        with its exact density (samples drawn outside the flow coordinates' range stay NaN, as
        in :meth:`sample`)."""
        return MixtureProposal(self, data, proxy_sets, shares, rng)(n)

    def time_tails(self, data: dict, proxies: dict, share: float, rng: np.random.Generator,
                   reach: int = 1) -> MixtureProposal:
        """(1 - s) q(θ | d, τ) + (s/2K) Σ_{j=1..K} Σ_± q(θ | d, τ ± jκ), s = ``share``,
        K = ``reach``, κ the alignment's common window: every proxy moved together by one
        (up to K) window widths either way.

        The flow is trained on p(θ | d, τ), the posterior cut to arrival times within the
        window around τ, so on its own it proposes almost nothing past the window's edges,
        where the posterior of a broad arrival time still has mass (and importance weights
        there are the largest). The shifted components reach K windows further either way."""
        kappa = self.alignment.common_window
        shifts = [sign * j * kappa for j in range(1, reach + 1) for sign in (-1, 1)]
        proxy_sets = [proxies, *({k: v + shift for k, v in proxies.items()} for shift in shifts)]
        shares = np.array([1 - share] + [share / len(shifts)] * len(shifts))
        return MixtureProposal(self, data, proxy_sets, shares, rng)

    def sample_proxy_mixture(self, data: dict, proxies: dict, n: int, components: int,
                             rng: np.random.Generator, pilot: int = 5000) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n samples of the mixture (1/K) Σ_k q(θ | d, τ_k) over K = ``components`` proxy sets,
        with its exact density.

        Averaged over τ ~ p(τ | d), p(θ | d, τ) gives p(θ | d) without the window's cut
        (GNPE, Dax et al. 2022); the τ_k are drawn from the kernel around the arrival times of
        ``pilot`` samples aligned on ``proxies``."""
        pilot_params, _ = self.sample(data, proxies, pilot)
        arrival = self.simulator.arrival_times(pilot_params)
        rows = rng.choice(pilot, size=components, replace=False)
        kernel = self.alignment.draw_proxies({ifo: t[rows] for ifo, t in arrival.items()}, rng)
        proxy_sets = [{ifo: float(t[k]) for ifo, t in kernel.items()} for k in range(components)]
        return self.sample_mixture(data, proxy_sets, np.ones(components), n, rng)

    def recentre_proxies(self, data: dict, proxies: dict, iterations: int, n: int = 5000) -> dict[str, float]:
        """Move the proxies to the posterior medians of the arrival times (and of their
        differences from the reference detector's), ``iterations`` times: the matched filter
        places them within a few ms, and the windows then sit centred on the posterior."""
        ref = self.alignment.reference
        for i in range(iterations):
            params, _ = self.sample(data, proxies, n)
            arrival = self.simulator.arrival_times(params)
            centre = float(np.median(arrival[ref]))
            new = {ifo: centre + (float(np.median(t - arrival[ref])) if ifo != ref else 0.0)
                   for ifo, t in arrival.items()}
            log.info("proxies, iteration %d: %s ms (moved by %s ms)", i + 1,
                     ", ".join(f"{k} {1e3 * v:.2f}" for k, v in new.items()),
                     ", ".join(f"{k} {1e3 * (new[k] - proxies[k]):+.2f}" for k in new))
            proxies = new
        return proxies

"""A trained neural posterior estimator: its analysis (:mod:`gwda.npe.analysis`) and its
network, with posterior sampling in physical parameters."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from ..core.flows import PosteriorModel, file_sha256, load_network
from .analysis import ModelAnalysis, ModelMismatchError

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

    def sample(self, data: dict, proxies: dict, n: int,
               defensive: tuple[float, float] = (0.0, 1.0)) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n flow samples (physical parameters) and their log densities for whitened ``data``
        aligned on ``proxies`` (per detector, s relative to the trigger); ``defensive``: see
        :meth:`gwda.core.flows.PosteriorModel.sample`."""
        sim, network, device = self.simulator, self.network, self.device
        aligned = sim.align_data(data, proxies)
        x = torch.as_tensor(np.stack([aligned[i] for i in sim.ifos])[None], device=device)
        context = torch.as_tensor(self.alignment.context(proxies)[None], device=device)
        samples, log_q = network.sample(n, network.project(x, context), defensive=defensive)
        flow = {name: samples[:, i].cpu().numpy().astype(float) for i, name in enumerate(network.parameters_inferred)}
        # Seeded from torch's stream, so the caller's torch seed fixes all the samples.
        rng = np.random.default_rng(int(torch.randint(2**62, (), device="cpu")))
        params, log_jacobian = self.coordinates.from_flow(flow, proxies, rng)
        return params, log_q.cpu().numpy().astype(float) + log_jacobian

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

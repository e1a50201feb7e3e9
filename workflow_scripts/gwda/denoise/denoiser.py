"""A trained denoiser: the network, the window it reads and the data it was trained for, in
one file, and its application to windows of whitened data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..runtime import atomic_output
from .model import DenoisingTransformer
from .window import DenoiserWindow


class DenoiserMismatchError(ValueError):
    """A denoiser applied to data other than those it was trained for."""


class Denoiser:
    def __init__(self, network: DenoisingTransformer, window: DenoiserWindow, detectors: list[str],
                 data_fingerprint: dict, info: dict | None = None):
        self.network, self.window, self.detectors = network, window, list(detectors)
        self.data_fingerprint, self.info = data_fingerprint, info or {}

    @classmethod
    def build(cls, settings: dict, window: DenoiserWindow, detectors: list[str], data_fingerprint: dict) -> Denoiser:
        """A new (untrained) denoiser with the config's ``denoiser.network`` settings."""
        net = dict(settings)
        net.update(n_detectors=len(detectors), n_samples=window.n_samples, band=list(window.window_band()))
        return cls(DenoisingTransformer(net), window, detectors, data_fingerprint)

    @property
    def device(self) -> torch.device:
        return self.network.position.device

    def to(self, device) -> Denoiser:
        self.network.to(device)
        return self

    def __call__(self, data, batch: int = 64) -> np.ndarray:
        """The whitened signal estimated from windows of whitened data (rows, detectors, samples)."""
        self.network.eval()
        x = torch.as_tensor(np.asarray(data) if not torch.is_tensor(data) else data, dtype=torch.float32)
        out = []
        with torch.no_grad():
            for i in range(0, x.shape[0], batch):
                out.append(self.network(x[i:i + batch].to(self.device)).cpu())
        return torch.cat(out).numpy() if out else np.empty(tuple(x.shape), np.float32)

    def check_data(self, fingerprint: dict, path) -> None:
        diffs = [f"{k}: denoiser {self.data_fingerprint.get(k)!r}, data {v!r}" for k, v in fingerprint.items()
                 if self.data_fingerprint.get(k) != v]
        if diffs:
            raise DenoiserMismatchError(f"denoiser {path} was trained for other data: " + "; ".join(diffs))

    def save(self, path: Path | str) -> None:
        blob = {"network_settings": self.network.settings, "state": self.network.state_dict(),
                "window": self.window.to_dict(), "detectors": self.detectors,
                "data_fingerprint": self.data_fingerprint, "info": self.info}
        with atomic_output(path) as tmp:
            torch.save(blob, tmp)

    @classmethod
    def load(cls, path: Path | str, device=None) -> Denoiser:
        try:
            blob = torch.load(path, map_location=device or "cpu", weights_only=False)
            network = DenoisingTransformer(blob["network_settings"])
            network.load_state_dict(blob["state"])
            window = DenoiserWindow.from_dict(blob["window"])
        except Exception as exc:        # a truncated file, another pickle, another model
            raise DenoiserMismatchError(f"{path} is not a denoiser written by train_denoiser ({exc!r})") from None
        network.to(device or "cpu")
        return cls(network, window, blob["detectors"], blob["data_fingerprint"], blob["info"])

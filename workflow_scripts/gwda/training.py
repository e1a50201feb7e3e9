"""Training of the neural posterior estimator on simulated data, with checkpoint/resume.

Per batch, on the training device: reconstruct intrinsic waveforms from their reduced basis,
draw extrinsic parameters from the prior (and θ_jn, φ for 22-mode models), draw time proxies
around the arrival times and align each detector's data on them (:mod:`gwda.alignment`),
project onto the detectors and whiten (:class:`gwda.simulator.Simulator`), project onto the
data basis, add fresh white noise there (exact: the basis is orthonormal, so projected white
noise is white with the same variance), standardise.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .coordinates import FlowCoordinates
from .flows import PosteriorModel
from .priors import Prior
from .runtime import atomic_output
from .simulator import Simulator
from .waveforms import angle_factors

log = logging.getLogger(__name__)


class TrainingData:
    """Simulated (θ, features) batches for the posterior model; θ in the flow's coordinates
    (:mod:`gwda.coordinates`)."""

    def __init__(self, simulator: Simulator, prior: Prior,
                 intrinsic: dict[str, np.ndarray], coefficients: np.ndarray, waveform_basis: np.ndarray,
                 device: torch.device, separable: bool, coordinates: FlowCoordinates):
        self.sim, self.prior, self.parameters = simulator, prior, coordinates.names
        self.device, self.separable, self.coordinates = device, separable, coordinates
        self.alignment = coordinates.alignment
        self.intrinsic = {k: torch.as_tensor(v, dtype=torch.float32, device=device) for k, v in intrinsic.items()}
        self.coefficients = torch.as_tensor(coefficients, dtype=torch.complex64, device=device)
        self.waveform_basis = torch.as_tensor(waveform_basis, dtype=torch.complex64, device=device)
        self.n_waveforms = coefficients.shape[0]

    def simulate(self, idx: np.ndarray, rng: np.random.Generator):
        """Flow parameters, whitened aligned detector signals and the proxies' context for
        waveforms ``idx`` with fresh extrinsic parameters and proxies."""
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


def config_hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def train(model: PosteriorModel, data: TrainingData, settings: dict, seed: int, workdir: Path,
          loss_csv: Path, fingerprint: str, progress: bool = True) -> dict:
    """Train with Adam + cosine annealing; checkpoint after every epoch into ``workdir`` and
    resume from it when called again with the same ``fingerprint``."""
    workdir.mkdir(parents=True, exist_ok=True)
    ckpt_path = workdir / "checkpoint.pt"
    device = data.device
    epochs, batch_size = settings["epochs"], settings["batch_size"]
    n_val = max(1, int(round(settings["validation_fraction"] * data.n_waveforms)))
    split_rng = np.random.default_rng([seed, 1])
    order = split_rng.permutation(data.n_waveforms)
    val_idx, train_idx = order[:n_val], order[n_val:]
    # A fixed validation set: same extrinsic draws and noise every epoch.
    val_rng = np.random.default_rng([seed, 2])
    val_gen = torch.Generator(device=device).manual_seed(seed + 2)
    model.to(device)
    with torch.no_grad():
        val_batches = [data.batch(model, val_idx[i:i + batch_size], val_rng, val_gen)
                       for i in range(0, n_val, batch_size)]

    optimizer = torch.optim.Adam(model.parameters(), lr=settings["learning_rate"])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    rng = np.random.default_rng([seed, 3])
    generator = torch.Generator(device=device).manual_seed(seed + 3)
    history: list[dict] = []
    start_epoch = 0
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        if ckpt["fingerprint"] == fingerprint:
            model.load_state_dict(ckpt["model"])
            optimizer.load_state_dict(ckpt["optimizer"])
            scheduler.load_state_dict(ckpt["scheduler"])
            rng.bit_generator.state = ckpt["numpy_rng"]
            generator.set_state(ckpt["torch_rng"].cpu() if device.type == "cpu" else ckpt["torch_rng"])
            history, start_epoch = ckpt["history"], ckpt["epoch"]
            log.info("resuming from %s after epoch %d", ckpt_path, start_epoch)
        else:
            log.warning("checkpoint %s was made with other settings; starting afresh", ckpt_path)

    for epoch in range(start_epoch, epochs):
        t0 = time.time()
        model.train()
        perm = rng.permutation(train_idx)
        total, count = 0.0, 0
        bar = tqdm(range(0, perm.size, batch_size), desc=f"epoch {epoch + 1}/{epochs}",
                   disable=not progress, mininterval=5, leave=False)
        for i in bar:
            theta, x = data.batch(model, perm[i:i + batch_size], rng, generator)
            loss = -model.log_prob_standardised(theta, x).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * theta.shape[0]
            count += theta.shape[0]
        scheduler.step()
        model.eval()
        with torch.no_grad():
            val = sum(-model.log_prob_standardised(t, x).sum().item() for t, x in val_batches) / n_val
        row = {"epoch": epoch + 1, "train_loss": total / count, "validation_loss": val,
               "learning_rate": optimizer.param_groups[0]["lr"], "seconds": time.time() - t0}
        history.append(row)
        log.info("epoch %d: train %.4f  validation %.4f  (%.1f s)", epoch + 1, row["train_loss"], val,
                 row["seconds"])
        _write_loss(loss_csv, history)
        with atomic_output(ckpt_path) as tmp:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "numpy_rng": rng.bit_generator.state,
                        "torch_rng": generator.get_state(), "history": history, "epoch": epoch + 1,
                        "fingerprint": fingerprint}, tmp)
    return {"history": history, "epochs_run": epochs - start_epoch, "resumed_from": start_epoch}


def _write_loss(path: Path, history: list[dict]) -> None:
    with atomic_output(path) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)

"""Training of the denoiser on examples drawn fresh for every batch, with checkpoint/resume.

Loss: the mean over examples and detectors of Σ_t (ŷ(t) − h(t))², the squared error summed over
the window's samples in whitened units. With white noise of unit variance per sample that sum
is (to the band fraction) the noise-weighted inner product ⟨ŷ − h, ŷ − h⟩, the residual's
squared SNR: the loss weighs errors as a matched filter does, loud and quiet signals on one
scale, and on noise-only windows it is the output's own power, so that suppressing noise
and reconstructing signals are one objective. (1 − overlap would leave the amplitude free and
is undefined on noise-only windows.) AdamW with a linear warm-up over the first 5 % of steps
then cosine decay; after every epoch a fixed validation set is scored and a checkpoint written
(:mod:`gwda.core.checkpoint`); a call with the same fingerprint resumes after the last epoch.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from ..core import checkpoint
from .data import DenoiserSimulation, Examples
from .denoiser import Denoiser

log = logging.getLogger(__name__)


def squared_error(estimate: torch.Tensor, truth: torch.Tensor) -> torch.Tensor:
    """Per example and detector: Σ over the window of the squared difference."""
    return ((estimate - truth) ** 2).sum(-1)


def network_overlap(a, b):
    """Normalised inner product over detectors and samples, per row (numpy or torch; NaN
    where either is zero)."""
    num = (a * b).sum(-1).sum(-1)
    return num / ((a * a).sum(-1).sum(-1) * (b * b).sum(-1).sum(-1)) ** 0.5


class BankBatches:
    """Training examples from the intrinsic training waveforms (fresh extrinsic parameters,
    SNR, time shift, noise and glitches every draw). What :func:`train` needs of a source of
    batches: ``device``, ``refresh(rng)`` (called before every epoch) and ``draw(n, rng,
    generator)``."""

    def __init__(self, simulation: DenoiserSimulation, waveforms):
        dev = self.device = simulation.device
        self.simulation = simulation
        self.intrinsic = {k: torch.as_tensor(v, dtype=torch.float32, device=dev)
                          for k, v in waveforms.parameters.items()}
        self.coefficients = torch.as_tensor(waveforms.coefficients, dtype=torch.complex64, device=dev)
        self.basis = torch.as_tensor(waveforms.basis, dtype=torch.complex64, device=dev)
        self.n_waveforms = waveforms.coefficients.shape[0]

    def refresh(self, rng: np.random.Generator) -> None:
        """New glitches for the pool (when glitches are drawn)."""
        if self.simulation.pool is not None:
            self.simulation.pool.refresh(self.simulation.sim.ifos, rng)

    def draw(self, n: int, rng: np.random.Generator, generator: torch.Generator) -> Examples:
        idx = rng.integers(0, self.n_waveforms, n)
        signals = self.simulation.bank_signals(self.intrinsic, self.coefficients, self.basis, idx, rng)
        return self.simulation.examples(signals, rng, generator)


def _schedule(total_steps: int):
    warm = max(1, total_steps // 20)

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total_steps - warm))))
    return factor


def train(denoiser: Denoiser, batches, settings: dict, seed: int, workdir: Path, loss_csv: Path,
          fingerprint: str, progress: bool = True) -> dict:
    """Train ``denoiser`` (``denoiser.training`` settings) and return the history."""
    workdir.mkdir(parents=True, exist_ok=True)
    device = batches.device
    net = denoiser.network.to(device)
    epochs, batch = settings["epochs"], settings["batch_size"]
    steps = max(1, settings["examples_per_epoch"] // batch)
    # A fixed validation set: the same signals, noise and glitches every epoch.
    val_rng = np.random.default_rng([seed, 2])
    val_gen = torch.Generator(device=device).manual_seed(seed + 2)
    batches.refresh(val_rng)
    with torch.no_grad():
        val = [batches.draw(min(batch, settings["validation_examples"] - i), val_rng, val_gen)
               for i in range(0, settings["validation_examples"], batch)]

    optimizer = torch.optim.AdamW(net.parameters(), lr=settings["learning_rate"], weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(epochs * steps))
    rng = np.random.default_rng([seed, 3])
    generator = torch.Generator(device=device).manual_seed(seed + 3)
    states = {"model": net, "optimizer": optimizer, "scheduler": scheduler}
    history, start = checkpoint.resume(workdir / "checkpoint.pt", fingerprint, states, rng, generator, device)
    for epoch in range(start, epochs):
        t0 = time.time()
        batches.refresh(rng)
        net.train()
        total = 0.0
        bar = tqdm(range(steps), desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, mininterval=5, leave=False)
        for _ in bar:
            ex = batches.draw(batch, rng, generator)
            loss = squared_error(net(ex.data), ex.signal).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item()
        net.eval()
        with torch.no_grad():
            errors, overlaps = [], []
            for ex in val:
                out = net(ex.data)
                errors.append(squared_error(out, ex.signal).mean(-1))
                overlaps.append(network_overlap(out, ex.signal)[torch.as_tensor(ex.snr > 0)])
            errors, overlaps = torch.cat(errors), torch.cat(overlaps)
        row = {"epoch": epoch + 1, "train_loss": total / steps, "validation_loss": errors.mean().item(),
               "validation_median_overlap": overlaps.median().item() if overlaps.numel() else float("nan"),
               "learning_rate": optimizer.param_groups[0]["lr"], "seconds": time.time() - t0}
        history.append(row)
        log.info("epoch %d: train %.2f  validation %.2f  median overlap %.3f  (%.0f s)", epoch + 1,
                 row["train_loss"], row["validation_loss"], row["validation_median_overlap"], row["seconds"])
        checkpoint.save(workdir / "checkpoint.pt", fingerprint, states, rng, generator, history, loss_csv)
    net.cpu()
    return {"history": history, "epochs_run": epochs - start, "resumed_from": start}

"""Training loop of a conditional density estimator, with checkpoint/resume.

Adam with cosine annealing over the epochs. ``data`` supplies batches: ``data.batch(model,
indices, rng, generator) -> (θ standardised, network input)``, ``data.n_waveforms`` examples
(split once into training and a fixed validation set) and ``data.device``. After every
epoch the model, optimiser, scheduler and random states are checkpointed
(:mod:`gwda.core.checkpoint`); a call with the same ``fingerprint`` resumes from the last
completed epoch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from . import checkpoint
from .flows import PosteriorModel

log = logging.getLogger(__name__)


def config_hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def train(model: PosteriorModel, data, settings: dict, seed: int, workdir: Path,
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
    states = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    history, start_epoch = checkpoint.resume(ckpt_path, fingerprint, states, rng, generator, device)

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
        checkpoint.save(ckpt_path, fingerprint, states, rng, generator, history, loss_csv)
    return {"history": history, "epochs_run": epochs - start_epoch, "resumed_from": start_epoch}

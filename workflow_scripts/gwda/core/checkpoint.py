"""Checkpoints of a training loop: after every epoch the state of its modules, optimisers and
schedulers, its random streams and the loss history (also written as CSV); a new call with
the same fingerprint resumes after the last completed epoch."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
import torch

from ..runtime import atomic_output

log = logging.getLogger(__name__)


def resume(path: Path, fingerprint: str, states: dict, rng: np.random.Generator, generator: torch.Generator,
           device: torch.device) -> tuple[list[dict], int]:
    """Restore ``states`` (name -> object with ``load_state_dict``), ``rng`` and ``generator``
    from the checkpoint at ``path`` if it has this ``fingerprint``; (history, epochs done)."""
    if not path.exists():
        return [], 0
    ckpt = torch.load(path, map_location=device, weights_only=False)
    if ckpt["fingerprint"] != fingerprint:
        log.warning("checkpoint %s was made with other settings; starting afresh", path)
        return [], 0
    for name, obj in states.items():
        obj.load_state_dict(ckpt[name])
    rng.bit_generator.state = ckpt["numpy_rng"]
    generator.set_state(ckpt["torch_rng"].cpu() if device.type == "cpu" else ckpt["torch_rng"])
    log.info("resuming from %s after epoch %d", path, ckpt["epoch"])
    return ckpt["history"], ckpt["epoch"]


def save(path: Path, fingerprint: str, states: dict, rng: np.random.Generator, generator: torch.Generator,
         history: list[dict], loss_csv: Path) -> None:
    """Write the loss history to ``loss_csv`` and the checkpoint after epoch ``len(history)``."""
    with atomic_output(loss_csv) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(history[0]))
        writer.writeheader()
        writer.writerows(history)
    with atomic_output(path) as tmp:
        torch.save({**{name: obj.state_dict() for name, obj in states.items()}, "numpy_rng": rng.bit_generator.state,
                    "torch_rng": generator.get_state(), "history": history, "epoch": len(history),
                    "fingerprint": fingerprint}, tmp)

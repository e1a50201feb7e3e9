"""Glitches in the neural posterior estimator's training data (``training.glitches``).

A pool of unit-SNR bursts per detector (from the GAN, gengli or the burst families) is
transformed once into whitened in-band frequency-domain data of the analysis segment, the
burst's window starting at the segment's start. Each batch then adds to every detector,
independently, a Poisson number (rate × the segment's untapered length) of them: each scaled
to an SNR drawn from p(ρ) ∝ ρ^alpha, moved to a uniform start inside the untapered part of the
segment by a phase (the shift theorem), and shifted like the data by the detector's time
proxy (:meth:`gwda.gw.simulator.Simulator.align_data`), before the projection onto the data
basis. The glitch's optimal SNR is its drawn one (to < 1 %, see
:func:`gwda.glitches.injection.in_segment`).
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.arrays import time_shift_factor
from ..glitches.injection import draw_snrs, in_segment
from ..gw.simulator import Simulator


class TrainingGlitches:
    def __init__(self, simulator: Simulator, make, window, classes: list[str], settings: dict,
                 rng: np.random.Generator, device: torch.device, pool: int = 512):
        self.sim, self.settings, self.device = simulator, settings, device
        d = simulator.domain
        self.first, self.last = d.roll_off, d.duration - d.roll_off - window.duration
        if self.last <= self.first:
            raise ValueError(f"a {window.duration} s glitch window does not fit in the untapered part of the "
                             f"{d.duration} s segment")
        names = [classes[i % len(classes)] for i in range(pool)]
        self.pool = {ifo: torch.as_tensor(np.stack([in_segment(b, 0.0, 1.0, d) for b in make(names, rng, ifo)]),
                                          dtype=torch.complex64, device=device) for ifo in simulator.ifos}
        self.freqs = torch.as_tensor(simulator.freqs, device=device)
        self.rate = float(settings["rate"]) * (self.last + window.duration - self.first)

    def draw(self, n: int, rng: np.random.Generator) -> dict[str, dict[str, np.ndarray]]:
        """Per detector: the row, pool index, SNR and start (s from the segment's start) of each glitch."""
        out = {}
        for ifo in self.sim.ifos:
            rows = np.repeat(np.arange(n), rng.poisson(self.rate, n))
            out[ifo] = {"row": rows, "index": rng.integers(0, len(self.pool[ifo]), rows.size),
                        "snr": draw_snrs(rng, rows.size, self.settings["snr"]),
                        "start": rng.uniform(self.first, self.last, rows.size)}
        return out

    def add(self, whitened: dict[str, torch.Tensor], proxies: dict[str, torch.Tensor], rng: np.random.Generator
            ) -> tuple[dict[str, torch.Tensor], dict]:
        """``whitened`` (rows: aligned on ``proxies``) plus glitches (module doc), and what was drawn."""
        n = next(iter(whitened.values())).shape[0]
        drawn = self.draw(n, rng)
        out = {}
        for ifo, x in whitened.items():
            g = drawn[ifo]
            if g["row"].size == 0:
                out[ifo] = x
                continue
            rows = torch.as_tensor(g["row"], device=self.device)
            # Start the window at `start`, then undo the proxy's shift as the data's alignment does.
            shift = torch.as_tensor(g["start"], device=self.device) - proxies[ifo].double()[rows]
            snr = torch.as_tensor(g["snr"], device=self.device)[:, None]
            glitch = self.pool[ifo][torch.as_tensor(g["index"], device=self.device)] \
                * time_shift_factor(self.freqs, shift, torch.float32, snr)
            out[ifo] = x.index_add(0, rows, glitch.to(x.dtype))
        return out, drawn

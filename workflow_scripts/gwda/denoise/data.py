"""Examples for the denoiser: (whitened data, whitened signal) windows per detector.

A signal is a binary-black-hole waveform from the project's simulator (the event's PSDs and
prior; the intrinsic part from the training waveforms or freshly generated), projected onto
the detectors and whitened, scaled to an optimal network SNR drawn uniformly from
``denoiser.snr``, and shifted in time, the same for every detector, so that its merger at the
geocentre falls at a uniform fraction ``denoiser.merger_range`` of the window (the prior's
``geocent_time`` is not used). A fraction
``noise_only_fraction`` of the examples have no signal (the right answer is then zero).
The data add white Gaussian noise (:mod:`gwda.denoise.window` for its level) and, independently
in each detector, a Poisson number of glitches (``denoiser.glitches.rate`` per second) of
unit-SNR bursts scaled to an SNR drawn from a power law, at uniform positions inside the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.arrays import time_shift_factor
from ..glitches.families import unit_snr
from ..glitches.injection import add_burst, draw_snrs
from ..gw.priors import Prior
from ..gw.simulator import Simulator
from ..gw.waveforms import angle_factors
from .window import DenoiserWindow


def resample(x: np.ndarray, n_out: int) -> np.ndarray:
    """Band-limited series (rows) resampled to ``n_out`` samples over the same span (Fourier
    interpolation; bins at and above the lower Nyquist frequency dropped). Sample values,
    and so the whitened-series scale, are kept."""
    n_in = x.shape[-1]
    keep = min(n_in, n_out) // 2      # bins below the lower Nyquist frequency
    spectrum = np.zeros(x.shape[:-1] + (n_out // 2 + 1,), dtype=complex)
    spectrum[..., :keep] = np.fft.rfft(x, axis=-1)[..., :keep]
    return np.fft.irfft(spectrum, n=n_out, axis=-1) * (n_out / n_in)


class GlitchPool:
    """Unit-SNR glitches at the denoiser's sample rate, drawn afresh by :meth:`refresh`
    (equal numbers of each class, per detector) and reused with random SNRs and positions."""

    def __init__(self, make, burst_domain, classes: list[str], sample_rate: float, size: int):
        self.make, self.burst_domain, self.classes = make, burst_domain, list(classes)
        d = burst_domain
        # The bursts' window at the denoiser's rate, whose band may lose the new Nyquist bin.
        self.domain = type(d)(d.duration, sample_rate, d.f_min, min(d.f_max, sample_rate / 2 - d.delta_f), 0.0)
        self.n_samples = self.domain.n_samples
        self.size = size
        self.bursts: dict[str, np.ndarray] = {}

    def refresh(self, detectors: list[str], rng: np.random.Generator) -> None:
        """New bursts per detector, resampled and scaled to unit SNR at the denoiser's rate."""
        names = [self.classes[i % len(self.classes)] for i in range(self.size)]
        self.bursts = {ifo: unit_snr(resample(self.make(names, rng, ifo), self.n_samples), self.domain)
                       for ifo in detectors}


@dataclass
class Examples:
    data: torch.Tensor                  # (n, detectors, samples): what the denoiser reads
    signal: torch.Tensor                # (n, detectors, samples): the answer
    snr: np.ndarray                     # optimal network SNR of each signal (0: noise only)
    glitches: torch.Tensor              # (n, detectors, samples): the glitches alone
    n_glitches: np.ndarray              # (n, detectors)


class DenoiserSimulation:
    """Draws :class:`Examples` for a simulator, prior and window (module doc)."""

    def __init__(self, simulator: Simulator, prior: Prior, window: DenoiserWindow, settings: dict,
                 pool: GlitchPool | None, device: torch.device):
        self.sim, self.prior, self.window, self.settings = simulator, prior, window, settings
        self.pool, self.device = pool, device
        self.freqs = torch.as_tensor(simulator.freqs, device=device)
        self.glitch_rate = float(settings["glitches"]["rate"]) if pool is not None else 0.0

    # -- signals (whitened, in-band, per detector) --------------------------------------
    def bank_signals(self, intrinsic: dict, coefficients: torch.Tensor, basis: torch.Tensor, idx: np.ndarray,
                     rng: np.random.Generator) -> dict[str, torch.Tensor]:
        """Signals of training waveforms ``idx`` (reduced-basis ``coefficients`` over ``basis``,
        intrinsic parameters ``intrinsic``) with extrinsic parameters drawn from the prior."""
        index = torch.as_tensor(idx, device=self.device)
        theta = {k: torch.as_tensor(p.sample(rng, idx.size), dtype=torch.float32, device=self.device)
                 for k, p in self.prior.priors.items() if k not in intrinsic}
        theta.update({k: v[index] for k, v in intrinsic.items()})
        theta["geocent_time"] = torch.zeros_like(theta["geocent_time"])     # placed by merger_range
        amplitude = coefficients[index] @ basis
        if self.sim.waveform.separable:
            plus, cross = angle_factors(theta["theta_jn"], theta["phase"], amplitude)
            return self.sim.project_amplitude(amplitude, plus, cross, theta)
        return self.sim.project(amplitude[:, 0], amplitude[:, 1], theta)

    def fresh_signals(self, n: int, rng: np.random.Generator) -> tuple[dict[str, torch.Tensor], dict]:
        """Signals of ``n`` parameter sets drawn from the prior, generated now (held out from
        any training waveform), and the parameters."""
        params = self.prior.sample(rng, n)
        params["geocent_time"] = np.zeros(n)                                 # placed by merger_range
        signals = self.sim.signal(params)
        return {ifo: torch.as_tensor(s, dtype=torch.complex64, device=self.device)
                for ifo, s in signals.items()}, params

    # -- examples -----------------------------------------------------------------------
    def examples(self, signals: dict[str, torch.Tensor], rng: np.random.Generator, generator: torch.Generator,
                 noise_only: np.ndarray | None = None, snr: np.ndarray | None = None,
                 glitches: bool = True, glitch_counts: np.ndarray | None = None) -> Examples:
        """Data and answers for ``signals`` (module doc). ``noise_only``: rows without signal
        (default: drawn at ``noise_only_fraction``); ``snr``: network SNRs (default: drawn);
        ``glitch_counts``: glitches per row and detector (default: Poisson draws)."""
        s = self.settings
        ifos = self.sim.ifos
        n = next(iter(signals.values())).shape[0]
        if noise_only is None:
            noise_only = rng.uniform(size=n) < s["noise_only_fraction"]
        if snr is None:
            snr = rng.uniform(s["snr"]["minimum"], s["snr"]["maximum"], n)
        snr = np.where(noise_only, 0.0, snr)
        lo, hi = s["merger_range"]
        shift = (rng.uniform(lo, hi, n) - 0.5 * (lo + hi)) * self.window.duration
        current = torch.sqrt(sum((signals[i].abs() ** 2).sum(-1) for i in ifos)).double()
        scale = torch.as_tensor(snr, device=self.device) / current
        factor = time_shift_factor(self.freqs, torch.as_tensor(shift, device=self.device), torch.float32,
                                   scale[:, None])
        target = torch.stack([self.window.cut(signals[i] * factor) for i in ifos], dim=1).float()
        noise_band = torch.randn((n, len(ifos), self.sim.n_bins, 2), generator=generator, device=self.device)
        noise = self.window.cut(torch.view_as_complex(noise_band)) * self.window.noise_std
        glitch, counts = self._glitches(n, rng, glitch_counts) if glitches else (None, np.zeros((n, len(ifos)), int))
        data = target + noise.float()
        if glitch is not None:
            data = data + glitch
        else:
            glitch = torch.zeros_like(data)
        return Examples(data, target, snr, glitch, counts)

    def _glitches(self, n: int, rng: np.random.Generator, counts: np.ndarray | None
                  ) -> tuple[torch.Tensor | None, np.ndarray]:
        ifos = self.sim.ifos
        if counts is None:
            counts = rng.poisson(self.glitch_rate * self.window.duration, (n, len(ifos)))
        if self.pool is None or not counts.any():
            return None, counts
        g = self.settings["glitches"]
        out = np.zeros((n, len(ifos), self.window.n_samples), dtype=np.float32)
        width = self.pool.n_samples
        for (row, k), count in np.ndenumerate(counts):
            bursts = self.pool.bursts[ifos[k]]
            for _ in range(count):
                burst = bursts[rng.integers(len(bursts))]
                rho = draw_snrs(rng, 1, g["snr"])[0]
                add_burst(out[row, k], burst, rng.integers(0, max(1, self.window.n_samples - width + 1)), rho)
        return torch.as_tensor(out, device=self.device), counts

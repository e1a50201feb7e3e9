"""A conditional Wasserstein GAN with gradient penalty (Gulrajani et al. 2017) for 1-D time
series, with checkpoint/resume.

The condition is a vector (e.g. a one-hot class and scaled physical parameters). The
generator maps a latent vector and the condition to a series through a linear layer and
blocks of (×2 nearest-neighbour upsampling, convolution, batch normalisation, LeakyReLU); the critic reads the series
with the condition broadcast as extra input channels, through
strided convolutions with LeakyReLU (no batch normalisation, which the gradient penalty
forbids), to one score. The critic is trained ``critic_steps`` times per generator step on
E[D(fake)] - E[D(real)] + λ E[(|∇D(x̂)| - 1)²] at points x̂ between real and fake series; the
generator on -E[D(fake)]. The Wasserstein loss is used rather than the cross-entropy loss of
the original GAN, which is known to be fragile on such data (mode collapse, vanishing
gradients); -(critic loss without the penalty) estimates the Wasserstein distance between
the real and generated distributions, and is logged per epoch.

With a paired condition (each real series has the condition it was made with), the generator
may also be trained on a multi-resolution STFT magnitude loss between what it makes for a
condition and the real series of that condition, as GAN vocoders are (Yamamoto et al. 2020;
Kong et al. 2020): it teaches the time–frequency shape that the condition fixes in a few
hundred steps, which the adversarial loss alone takes many thousands to find, while being
blind to what the condition leaves random (the phase, a noise burst's realisation), which
is left to the adversarial loss. Log magnitudes are floored at 1 % of the real
spectrogram's peak so that the loss weighs the burst rather than the empty time–frequency
plane around it.

Series are scaled by one number (``scale``, kept in the model) so that the training data
have unit standard deviation per sample. Where the data are known to be band-limited and of
fixed norm (``settings["band"]``: the rfft bins kept; ``settings["fixed_norm"]``), the
generator's output is projected onto such series (a fixed linear band-pass and a division by
the norm, both differentiable): it then learns shapes only, not the constraints.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from . import checkpoint

log = logging.getLogger(__name__)


class Generator(nn.Module):
    def __init__(self, n_samples: int, latent: int, n_conditions: int, channels: list[int], kernel: int = 9):
        super().__init__()
        self.start = n_samples // 2 ** len(channels)
        if self.start * 2 ** len(channels) != n_samples:
            raise ValueError(f"{n_samples} samples are not divisible by 2^{len(channels)} (one per generator block)")
        self.latent, self.channels = latent, channels
        self.input = nn.Linear(latent + n_conditions, channels[0] * self.start)
        # Nearest-neighbour upsampling then convolution, not a transposed convolution, whose
        # uneven overlap leaves a periodic ("checkerboard") pattern at high frequencies.
        self.blocks = nn.Sequential(*[
            nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2),
                          nn.BatchNorm1d(c_out), nn.LeakyReLU(0.2))
            for c_in, c_out in zip(channels, channels[1:] + [channels[-1]])])
        self.output = nn.Conv1d(channels[-1], 1, kernel, padding=kernel // 2)

    def forward(self, z: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        h = nn.functional.leaky_relu(self.input(torch.cat([z, condition], dim=1)), 0.2)
        return self.output(self.blocks(h.view(z.shape[0], self.channels[0], self.start)))[:, 0]


class Critic(nn.Module):
    def __init__(self, n_samples: int, n_conditions: int, channels: list[int], kernel: int = 9,
                 spectral: int = 0):
        super().__init__()
        layers, c_in = [], 1 + n_conditions
        for c_out in channels:
            layers += [nn.Conv1d(c_in, c_out, kernel, stride=2, padding=kernel // 2), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.output = nn.Linear(c_in * (n_samples // 2 ** len(channels)), 1)
        # Optional second view: the log power spectrum, where a faint broadband residue (far
        # below the peak, invisible in the time series) and a wrong central frequency are one
        # linear feature away.
        self.spectral = None
        if spectral:
            self.spectral = nn.Sequential(nn.Linear(n_samples // 2 + 1 + n_conditions, spectral), nn.LeakyReLU(0.2),
                                          nn.Linear(spectral, 1))

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        h = torch.cat([x[:, None], condition[:, :, None].expand(-1, -1, x.shape[-1])], dim=1)
        score = self.output(self.features(h).flatten(1))[:, 0]
        if self.spectral is not None:
            spectrum = torch.fft.rfft(x, dim=-1, norm="ortho")
            log_power = torch.log10(spectrum.real**2 + spectrum.imag**2 + 1e-6)
            score = score + self.spectral(torch.cat([log_power, condition], dim=1))[:, 0]
        return score


class ConditionalGAN(nn.Module):
    """Generator, critic and the data scale; ``settings``: n_samples, n_conditions, latent,
    generator_channels, critic_channels, kernel, and optionally band, fixed_norm."""

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = settings
        s = settings
        self.generator = Generator(s["n_samples"], s["latent"], s["n_conditions"], list(s["generator_channels"]),
                                   s["kernel"])
        self.critic = Critic(s["n_samples"], s["n_conditions"], list(s["critic_channels"]), s["kernel"],
                             s.get("critic_spectral", 0))
        self.register_buffer("scale", torch.ones(()))
        self.register_buffer("norm", torch.ones(()))          # L2 norm of the scaled data, if fixed

    def fake(self, z: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        """Generated series in the scaled units of training (projected, see module doc)."""
        x = self.generator(z, condition)
        band = self.settings.get("band")
        if band is not None:
            spectrum = torch.fft.rfft(x, dim=-1)
            keep = torch.zeros(spectrum.shape[-1], dtype=torch.bool, device=x.device)
            keep[band[0]:band[1]] = True
            x = torch.fft.irfft(spectrum * keep, n=x.shape[-1], dim=-1)
        if self.settings.get("fixed_norm"):
            x = x * (self.norm / x.norm(dim=-1, keepdim=True).clamp_min(1e-12))
        return x

    @torch.no_grad()
    def generate(self, conditions, generator: torch.Generator | None = None, batch: int = 4096) -> np.ndarray:
        """One series per row of ``conditions`` (numpy, the data's units), the generator's
        batch normalisation at its running statistics (so a series does not depend on its batch)."""
        was_training = self.training
        self.eval()
        try:
            return self._generate(conditions, generator, batch)
        finally:
            self.train(was_training)

    def _generate(self, conditions, generator, batch):
        conditions = torch.as_tensor(np.asarray(conditions), dtype=torch.float32, device=self.scale.device)
        out = []
        for start in range(0, conditions.shape[0], batch):
            cond = conditions[start:start + batch]
            z = torch.randn(cond.shape[0], self.settings["latent"], device=self.scale.device, generator=generator)
            out.append((self.fake(z, cond) / self.scale).cpu().numpy())
        return np.concatenate(out) if out else np.empty((0, self.settings["n_samples"]))


def gradient_penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, condition: torch.Tensor,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    eps = torch.rand(real.shape[0], 1, device=real.device, generator=generator)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(mixed, condition).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


LOG_FLOOR = 1e-2


def stft_loss(fake: torch.Tensor, real: torch.Tensor, sizes: tuple[int, ...]) -> torch.Tensor:
    """Multi-resolution STFT magnitude loss (Yamamoto et al. 2020, Parallel WaveGAN): per FFT
    size, the spectral convergence ‖|S_real| - |S_fake|‖ / ‖|S_real|‖ plus the mean absolute
    difference of log magnitudes, averaged over sizes (Hann windows, hop of a quarter); plus
    :func:`envelope_loss`, for bursts shorter than the shortest STFT segment."""
    total = 0.0
    for n in sizes:
        window = torch.hann_window(n, device=fake.device)
        spec = [torch.stft(x, n, hop_length=max(n // 4, 1), window=window, return_complex=True).abs()
                for x in (fake, real)]
        reference = torch.linalg.norm(spec[1], dim=(1, 2)).clamp_min(1e-8)
        convergence = torch.linalg.norm(spec[1] - spec[0], dim=(1, 2)) / reference
        floor = LOG_FLOOR * spec[1].amax(dim=(1, 2), keepdim=True)
        log_mag = (torch.log(spec[1] + floor) - torch.log(spec[0] + floor)).abs().mean(dim=(1, 2))
        total = total + (convergence + log_mag).mean()
    return total / len(sizes) + envelope_loss(fake, real)


def envelope(x: torch.Tensor) -> torch.Tensor:
    """|x + i H[x]|, the amplitude envelope (H the Hilbert transform), by FFT."""
    n = x.shape[-1]
    spectrum = torch.fft.fft(x, dim=-1)
    weight = torch.zeros(n, device=x.device)
    weight[0] = 1.0
    weight[1:(n + 1) // 2] = 2.0
    if n % 2 == 0:
        weight[n // 2] = 1.0
    return torch.fft.ifft(spectrum * weight, dim=-1).abs()


def envelope_loss(fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """Relative L1 distance of the amplitude envelopes: where and how long, blind to the phase."""
    e_fake, e_real = envelope(fake), envelope(real)
    return ((e_fake - e_real).abs().sum(dim=-1) / e_real.abs().sum(dim=-1).clamp_min(1e-8)).mean()


def train_gan(model: ConditionalGAN, series: np.ndarray, conditions: np.ndarray, settings: dict, seed: int,
              workdir: Path, loss_csv: Path, fingerprint: str, device: torch.device, progress: bool = True,
              exact: np.ndarray | None = None) -> dict:
    """Train on ``series`` (rows) with their ``conditions`` (rows); logged per epoch: the
    critic's Wasserstein estimate, the generator's adversarial loss -E[D(G)] and the paired
    loss (unweighted). ``settings``: epochs, batch_size,
    critic_steps, gradient_penalty, learning_rate_generator, learning_rate_critic, and
    optionally stft_loss (weight λ_s of :func:`stft_loss` between each generated series and
    the real series whose condition it was given, added to the generator's loss) with
    stft_sizes; ``exact`` marks rows whose series the condition fixes entirely (no random
    phase or noise): for them the paired loss also holds the relative L1 distance of the
    series, which the STFT and envelope losses, blind to the sign, cannot tell. Checkpoints
    after every epoch into ``workdir`` and resumes from it when called again with the same
    ``fingerprint`` (:mod:`gwda.core.checkpoint`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    ckpt_path = workdir / "checkpoint.pt"
    model.to(device)
    x_all = torch.as_tensor(series, dtype=torch.float32, device=device)
    c_all = torch.as_tensor(conditions, dtype=torch.float32, device=device)
    e_all = torch.as_tensor(np.zeros(len(series), bool) if exact is None else exact, device=device)
    model.scale.fill_(float(1.0 / x_all.std()))
    x_all = x_all * model.scale
    model.norm.fill_(float(x_all.norm(dim=-1).mean()))
    betas = (settings.get("adam_beta1", 0.0), 0.9)
    opt_g = torch.optim.Adam(model.generator.parameters(), lr=settings["learning_rate_generator"], betas=betas)
    opt_c = torch.optim.Adam(model.critic.parameters(), lr=settings["learning_rate_critic"], betas=betas)
    rng = np.random.default_rng([seed, 4])
    gen = torch.Generator(device=device).manual_seed(seed + 4)
    states = {"model": model, "opt_g": opt_g, "opt_c": opt_c}
    history, start_epoch = checkpoint.resume(ckpt_path, fingerprint, states, rng, gen, device)
    n, batch, steps = x_all.shape[0], settings["batch_size"], settings["critic_steps"]
    lam = settings["gradient_penalty"]
    lam_stft, stft_sizes = settings.get("stft_loss", 0.0), tuple(settings.get("stft_sizes", (16, 32, 64)))
    for epoch in range(start_epoch, settings["epochs"]):
        t0 = time.time()
        order = torch.as_tensor(rng.permutation(n), device=device)
        w_sum = g_sum = p_sum = 0.0
        count = 0
        batches = range(0, n - batch * steps + 1, batch * steps)
        for i in tqdm(batches, desc=f"epoch {epoch + 1}/{settings['epochs']}", disable=not progress,
                      mininterval=5, leave=False):
            idx_all = order[i:i + steps * batch]
            cond_all = c_all[idx_all]
            with torch.no_grad():                 # the fakes of all critic steps in one pass
                z = torch.randn(idx_all.numel(), model.settings["latent"], device=device, generator=gen)
                fakes = model.fake(z, cond_all)
            for k in range(steps):
                part = slice(k * batch, (k + 1) * batch)
                real, cond, fake = x_all[idx_all[part]], cond_all[part], fakes[part]
                wasserstein = model.critic(real, cond).mean() - model.critic(fake, cond).mean()
                loss_c = -wasserstein + lam * gradient_penalty(model.critic, real, fake, cond, gen)
                opt_c.zero_grad()
                loss_c.backward()
                opt_c.step()
            cond = c_all[order[i:i + batch]]
            z = torch.randn(cond.shape[0], model.settings["latent"], device=device, generator=gen)
            fake = model.fake(z, cond)
            adversarial = -model.critic(fake, cond).mean()
            paired = torch.zeros((), device=device)
            if lam_stft:
                real = x_all[order[i:i + batch]]
                paired = stft_loss(fake, real, stft_sizes)
                fixed = e_all[order[i:i + batch]]
                if fixed.any():
                    distance = (fake[fixed] - real[fixed]).abs().sum(dim=-1) / real[fixed].abs().sum(dim=-1)
                    paired = paired + distance.sum() / fixed.numel()
            loss_g = adversarial + lam_stft * paired
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            w_sum += float(wasserstein.detach())
            g_sum += float(adversarial.detach())
            p_sum += float(paired.detach())
            count += 1
        row = {"epoch": epoch + 1, "wasserstein": w_sum / max(count, 1), "generator_loss": g_sum / max(count, 1),
               "paired_loss": p_sum / max(count, 1), "seconds": time.time() - t0}
        history.append(row)
        log.info("epoch %d: Wasserstein estimate %.4f, generator loss %.4f, paired loss %.4f (%.1f s)", epoch + 1,
                 row["wasserstein"], row["generator_loss"], row["paired_loss"], row["seconds"])
        checkpoint.save(ckpt_path, fingerprint, states, rng, gen, history, loss_csv)
    return {"history": history, "resumed_from": start_epoch}

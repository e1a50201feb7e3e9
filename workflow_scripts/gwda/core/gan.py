"""A conditional Wasserstein GAN with gradient penalty (Gulrajani et al. 2017) for 1-D time
series, with checkpoint/resume.

The generator maps a latent vector and a one-hot condition (the class) to a series through a
linear layer and blocks of (×2 nearest-neighbour upsampling, convolution, LeakyReLU); the
critic reads the series with the condition broadcast as extra input channels, through
strided convolutions with LeakyReLU (no batch normalisation, which the gradient penalty
forbids), to one score. The critic is trained ``critic_steps`` times per generator step on
E[D(fake)] - E[D(real)] + λ E[(|∇D(x̂)| - 1)²] at points x̂ between real and fake series; the
generator on -E[D(fake)]. The Wasserstein loss is used rather than the cross-entropy loss of
the original GAN, which is known to be fragile on such data (mode collapse, vanishing
gradients); -(critic loss without the penalty) estimates the Wasserstein distance between
the real and generated distributions, and is logged per epoch.

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
    def __init__(self, n_samples: int, latent: int, n_classes: int, channels: list[int], kernel: int = 9):
        super().__init__()
        self.start = n_samples // 2 ** len(channels)
        if self.start * 2 ** len(channels) != n_samples:
            raise ValueError(f"{n_samples} samples are not divisible by 2^{len(channels)} (one per generator block)")
        self.latent, self.channels = latent, channels
        self.input = nn.Linear(latent + n_classes, channels[0] * self.start)
        blocks = []
        for c_in, c_out in zip(channels, channels[1:] + [channels[-1]]):
            blocks += [nn.Upsample(scale_factor=2), nn.Conv1d(c_in, c_out, kernel, padding=kernel // 2),
                       nn.BatchNorm1d(c_out), nn.LeakyReLU(0.2)]
        self.blocks = nn.Sequential(*blocks)
        self.output = nn.Conv1d(channels[-1], 1, kernel, padding=kernel // 2)

    def forward(self, z: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        h = nn.functional.leaky_relu(self.input(torch.cat([z, condition], dim=1)), 0.2)
        h = self.blocks(h.view(z.shape[0], self.channels[0], self.start))
        return self.output(h)[:, 0]


class Critic(nn.Module):
    def __init__(self, n_samples: int, n_classes: int, channels: list[int], kernel: int = 9):
        super().__init__()
        layers, c_in = [], 1 + n_classes
        for c_out in channels:
            layers += [nn.Conv1d(c_in, c_out, kernel, stride=2, padding=kernel // 2), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.output = nn.Linear(c_in * (n_samples // 2 ** len(channels)), 1)

    def forward(self, x: torch.Tensor, condition: torch.Tensor) -> torch.Tensor:
        h = torch.cat([x[:, None], condition[:, :, None].expand(-1, -1, x.shape[-1])], dim=1)
        return self.output(self.features(h).flatten(1))[:, 0]


class ConditionalGAN(nn.Module):
    """Generator, critic and the data scale; ``settings``: n_samples, n_classes, latent,
    generator_channels, critic_channels, kernel."""

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = settings
        s = settings
        self.generator = Generator(s["n_samples"], s["latent"], s["n_classes"], list(s["generator_channels"]),
                                   s["kernel"])
        self.critic = Critic(s["n_samples"], s["n_classes"], list(s["critic_channels"]), s["kernel"])
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

    def one_hot(self, labels: torch.Tensor) -> torch.Tensor:
        return nn.functional.one_hot(labels.long(), self.settings["n_classes"]).float()

    @torch.no_grad()
    def generate(self, labels, generator: torch.Generator | None = None, batch: int = 4096) -> np.ndarray:
        """One series per label (numpy, the data's units), the generator's batch
        normalisation at its running statistics (so a series does not depend on its batch)."""
        was_training = self.training
        self.eval()
        try:
            return self._generate(labels, generator, batch)
        finally:
            self.train(was_training)

    def _generate(self, labels, generator, batch):
        labels = torch.as_tensor(np.asarray(labels), device=self.scale.device)
        out = []
        for start in range(0, labels.shape[0], batch):
            lab = labels[start:start + batch]
            z = torch.randn(lab.shape[0], self.settings["latent"], device=self.scale.device, generator=generator)
            out.append((self.fake(z, self.one_hot(lab)) / self.scale).cpu().numpy())
        return np.concatenate(out) if out else np.empty((0, self.settings["n_samples"]))


def gradient_penalty(critic: Critic, real: torch.Tensor, fake: torch.Tensor, condition: torch.Tensor,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    eps = torch.rand(real.shape[0], 1, device=real.device, generator=generator)
    mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(mixed, condition).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def train_gan(model: ConditionalGAN, series: np.ndarray, labels: np.ndarray, settings: dict, seed: int,
              workdir: Path, loss_csv: Path, fingerprint: str, device: torch.device, progress: bool = True) -> dict:
    """Train on ``series`` (rows) with class ``labels``; ``settings``: epochs, batch_size,
    critic_steps, gradient_penalty, learning_rate_generator, learning_rate_critic. Checkpoints
    after every epoch into ``workdir`` and resumes from it when called again with the same
    ``fingerprint`` (:mod:`gwda.core.checkpoint`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    ckpt_path = workdir / "checkpoint.pt"
    model.to(device)
    x_all = torch.as_tensor(series, dtype=torch.float32, device=device)
    y_all = torch.as_tensor(labels, device=device)
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
    for epoch in range(start_epoch, settings["epochs"]):
        t0 = time.time()
        order = torch.as_tensor(rng.permutation(n), device=device)
        w_sum = g_sum = 0.0
        count = 0
        batches = range(0, n - batch * steps + 1, batch * steps)
        for i in tqdm(batches, desc=f"epoch {epoch + 1}/{settings['epochs']}", disable=not progress,
                      mininterval=5, leave=False):
            idx_all = order[i:i + steps * batch]
            cond_all = model.one_hot(y_all[idx_all])
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
            cond = model.one_hot(y_all[order[i:i + batch]])
            z = torch.randn(cond.shape[0], model.settings["latent"], device=device, generator=gen)
            loss_g = -model.critic(model.fake(z, cond), cond).mean()
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            w_sum += float(wasserstein.detach())
            g_sum += float(loss_g.detach())
            count += 1
        row = {"epoch": epoch + 1, "wasserstein": w_sum / max(count, 1), "generator_loss": g_sum / max(count, 1),
               "seconds": time.time() - t0}
        history.append(row)
        log.info("epoch %d: Wasserstein estimate %.4f, generator loss %.4f (%.1f s)", epoch + 1,
                 row["wasserstein"], row["generator_loss"], row["seconds"])
        checkpoint.save(ckpt_path, fingerprint, states, rng, gen, history, loss_csv)
    return {"history": history, "resumed_from": start_epoch}

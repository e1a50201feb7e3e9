"""Figures of the transient-noise stage: real vs generated bursts, their physical parameters,
the GAN's losses, and simulated noise with injected glitches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import spectrogram

from ..gw.domain import FrequencyDomain
from .style import COLORS, plt, save

REAL, GENERATED = "#333333", "#d95f02"


def _tf_map(ax, x: np.ndarray, sample_rate: float, f_max: float, t0: float = 0.0) -> None:
    """Spectrogram (16 ms Hann segments, 90 % overlap) of whitened series ``x``."""
    n = int(round(0.016 * sample_rate))
    f, t, s = spectrogram(x, fs=sample_rate, nperseg=n, noverlap=int(0.9 * n), window="hann")
    keep = f <= f_max
    ax.pcolormesh(t + t0, f[keep], s[keep], shading="auto", cmap="viridis")
    ax.set_ylabel("frequency [Hz]")
    ax.grid(False)


def real_vs_generated(real: np.ndarray, real_y: np.ndarray, fake: np.ndarray, fake_y: np.ndarray,
                      classes: tuple[str, ...], domain: FrequencyDomain, png_path: Path | str,
                      per_class: int = 2) -> None:
    """Per class: ``per_class`` real and generated whitened series, each with its time-frequency map."""
    f_show = min(domain.f_max, 600.0)
    t = np.arange(domain.n_samples) / domain.sample_rate
    cols = 4 * per_class
    fig, axes = plt.subplots(len(classes), cols, figsize=(2.6 * cols, 2.2 * len(classes)), squeeze=False)
    for row, cls in enumerate(classes):
        for kind, (x, y, color) in enumerate(((real, real_y, REAL), (fake, fake_y, GENERATED))):
            picks = np.flatnonzero(y == row)[:per_class]
            for j, idx in enumerate(picks):
                col = kind * 2 * per_class + 2 * j
                ax = axes[row, col]
                ax.plot(t, x[idx], color=color, lw=0.7)
                ax.set_title(f"{cls} · {'real' if kind == 0 else 'GAN'}", fontsize=9)
                ax.set_yticks([])
                _tf_map(axes[row, col + 1], x[idx], domain.sample_rate, f_show)
                if row == len(classes) - 1:
                    ax.set_xlabel("time [s]")
                    axes[row, col + 1].set_xlabel("time [s]")
    fig.suptitle("Whitened bursts (unit optimal SNR): simulated training distribution vs GAN", y=1.0)
    fig.tight_layout()
    save(fig, png_path)


def parameter_histograms(real: dict, fake: dict, real_y: np.ndarray, fake_y: np.ndarray,
                         classes: tuple[str, ...], names: tuple[str, ...], metrics: dict,
                         png_path: Path | str) -> None:
    """Per class and physical parameter: histograms of the real and generated values (the
    estimator of :mod:`gwda.glitches.features`) with the KS p-value."""
    units = {"peak_time": "s", "central_frequency": "Hz", "bandwidth": "Hz", "duration": "s", "quality": ""}
    fig, axes = plt.subplots(len(classes), len(names), figsize=(3.0 * len(names), 2.3 * len(classes)),
                             squeeze=False)
    for row, cls in enumerate(classes):
        for col, name in enumerate(names):
            ax = axes[row, col]
            a, b = real[name][real_y == row], fake[name][fake_y == row]
            lo, hi = np.percentile(np.concatenate([a, b]), [0.5, 99.5])
            bins = np.linspace(lo, hi, 30) if hi > lo else 10
            ax.hist(a, bins=bins, histtype="step", color=REAL, density=True, label="real")
            ax.hist(b, bins=bins, histtype="step", color=GENERATED, density=True, label="GAN")
            p = metrics["classes"][cls]["parameters"][name]["ks_p"]
            ax.set_title(f"{cls}\nKS p = {p:.2g}", fontsize=8)
            ax.set_xlabel(f"{name} [{units[name]}]" if units[name] else name, fontsize=8)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    save(fig, png_path)


def gan_losses(losses_csv: Path | str, png_path: Path | str) -> None:
    """Per epoch: the critic's Wasserstein estimate, the generator's adversarial loss and the
    paired (STFT + envelope) loss."""
    h = pd.read_csv(losses_csv)
    panels = [("wasserstein", "critic's Wasserstein estimate", "k"),
              ("generator_loss", "adversarial loss  -E[D(G(z))]", GENERATED)]
    if "paired_loss" in h and h["paired_loss"].abs().sum() > 0:
        panels.append(("paired_loss", "paired STFT + envelope loss", "#1b9e77"))
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.5), squeeze=False)
    for ax, (key, label, color) in zip(axes[0], panels):
        ax.plot(h["epoch"], h[key], color=color)
        ax.set_ylabel(label)
        ax.set_xlabel("epoch")
    if len(panels) == 3:
        axes[0, 2].set_yscale("log")
    fig.suptitle(f"GAN training ({h['seconds'].sum():.0f} s)")
    fig.tight_layout()
    save(fig, png_path)


def noise_with_glitches(stretches: dict[str, np.ndarray], catalogue: pd.DataFrame, sample_rate: float,
                        f_max: float, title: str, png_path: Path | str, span: float = 4.0) -> None:
    """Per detector: ``span`` seconds of whitened simulated noise with injected glitches (time
    series, glitches marked with class and SNR) and its time-frequency map, the same span for
    every detector, centred on the loudest glitch."""
    dets = list(stretches)
    duration = min(x.size for x in stretches.values()) / sample_rate
    start = 0.0
    if len(catalogue):
        start = float(catalogue.loc[catalogue["snr"].idxmax(), "time"]) - span / 2
    start = max(0.0, min(start, duration - span))
    i0, i1 = int(start * sample_rate), int((start + span) * sample_rate)
    fig, axes = plt.subplots(2 * len(dets), 1, figsize=(12, 3.2 * len(dets)), squeeze=False, sharex=True)
    for k, det in enumerate(dets):
        x = stretches[det][i0:i1]
        t = start + np.arange(x.size) / sample_rate
        ax = axes[2 * k, 0]
        ax.plot(t, x, color=COLORS.get(det, "k"), lw=0.4)
        rows = catalogue[(catalogue["detector"] == det) & catalogue["time"].between(start, start + span)]
        for _, g in rows.iterrows():
            ax.axvline(g["time"], color="0.3", ls=":", lw=0.8)
            ax.text(g["time"], np.abs(x).max(), f" {g['class']}\n ρ={g['snr']:.0f}", fontsize=7, va="top")
        ax.set_ylabel(f"{det} whitened")
        _tf_map(axes[2 * k + 1, 0], x, sample_rate, min(f_max, 600.0), t0=start)
    axes[-1, 0].set_xlabel("time [s] from the start of the simulated stretch")
    fig.suptitle(title)
    fig.tight_layout()
    save(fig, png_path)

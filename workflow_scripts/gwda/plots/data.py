"""Figures of the data: the ASD of each detector, data against simulated noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from ..gw.psd import PSD
from .style import COLORS, plt, save


def _asd_axes(ax, f_min: float, f_max: float) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(max(f_min / 2, 5.0), f_max * 1.5)
    ax.axvspan(f_min, f_max, color="0.9", zorder=0, label="analysis band")
    ax.set_xlabel("Frequency [Hz]")
    ax.set_ylabel(r"ASD [strain / $\sqrt{\mathrm{Hz}}$]")


def _ylim(psds: list[PSD], f_min: float, f_max: float):
    vals = np.concatenate([p.asd[(p.frequencies >= f_min) & (p.frequencies <= f_max)] for p in psds])
    return vals.min() / 2, np.percentile(vals, 99.5) * 20


def asd_figure(psd: PSD, title: str, f_min: float, f_max: float, png_path: Path | str) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _asd_axes(ax, f_min, f_max)
    ax.plot(psd.frequencies[1:], psd.asd[1:], color=COLORS.get(psd.detector, "k"), lw=0.8,
            label=f"{psd.detector} ({psd.attrs.get('average', '')} Welch, "
                  f"{psd.attrs.get('n_averages', '?')} segments)")
    ax.set_ylim(*_ylim([psd], f_min, f_max))
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=9)
    save(fig, png_path)


def noise_comparison_figure(real: dict[str, PSD], simulated: dict[str, PSD],
                            whitened_real: dict[str, np.ndarray], whitened_sim: dict[str, np.ndarray],
                            title: str, f_min: float, f_max: float, png_path: Path | str) -> None:
    """Per detector: ASD of the data vs the simulated noise, and the whitened-value histograms."""
    dets = list(real)
    fig, axes = plt.subplots(len(dets), 2, figsize=(12, 4 * len(dets)), squeeze=False,
                             gridspec_kw={"width_ratios": [1.6, 1]})
    grid = np.linspace(-5, 5, 401)
    for row, det in enumerate(dets):
        ax = axes[row, 0]
        _asd_axes(ax, f_min, f_max)
        ax.plot(real[det].frequencies[1:], real[det].asd[1:], color=COLORS.get(det, "k"), lw=0.9,
                label=f"{det} data (off-source)")
        ax.plot(simulated[det].frequencies[1:], simulated[det].asd[1:], color="k", lw=0.6, alpha=0.7,
                label=f"{det} simulated Gaussian noise")
        ax.set_ylim(*_ylim([real[det], simulated[det]], f_min, f_max))
        ax.legend(loc="upper right", fontsize=9)
        ax.set_title(f"{title}: {det} amplitude spectral density")
        ax = axes[row, 1]
        bins = np.linspace(-5, 5, 81)
        for values, label, color in ((whitened_real[det], "data", COLORS.get(det, "k")),
                                     (whitened_sim[det], "simulated", "k")):
            x = np.concatenate([values.real.ravel(), values.imag.ravel()])
            ax.hist(x, bins=bins, density=True, histtype="step", color=color, lw=1.2,
                    label=f"{label} (var {x.var():.3f})")
        ax.plot(grid, stats.norm.pdf(grid), color="0.5", ls="--", label="N(0, 1)")
        ax.set_yscale("log")
        ax.set_ylim(1e-5, 1)
        ax.set_xlabel("whitened Re / Im part, in-band bins")
        ax.set_ylabel("probability density")
        ax.set_title(f"{det} whitened off-source noise")
        ax.legend(loc="lower center", fontsize=8)
    fig.tight_layout()
    save(fig, png_path)

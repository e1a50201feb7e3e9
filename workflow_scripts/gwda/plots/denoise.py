"""Figures of the denoiser: overlap against SNR, its training curves, and an event's whitened
strain with the Transformer's and the posterior's reconstructions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .diagnostics import loss_figure
from .posterior import SERIES_COLORS
from .style import COLORS, DISPLAY_BAND, plt, save

METHOD_STYLE = {"denoiser": ("Transformer denoiser", SERIES_COLORS[0]), "wiener": ("Wiener filter", SERIES_COLORS[1]),
                "data": ("whitened data (identity)", "0.5")}


def overlap_figure(snr: np.ndarray, overlaps: dict[str, np.ndarray], edges: list[float], title: str,
                   png_path: Path | str) -> None:
    """Median and 10–90 % band of the overlap with the true signal per SNR bin, per method."""
    edges = np.asarray(edges, dtype=float)
    centres = 0.5 * (edges[:-1] + edges[1:])
    fig, ax = plt.subplots(figsize=(7, 4.4))
    for key, values in overlaps.items():
        label, color = METHOD_STYLE.get(key, (key, "k"))
        stats = []
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (snr >= lo) & (snr <= hi)
            stats.append(np.percentile(values[sel], [10, 50, 90]) if sel.any() else [np.nan] * 3)
        q10, q50, q90 = np.array(stats).T
        ax.fill_between(centres, q10, q90, color=color, alpha=0.2, lw=0)
        ax.plot(centres, q50, "o-", color=color, label=label)
    ax.axhline(0.9, color="k", ls=":", lw=0.8)
    ax.set_xlabel("optimal network SNR")
    ax.set_ylabel("overlap with the true signal")
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.0)
    ax.legend(loc="lower right")
    ax.set_title(title)
    fig.tight_layout()
    save(fig, png_path)


def denoiser_losses(history: list[dict], title: str, png_path: Path | str) -> None:
    """Training and validation loss (squared error summed over the window, whitened units) and
    the validation median overlap per epoch."""
    loss_figure(history, title, png_path, loss_label=r"loss $\langle \sum_t (\hat h - h)^2 \rangle$", log_scale=True,
                right=("validation_median_overlap", "validation median overlap"), legend="center right")


def _band_pass(x: np.ndarray, rate: float, band: tuple[float, float]) -> np.ndarray:
    f = np.fft.rfftfreq(x.shape[-1], 1 / rate)
    return np.fft.irfft(np.fft.rfft(x, axis=-1) * ((f >= band[0]) & (f <= band[1])), n=x.shape[-1], axis=-1)


def denoised_strain(times: np.ndarray, data: dict, denoised: dict, posterior: dict, analysis_band: tuple[float, float],
                    title: str, png_path: Path | str, show: tuple[float, float] = (-0.2, 0.05)) -> None:
    """Per detector: whitened data, the 90 % band of posterior waveforms (rows of
    ``posterior[ifo][0]``) and the maximum-likelihood one (``posterior[ifo][1]``), and the
    denoiser's reconstruction, all band-passed alike for display."""
    rate = 1 / (times[1] - times[0])
    band = (max(DISPLAY_BAND[0], analysis_band[0]), min(DISPLAY_BAND[1], analysis_band[1]))
    sel = (times >= show[0]) & (times <= show[1])
    ifos = list(data)
    fig, axes = plt.subplots(len(ifos), 1, figsize=(9, 2.8 * len(ifos)), sharex=True, squeeze=False)
    for ax, ifo in zip(axes[:, 0], ifos):
        waves, ml = posterior[ifo]
        lo, hi = np.percentile(_band_pass(waves, rate, band)[:, sel], [5, 95], axis=0)
        ml = _band_pass(ml, rate, band)[sel]
        color = COLORS.get(ifo, "k")
        ax.plot(times[sel], _band_pass(data[ifo], rate, band)[sel], color="0.65", lw=0.7, label=f"{ifo} whitened data")
        ax.fill_between(times[sel], lo, hi, color=color, alpha=0.3, lw=0, label="posterior 90 %")
        ax.plot(times[sel], ml, color=color, lw=1.0, label="max. likelihood (posterior)")
        ax.plot(times[sel], _band_pass(denoised[ifo], rate, band)[sel], color="k", lw=1.1, ls="--",
                label="Transformer denoiser")
        ax.set_ylabel(r"whitened strain [$\sigma$]")
        ax.legend(loc="upper left", fontsize=8, ncol=2)
    axes[-1, 0].set_xlabel("time from trigger [s]")
    axes[0, 0].set_title(f"{title} ({band[0]:g}–{band[1]:g} Hz band-pass)")
    fig.tight_layout()
    save(fig, png_path)

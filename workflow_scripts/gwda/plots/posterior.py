"""Figures of the posterior: corner plot against references, sky map, whitened strain with
the reconstructed waveforms. Every figure is written as PNG and PDF (:func:`gwda.plots.style.save`)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.ticker
import numpy as np
from scipy.ndimage import gaussian_filter

from .style import COLORS, plt, save

LABELS = {
    "chirp_mass": r"$\mathcal{M}$ (detector) [M$_\odot$]",
    "chirp_mass_source": r"$\mathcal{M}$ (source) [M$_\odot$]",
    "mass_ratio": r"$q$",
    "chi_eff": r"$\chi_\mathrm{eff}$",
    "chi_1": r"$\chi_1$",
    "chi_2": r"$\chi_2$",
    "luminosity_distance": r"$d_L$ [Mpc]",
    "theta_jn": r"$\theta_{JN}$ [rad]",
    "ra": r"$\alpha$ [rad]",
    "dec": r"$\delta$ [rad]",
    "geocent_time": r"$t_c - t_\mathrm{trigger}$ [s]",
    "mass_1": r"$m_1$ (detector) [M$_\odot$]",
    "mass_2": r"$m_2$ (detector) [M$_\odot$]",
    "psi": r"$\psi$ [rad]",
}
#: Line colours of the analyses in every comparison figure.
SERIES_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _levels(hist: np.ndarray, fractions=(0.5, 0.9)) -> list[float]:
    """Density thresholds enclosing the given probability fractions of a 2-D histogram."""
    flat = np.sort(hist.ravel())[::-1]
    cum = np.cumsum(flat) / flat.sum()
    return sorted({float(flat[min(np.searchsorted(cum, f), flat.size - 1)]) for f in fractions})


def _finite(samples: dict[str, np.ndarray], parameters: list[str]) -> dict[str, np.ndarray]:
    present = [p for p in parameters if p in samples]
    ok = np.all([np.isfinite(samples[p]) for p in present], axis=0) if present else slice(None)
    return {p: np.asarray(samples[p])[ok] for p in present}


def corner_figure(series: dict[str, dict[str, np.ndarray]], parameters: list[str], title: str,
                  png_path: Path | str, bins: int = 40) -> None:
    """Overlaid corner plot: 1-D histograms on the diagonal, 50 % and 90 % contours below.
    ``series`` maps a label to samples; a parameter a series lacks is left out for it."""
    n = len(parameters)
    fig, axes = plt.subplots(n, n, figsize=(2.3 * n, 2.3 * n), squeeze=False)
    # Samples outside any physical range (e.g. q <= 0 from an untrained flow) have no
    # derived masses: drop non-finite rows series by series.
    series = {label: _finite(s, parameters) for label, s in series.items()}
    ranges = {}
    for p in parameters:
        values = np.concatenate([s[p] for s in series.values() if p in s])
        lo, hi = np.percentile(values, [0.5, 99.5])
        pad = 0.05 * (hi - lo) or 1e-3
        ranges[p] = (lo - pad, hi + pad)
    for i, pi in enumerate(parameters):
        for j, pj in enumerate(parameters):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            for k, (label, s) in enumerate(series.items()):
                color = SERIES_COLORS[k % len(SERIES_COLORS)]
                if i == j and pi in s:
                    ax.hist(s[pi], bins=bins, range=ranges[pi], density=True, histtype="step", color=color, lw=1.3)
                elif i != j and pi in s and pj in s:
                    h, xe, ye = np.histogram2d(s[pj], s[pi], bins=bins, range=[ranges[pj], ranges[pi]])
                    h = gaussian_filter(h, 1.0)
                    ax.contour(0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1]), h.T, levels=_levels(h),
                               colors=[color], linewidths=1.0)
            ax.set_xlim(ranges[pj])
            if i != j:
                ax.set_ylim(ranges[pi])
            ax.grid(False)
            ax.tick_params(labelsize=8)
            if i == n - 1:
                ax.set_xlabel(LABELS.get(pj, pj), fontsize=10)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(LABELS.get(pi, pi), fontsize=10)
            else:
                ax.set_yticklabels([])
            if i == j:
                ax.set_yticks([])
    handles = [plt.Line2D([], [], color=SERIES_COLORS[k % len(SERIES_COLORS)], lw=2) for k in range(len(series))]
    fig.legend(handles, list(series), loc="upper right", bbox_to_anchor=(0.98, 0.98), fontsize=11,
               title="contours: 50 %, 90 %", title_fontsize=9)
    fig.suptitle(title, x=0.02, ha="left", fontsize=13)
    fig.subplots_adjust(wspace=0.06, hspace=0.06)
    save(fig, png_path)


def sky_map_figure(series: dict[str, dict[str, np.ndarray]], title: str, png_path: Path | str) -> None:
    """Mollweide map of (ra, dec): the posterior density of the first series as an image,
    the 90 % region of every series as a contour. Right ascension increases to the left
    (as on the sky), in hours."""
    fig = plt.figure(figsize=(9, 5))
    ax = fig.add_subplot(projection="mollweide")
    lon_edges, lat_edges = np.linspace(-np.pi, np.pi, 121), np.linspace(-np.pi / 2, np.pi / 2, 61)
    for k, (label, s) in enumerate(series.items()):
        if "ra" not in s:
            continue
        s = _finite(s, ["ra", "dec"])
        lon = np.pi - np.mod(s["ra"], 2 * np.pi)          # ra = 0 h at the right edge, 24 h at the left
        h, _, _ = np.histogram2d(lon, s["dec"], bins=[lon_edges, lat_edges])
        h = gaussian_filter(h / np.cos(0.5 * (lat_edges[1:] + lat_edges[:-1]))[None], 1.0)
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        if k == 0:
            ax.pcolormesh(lon_edges, lat_edges, h.T, cmap="Blues", shading="flat", alpha=0.9)
        ax.contour(0.5 * (lon_edges[1:] + lon_edges[:-1]), 0.5 * (lat_edges[1:] + lat_edges[:-1]), h.T,
                   levels=_levels(h, (0.9,)), colors=[color], linewidths=1.2)
        ax.plot([], [], color=color, label=f"{label} (90 %)")
    ax.set_xticks(np.radians(np.arange(-150, 181, 30)))
    ax.set_xticklabels([f"{h}h" for h in range(22, -1, -2)], fontsize=8)
    ax.set_xlabel("right ascension")
    ax.set_ylabel("declination")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.22), ncol=3, fontsize=9)
    ax.set_title(title, pad=14)
    save(fig, png_path)


def whitened_strain_figure(times: np.ndarray, data: dict[str, np.ndarray], waveforms: dict[str, np.ndarray],
                           band: tuple[float, float], title: str, png_path: Path | str) -> None:
    """Per detector: band-passed whitened data (units of the noise standard deviation) and
    the median and 90 % band of the waveforms reconstructed from posterior samples."""
    ifos = list(data)
    fig, axes = plt.subplots(len(ifos), 1, figsize=(9, 2.8 * len(ifos)), sharex=True, squeeze=False)
    for ax, ifo in zip(axes[:, 0], ifos):
        ax.plot(times, data[ifo], color="0.55", lw=0.7, label=f"{ifo} whitened data")
        lo, med, hi = np.percentile(waveforms[ifo], [5, 50, 95], axis=0)
        color = COLORS.get(ifo, "k")
        ax.fill_between(times, lo, hi, color=color, alpha=0.35, lw=0, label="90 % of reconstructed waveforms")
        ax.plot(times, med, color=color, lw=1.2, label="median reconstruction")
        ax.set_ylabel(r"whitened strain [$\sigma$]")
        ax.legend(loc="upper left", fontsize=8, ncol=3)
    axes[-1, 0].set_xlabel("time from trigger [s]")
    axes[-1, 0].set_xlim(times[0], times[-1])
    axes[0, 0].set_title(f"{title} ({band[0]:g}–{band[1]:g} Hz band-pass)")
    fig.tight_layout()
    save(fig, png_path)


def _log_x_contours(ax, x: np.ndarray, y: np.ndarray, color: str, style: str, bins: int = 50) -> None:
    """The 50 % and 90 % regions of (x, y) as contours, x binned in log."""
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0)
    h, ue, ye = np.histogram2d(np.log(x[ok]), y[ok], bins=bins)
    h = gaussian_filter(h, 1.0)
    ax.contour(np.exp(0.5 * (ue[1:] + ue[:-1])), 0.5 * (ye[1:] + ye[:-1]), h.T, levels=_levels(h), colors=[color],
               linewidths=1.1, linestyles=style)


def catalogue_figure(events: dict[str, dict[str, np.ndarray]], references: dict[str, dict[str, np.ndarray]],
                     title: str, png_path: Path | str) -> None:
    """Every event's posterior side by side (solid) with its published one (dashed): chirp
    mass (detector and source frame) against mass ratio, χ_eff, d_L and the sky."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 8.5))
    panels = [("chirp_mass", "mass_ratio"), ("chirp_mass_source", "mass_ratio")]
    for k, (event, s) in enumerate(events.items()):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        ref = references.get(event)
        for ax, (px, py) in zip(axes[0, :2], panels):
            for samples, style in ((s, "solid"), (ref, "dashed")):
                if samples is not None and px in samples and py in samples:
                    _log_x_contours(ax, np.asarray(samples[px], float), np.asarray(samples[py], float), color, style)
        for ax, p in ((axes[0, 2], "chi_eff"), (axes[1, 0], "luminosity_distance")):
            for samples, style in ((s, "-"), (ref, "--")):
                if samples is not None and p in samples:
                    x = np.asarray(samples[p], float)
                    ax.hist(x[np.isfinite(x)], bins=40, density=True, histtype="step", color=color, ls=style, lw=1.3)
        sky = _finite(s, ["ra", "dec"])
        thin = sky["ra"][:2000], sky["dec"][:2000]
        axes[1, 1].scatter(np.degrees(thin[0]) / 15.0, np.degrees(thin[1]), s=1, color=color, alpha=0.3,
                           rasterized=True)
    for ax, (px, py) in zip(axes[0, :2], panels):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.tick_params(axis="x", which="minor", labelsize=8)
        ax.set_xlabel(LABELS[px])
        ax.set_ylabel(LABELS[py])
    axes[0, 2].set_xlabel(LABELS["chi_eff"])
    axes[1, 0].set_xlabel(LABELS["luminosity_distance"])
    for ax in (axes[0, 2], axes[1, 0]):
        ax.set_yticks([])
    axes[1, 1].set_xlim(24, 0)
    axes[1, 1].set_ylim(-90, 90)
    axes[1, 1].set_xlabel("right ascension [h]")
    axes[1, 1].set_ylabel("declination [deg]")
    axes[1, 2].axis("off")
    handles = [plt.Line2D([], [], color=SERIES_COLORS[k % len(SERIES_COLORS)], lw=2) for k in range(len(events))]
    handles += [plt.Line2D([], [], color="0.3", lw=1.3), plt.Line2D([], [], color="0.3", lw=1.3, ls="--")]
    axes[1, 2].legend(handles, [*events, "this analysis", "published"], loc="center", fontsize=11,
                      title="contours: 50 %, 90 %", title_fontsize=10)
    fig.suptitle(title, x=0.02, ha="left", fontsize=13)
    fig.tight_layout()
    save(fig, png_path)

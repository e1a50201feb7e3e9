"""Figures of the checks: training curves, P–P coverage, the summary table."""

from __future__ import annotations

from pathlib import Path

import matplotlib.ticker
import numpy as np

from ..core.coverage import BAND_CONFIDENCES, binomial_band, pp_curve
from .posterior import LABELS, SERIES_COLORS
from .style import plt, save


def loss_figure(history: list[dict], title: str, png_path: Path | str,
                loss_label: str = r"loss $-\langle \ln q(\theta \mid d) \rangle$ [nat]", log_scale: bool = False,
                right: tuple[str, str] = ("learning_rate", "learning rate"), legend: str = "upper right") -> None:
    """Training and validation loss per epoch (by default the flow's: negative log posterior
    density per sample, in its standardised coordinates) and, on the right axis, the column
    ``right[0]`` of the history (by default the learning rate)."""
    epoch = np.array([row["epoch"] for row in history], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(epoch, [row["train_loss"] for row in history], color=SERIES_COLORS[0], label="training")
    ax.plot(epoch, [row["validation_loss"] for row in history], color=SERIES_COLORS[1], label="validation")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(loss_label)
    other = ax.twinx()
    other.plot(epoch, [row[right[0]] for row in history], color="0.4", ls=":", label=right[1])
    other.set_ylabel(right[1], color="0.4")
    other.grid(False)
    lines = ax.get_lines() + other.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc=legend)
    ax.set_title(title)
    fig.tight_layout()
    save(fig, png_path)


def pp_figure(levels: dict[str, np.ndarray], pvalues: dict[str, float], combined: float, title: str,
              png_path: Path | str) -> None:
    """P–P plot: the empirical CDF of each parameter's credible levels with the 1σ, 2σ, 3σ
    binomial bands of a calibrated estimator; KS p-values in the legend."""
    n = len(next(iter(levels.values())))
    grid = np.linspace(0, 1, 201)
    fig, ax = plt.subplots(figsize=(6.2, 6.2))
    for confidence, shade in zip(BAND_CONFIDENCES, ("0.70", "0.80", "0.90")):
        lo, hi = binomial_band(n, grid, confidence)
        ax.fill_between(grid, lo, hi, color=shade, alpha=0.6, lw=0, zorder=0)
    cmap = plt.get_cmap("tab10")
    for k, (name, values) in enumerate(levels.items()):
        ax.plot(grid, pp_curve(values, grid), color=cmap(k % 10), lw=1.2,
                label=f"{LABELS.get(name, name)} ({pvalues[name]:.2f})")
    ax.plot([0, 1], [0, 1], color="k", lw=0.6, ls="--")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("credible level")
    ax.set_ylabel("fraction of injections within it")
    ax.legend(loc="upper left", fontsize=8, title=f"KS p-value; combined {combined:.3f}", title_fontsize=8)
    ax.set_title(f"{title}: {n} injections")
    fig.tight_layout()
    save(fig, png_path)


def table_figure(rows: list[list[str]], header: list[str], title: str, png_path: Path | str,
                 footnote: str = "") -> None:
    """A table rendered as a figure (for the report); header cells may hold two lines."""
    n_rows = len(rows) + 2                                  # the header takes two rows' height
    fig, ax = plt.subplots(figsize=(1.6 + 2.3 * (len(header) - 1), 0.32 * n_rows + 0.9))
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=header, cellLoc="center", bbox=[0, 0, 1, 1])
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    for (r, _), cell in table.get_celld().items():
        cell.set_height(2.0 / n_rows if r == 0 else 1.0 / n_rows)
        if r == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("0.9")
    ax.set_title(title, fontsize=12, pad=8)
    if footnote:
        ax.text(0.0, -0.04, footnote, transform=ax.transAxes, fontsize=8.5, color="0.3", ha="left", va="top",
                wrap=True)
    save(fig, png_path)


def robustness_figure(frame, parameters: list[str], biased: list[str], title: str, png_path: Path | str,
                      bins: int = 4) -> None:
    """90 % coverage (over all parameters) and median |bias| (posterior widths, per parameter)
    of posteriors with a glitch (solid), against the glitch's SNR and its distance from the
    merger, next to the same injections without the glitch (dashed, same bins)."""
    def inside(label):
        lv = np.stack([frame[f"{label}_level_{k}"].to_numpy() for k in parameters], axis=1)
        return (lv >= 0.05) & (lv <= 0.95)

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharey="row")
    for col, (key, xlabel) in enumerate((("glitch_snr", "glitch SNR"),
                                         ("glitch_offset", "|glitch time − merger time| [s]"))):
        x = np.abs(frame[key].to_numpy())
        edges = np.quantile(x, np.linspace(0, 1, bins + 1))
        which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
        centres = np.array([x[which == b].mean() for b in range(bins)])
        ax = axes[0, col]
        for label, style, name in (("glitch", "o-", "with the glitch"), ("clean", "s--", "without (same injections)")):
            covered = inside(label)
            ax.plot(centres, [covered[which == b].mean() for b in range(bins)], style,
                    color=SERIES_COLORS[1] if label == "glitch" else SERIES_COLORS[0], label=name)
        ax.axhline(0.9, color="k", ls=":", lw=0.8, label="nominal 90 %")
        ax.set_xlabel(xlabel)
        ax = axes[1, col]
        for j, k in enumerate(biased):
            color = SERIES_COLORS[j % len(SERIES_COLORS)]
            for label, style in (("glitch", "o-"), ("clean", "s--")):
                values = np.abs(frame[f"{label}_bias_{k}"].to_numpy())
                ax.plot(centres, [np.median(values[which == b]) for b in range(bins)], style, color=color,
                        lw=1.4 if label == "glitch" else 0.8, ms=5 if label == "glitch" else 3,
                        label=LABELS.get(k, k) if label == "glitch" else None)
        ax.set_xlabel(xlabel)
    axes[0, 0].set_ylabel("90 % interval coverage")
    axes[1, 0].set_ylabel("median |median − truth| / σ")
    axes[0, 0].legend(fontsize=8, loc="lower left")
    axes[1, 0].legend(fontsize=8, loc="upper left", ncol=2)
    fig.suptitle(title + f"; {len(frame) // bins} per bin")
    fig.tight_layout()
    save(fig, png_path)


def _median_and_interval(e: dict) -> str:
    digits = 3 if max(abs(e["median"]), 1e-12) < 10 else 1
    return f"{e['median']:.{digits}f} [{e['lower']:.{digits}f}, {e['upper']:.{digits}f}]"


def interval_table_figure(result: dict, series: dict, png_path: Path | str, title: str, foot: str) -> None:
    """Medians and 90 % intervals of each series and the JSDs of a comparison ``result``
    (``parameters``, ``intervals_90``, ``jsd_nat``), as a table figure."""
    labels, pairs = list(series), list(result["jsd_nat"])
    header = ["parameter"] + [f"{label}\nmedian [90 %]" for label in labels] + [f"JSD [mnat]\n{p}" for p in pairs]
    rows = []
    for p in result["parameters"]:
        row = [p] + [_median_and_interval(result["intervals_90"][label][p]) if p in result["intervals_90"][label]
                     else "–" for label in labels]
        row += [f"{1e3 * result['jsd_nat'][pair][p]:.1f}" if p in result["jsd_nat"][pair] else "–" for pair in pairs]
        rows.append(row)
    table_figure(rows, header, title, png_path, foot)


def search_figure(chirp_mass: np.ndarray, network_snr: np.ndarray, estimate: float, window: tuple[float, float],
                  title: str, png_path: Path | str) -> None:
    """The first search: every template's network SNR against its detector-frame chirp mass,
    the chirp-mass estimate and the training prior's window that follows from it."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ok = np.isfinite(network_snr)
    ax.scatter(chirp_mass[ok], network_snr[ok], s=4, color="0.45", alpha=0.6, rasterized=True, label="templates")
    ax.axvspan(*window, color="#1f77b4", alpha=0.15, label=f"prior window [{window[0]:.2f}, {window[1]:.2f}]")
    ax.axvline(estimate, color="#d62728", lw=1.3, label=f"estimate {estimate:.2f} M$_\\odot$")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.set_xlabel(LABELS["chirp_mass"])
    ax.set_ylabel("network SNR")
    ax.legend(loc="upper left", fontsize=9)
    ax.set_title(title)
    fig.tight_layout()
    save(fig, png_path)

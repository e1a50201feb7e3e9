"""The figures' common style (colours per detector, fonts) and :func:`save`: every figure
is written as PNG and, beside it, PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"H1": "#ee0000", "L1": "#4ba6ff", "V1": "#9b59b6", "K1": "#ffb200", "G1": "#222222"}
#: Band of the whitened-strain figures (as in the GW150914 discovery paper), clipped to the analysis band.
DISPLAY_BAND = (30.0, 350.0)
plt.rcParams.update({"font.size": 11, "axes.grid": True, "grid.alpha": 0.3})


def save(fig, png_path: Path | str) -> None:
    """Save ``fig`` as ``png_path`` and next to it as PDF."""
    png_path = Path(png_path)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png_path, dpi=150, bbox_inches="tight")
    fig.savefig(png_path.with_suffix(".pdf"), bbox_inches="tight")
    plt.close(fig)

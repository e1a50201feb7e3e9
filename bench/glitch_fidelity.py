"""Fidelity of a run's generated glitches to their conditions (:mod:`gwda.glitches.fidelity`):
per class, each generated burst against the formula at the parameters it was conditioned on,
the lattice scan of peak times and the mean-spectrum ratio, with the held-out real bursts at
their true parameters beside them. Reads the run's files (no training); prints a table and
appends to ``bench/results/glitch_fidelity.json``; asserts nothing.

    python bench/glitch_fidelity.py [--results results/glitches] [--out FILE.json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from gwda.glitches import evaluation, features
from gwda.io.glitch_files import read_bursts, read_generated, read_generated_parameters
from gwda.io.layout import glitch_file
from recording import save

from gwda.glitches.dataset import BurstSet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=None, help="a run's results/glitches directory")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    root = args.results.parent.parent if args.results else Path(".")
    held = BurstSet.read(glitch_file("heldout_set", root))
    generated = glitch_file("generated", root)
    fake, fake_y, _ = read_generated(generated)
    fake_p = read_generated_parameters(generated)
    real_peaks = features.measure(held.series, held.domain)["peak_time"]
    fake_peaks = features.measure(fake, held.domain)["peak_time"]
    rows, result = [], {}
    for i, cls in enumerate(held.classes):
        r, g = held.labels == i, fake_y == i
        m = evaluation.condition_fidelity(cls, held.series[r], {k: v[r] for k, v in held.parameters.items()},
                                          real_peaks[r], fake[g], {k: v[g] for k, v in fake_p.items()},
                                          fake_peaks[g], held.domain)
        result[cls] = m
        one = m.get("one_to_one", {})
        gen, real = one.get("generated", {}), one.get("real", {})
        rows.append((cls, gen.get("match_median"), gen.get("match_p10"), gen.get("match_shifted_median"),
                     gen.get("peak_residual_rms"), gen.get("f0_slope_worst"), real.get("match_p10"),
                     m["lattice_z"]["generated"]["max"], m["lattice_z"]["generated"]["period_of_max"],
                     m["lattice_z"]["real"]["max"], m["spectrum_ratio"]["generated"]["min"],
                     m["spectrum_ratio"]["generated"]["max"]))
    header = ("class", "match med", "match p10", "shifted med", "residual rms [ms]", "worst f0 slope", "real p10",
              "lattice z", "at P", "real z", "spec min", "spec max")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join("—" if v is None else (f"{1e3 * v:.3f}" if j == 4 else (f"{v:.4g}" if isinstance(v, float)
                                                                                  else str(v)))
                         for j, v in enumerate(row)))
    save("glitch_fidelity", {"classes": result, "targets": evaluation.TARGETS}, out=args.out,
         inputs={"heldout_set": glitch_file("heldout_set", root), "generated": generated},
         networks={"gan": glitch_file("gan_network", root)})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()

"""Do the tiny configuration's numbers stay the same? Runs the workflow on config/test.yaml
(the real GW150914 files in ../shared/data, the 2-OGC reference), condenses its outputs
into a table of numbers (PSDs, noise statistics, training losses, flow samples, importance
weights and evidence, P–P credible levels, JSDs) and compares them with
``bench/reference/tiny_config_outputs.json``, the same numbers from an earlier version of
the code. Prints the largest differences; asserts
nothing (other machines, BLAS builds or torch versions change the trained network's
numbers at the level of float noise and beyond).

    python bench/regression.py [--workdir DIR] [--reuse] [--write-reference]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
REFERENCE = ROOT / "bench" / "reference" / "tiny_config_outputs.json"
TRIGGER = 1126259462.4
QUANTILES = (5, 25, 50, 75, 95)


def run_workflow(workdir: Path) -> None:
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    config["data"]["local"]["directory"] = str(SHARED / "gwosc")
    # the stored numbers importance-sample the flow alone, as the pipeline did then
    config["inference"].update(time_tails=0.0, rebalance={"bins": {}, "time_window": False})
    config["validation"]["references"][0]["path"] = str(
        SHARED / "reference" / "H1L1V1-EXTRACT_POSTERIOR_150914_09H_50M_45UTC-0-1.hdf")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2", "--configfile",
           str(workdir / "config.yaml"), "-d", str(workdir)]
    subprocess.run(cmd, cwd=ROOT, check=True)


def column_stats(columns: dict, prefix: str) -> dict:
    out = {}
    for name, values in columns.items():
        x = np.asarray(values, float)
        x = x[np.isfinite(x)]
        out[f"{prefix}/{name}/mean"] = float(x.mean())
        out[f"{prefix}/{name}/std"] = float(x.std())
        for q, v in zip(QUANTILES, np.percentile(x, QUANTILES)):
            out[f"{prefix}/{name}/p{q}"] = float(v)
    return out


def structured(ds) -> dict:
    data = ds[()]
    return {k: data[k] for k in data.dtype.names}


def snapshot(event_dir: Path) -> dict:
    """The numbers of one run (results/GW150914) as a flat {key: float} table."""
    out = {}
    for ifo in ("H1", "L1"):
        with h5py.File(event_dir / "psd" / f"{ifo}_psd.hdf5") as fh:
            f, psd = fh["frequencies"][()], fh["psd"][()]
        band = np.flatnonzero((f >= 20) & (f <= 1024))[::64]
        out.update({f"psd/{ifo}/{f[i]:g}Hz": float(psd[i]) for i in band})
    noise = json.loads((event_dir / "noise" / "noise_summary.json").read_text())
    for ifo, entry in noise["detectors"].items():
        for kind, stats in entry.items():
            if isinstance(stats, dict):
                out.update({f"noise/{ifo}/{kind}/{k}": float(stats[k]) for k in ("mean", "variance", "ks_pvalue")})
    with h5py.File(event_dir / "training" / "waveforms.hdf5") as fh:
        out["waveforms/mismatch_max"] = float(fh.attrs["mismatch_max"])
        out["waveforms/mean_abs_coefficient"] = float(np.abs(fh["coefficients"][()]).mean())
    with open(event_dir / "model" / "loss.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            for key in ("train_loss", "validation_loss"):
                out[f"training/epoch{row['epoch']}/{key}"] = float(row[key])
    with h5py.File(event_dir / "posterior" / "npe_samples.hdf5") as fh:
        out.update(column_stats(structured(fh["samples"]), "flow_samples"))
    out.update(_posterior(event_dir / "posterior.hdf5"))
    pp = json.loads((event_dir / "validation" / "pp_test.json").read_text())
    out.update({f"pp/pvalue/{k}": v for k, v in pp["pvalues"].items()})
    out["pp/combined_pvalue"] = pp["combined_pvalue"]
    out.update({f"pp_is/pvalue/{k}": v for k, v in pp["importance_sampling"]["pvalues"].items()})
    out.update({f"pp_is/efficiency/{k}": v for k, v in pp["importance_sampling"]["sample_efficiency"].items()})
    with open(event_dir / "validation" / "pp_levels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out.update({f"pp/injection{row['injection']}/{k}": _pp_level(k, v) for k, v in row.items()
                        if k != "injection"})
    comparison = json.loads((event_dir / "validation" / "comparison.json").read_text())
    for pair, values in comparison["jsd_nat"].items():
        out.update({f"jsd/{pair}/{k}": v for k, v in values.items()})
    return out


def _posterior(path: Path) -> dict:
    from gwda.gw.conversions import from_release
    from gwda.io.samples import read_analyses, read_sampler_meta, read_weighted_samples

    out = {}
    for group, samples in read_analyses(path).items():
        out.update(column_stats(from_release(samples, TRIGGER), f"posterior/{group}"))
    weighted = read_weighted_samples(path)
    out.update(column_stats({k: weighted[k] for k in ("log_likelihood", "log_prior", "log_proposal")}, "weighted"))
    w = weighted["weights"]
    out["weighted/weights/sum_of_squares"] = float(np.sum(w**2))
    out["weighted/weights/max"] = float(w.max())
    sampler = read_sampler_meta(path, "NPE-IS")
    for key in ("log_evidence", "log_evidence_error", "sample_efficiency", "effective_sample_size",
                "log_bayes_factor"):
        out[f"importance_sampling/{key}"] = float(sampler[key])
    return out


def _pp_level(column: str, value: str) -> float:
    """A P–P table entry at the resolution the table had in the reference run."""
    x = float(value)
    if column == "network_snr":
        return round(x, 4)
    if column.startswith("level_"):
        return round(x, 5)
    return float(f"{x:.8g}")


#: The resolution of a GPS time near 1.1e9 s held as float64 (the posterior file holds GPS
#: ``geocent_time``; the snapshot subtracts the trigger time again).
GPS_RESOLUTION = 2.4e-7


def compare(now: dict, before: dict) -> list[tuple[str, float, float, float, bool]]:
    """(key, before, now, relative difference, within resolution) for every key of either
    table, largest difference first."""
    rows = []
    for key in sorted(set(now) | set(before)):
        a, b = before.get(key, np.nan), now.get(key, np.nan)
        if np.isnan(a) and np.isnan(b):
            diff = 0.0
        else:
            diff = abs(b - a) / max(abs(a), 1e-300) if np.isfinite(a) and np.isfinite(b) else np.inf
        resolved = "/geocent_time/" in key and key.startswith("posterior/") and abs(b - a) <= GPS_RESOLUTION
        rows.append((key, a, b, diff, diff == 0 or resolved))
    return sorted(rows, key=lambda r: -r[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gwda-regression"))
    parser.add_argument("--reuse", action="store_true", help="read an existing run in --workdir")
    parser.add_argument("--write-reference", action="store_true", help=f"store this run's numbers in {REFERENCE}")
    args = parser.parse_args()
    if not args.reuse:
        run_workflow(args.workdir)
    now = snapshot(args.workdir / "results" / "GW150914")
    if args.write_reference:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        REFERENCE.write_text(json.dumps({"made_by_commit": commit, "numbers": now}, indent=1) + "\n")
        print(f"wrote {len(now)} numbers to {REFERENCE}")
        return
    stored = json.loads(REFERENCE.read_text())
    rows = compare(now, stored["numbers"])
    exact = sum(r[3] == 0 for r in rows)
    resolved = sum(r[4] for r in rows) - exact
    print(f"{len(rows)} numbers of the tiny config compared with commit {stored['made_by_commit']}: "
          f"{exact} identical, {resolved} equal within the float64 resolution of GPS times "
          f"({GPS_RESOLUTION:g} s), {len(rows) - exact - resolved} different")
    print(f"{'key':<60}{'before':>20}{'now':>20}{'rel. diff':>12}")
    for key, a, b, diff, _ in rows[:15]:
        print(f"{key:<60}{a:>20.12g}{b:>20.12g}{diff:>12.3g}")


if __name__ == "__main__":
    main()

"""Do the tiny configuration's numbers stay the same? The workflow on config/test.yaml (the real
GW150914 files in ../shared/data, the 2-OGC reference) condensed into a table of numbers (PSDs,
noise statistics, waveforms, training losses, flow samples, posteriors, importance weights and
evidence, every P–P credible level, JSDs), compared with ``bench/reference/tiny_config_outputs.json``
within stated tolerances. ``tests/test_workflow.py`` runs the same comparison on its own run of the
real files, so a change of behaviour fails the suite.

Tolerances, per kind of number (:data:`KINDS`): what numpy, scipy and LALSuite compute alone (PSDs,
noise statistics, waveforms) is deterministic and must agree to 1e-9; everything downstream of
torch (training, sampling, importance sampling, P–P, JSDs) changes at the level of float rounding
with the order of summation. ``--write-reference`` measures that level: it runs the workflow with
1 and with 2 threads per job, and sets each kind's relative tolerance to 10 times the largest
relative difference between the two, and at least 1e-4 (float32 networks run by another CPU's
kernels round differently again); numbers within 1e-9 of their reference pass.

    python bench/regression.py [--workdir DIR] [--reuse]      # compare a fresh run
    python bench/regression.py --write-reference              # store this code's numbers
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
#: Kinds of numbers (the first part of a key) and whether they come out of numpy/LAL alone.
KINDS = {"psd": "exact", "noise": "exact", "waveforms": "exact", "training": "float", "flow_samples": "float",
         "posterior": "float", "weighted": "float", "importance_sampling": "float", "pp": "float", "pp_is": "float",
         "jsd": "float"}
#: Tolerance of the exact kinds; the floor of the measured ones and their absolute tolerance.
EXACT_RTOL = 1e-9
FLOAT_FLOOR = (1e-4, 1e-9)
#: Tolerance = this factor times the largest difference measured between 1 and 2 threads.
NOISE_FACTOR = 10.0


def tiny_config() -> dict:
    """config/test.yaml on the real GW150914 files with the 2-OGC reference (as the test runs it)."""
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    config["data"]["local"]["directory"] = str(SHARED / "gwosc")
    config["validation"]["references"] = [{"label": "2-OGC", "path": str(
        SHARED / "reference" / "H1L1V1-EXTRACT_POSTERIOR_150914_09H_50M_45UTC-0-1.hdf")}]
    return config


def run_workflow(workdir: Path, cores: int = 2) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(tiny_config()))
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", str(cores), "--configfile",
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


def kind(key: str) -> str:
    return key.split("/", 1)[0]


def differences(now: dict, before: dict) -> dict[str, tuple[float, float, float, float]]:
    """(before, now, |difference|, |difference| / |before|) of every key of either table."""
    out = {}
    for key in sorted(set(now) | set(before)):
        a, b = before.get(key, np.nan), now.get(key, np.nan)
        if np.isnan(a) and np.isnan(b):
            out[key] = (a, b, 0.0, 0.0)
        elif not (np.isfinite(a) and np.isfinite(b)):
            out[key] = (a, b, np.inf, np.inf)
        else:
            out[key] = (a, b, abs(b - a), abs(b - a) / abs(a) if a != 0 else (0.0 if b == 0 else np.inf))
    return out


def float_order_noise(one: dict, two: dict) -> dict[str, dict[str, float]]:
    """Per kind, the largest relative and absolute difference between two runs that differ only
    in the threads per job (the order of float summation)."""
    noise: dict[str, dict[str, float]] = {}
    for key, (_, _, absolute, relative) in differences(one, two).items():
        entry = noise.setdefault(kind(key), {"relative": 0.0, "absolute": 0.0})
        entry["relative"] = max(entry["relative"], relative)
        entry["absolute"] = max(entry["absolute"], absolute)
    return noise


def tolerances(noise: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each kind's tolerance: exact kinds 1e-9 relative; the others ten times the measured noise."""
    out = {}
    for name, how in KINDS.items():
        if how == "exact":
            out[name] = {"relative": EXACT_RTOL, "absolute": 0.0}
        else:
            measured = noise.get(name, {"relative": 0.0, "absolute": 0.0})
            out[name] = {"relative": max(NOISE_FACTOR * measured["relative"], FLOAT_FLOOR[0]),
                         "absolute": FLOAT_FLOOR[1]}
    return out


def check(now: dict, reference: dict) -> list[str]:
    """The numbers of ``now`` outside the reference's tolerances (a number passes when its
    difference is within the relative *or* the absolute tolerance of its kind); keys that appear
    or disappear fail too."""
    failures = []
    tol = reference["tolerances"]
    for key, (a, b, absolute, relative) in differences(now, reference["numbers"]).items():
        limits = tol.get(kind(key))
        if limits is None:
            failures.append(f"{key}: no tolerance for its kind")
        elif not (relative <= limits["relative"] or absolute <= limits["absolute"]):
            failures.append(f"{key}: reference {a:.10g}, now {b:.10g} (relative {relative:.3g}, absolute "
                            f"{absolute:.3g}; tolerance {limits['relative']:.3g} / {limits['absolute']:.3g})")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gwda-regression"))
    parser.add_argument("--reuse", action="store_true", help="read existing runs in --workdir")
    parser.add_argument("--record", action="store_true",
                        help="append the comparison (numbers outside tolerance, by kind) to bench/results/regression.json")
    parser.add_argument("--write-reference", action="store_true",
                        help=f"store this code's numbers and measured tolerances in {REFERENCE}")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "workflow_scripts"))
    from gwda.io.layout import event_dir
    from gwda.provenance import provenance

    two = args.workdir / "threads2"
    if not args.reuse:
        run_workflow(two, cores=2)
    now = snapshot(event_dir("GW150914", two))
    if args.write_reference:
        one = args.workdir / "threads1"
        if not args.reuse:
            run_workflow(one, cores=1)
        noise = float_order_noise(snapshot(event_dir("GW150914", one)), now)
        reference = {"provenance": provenance(config=tiny_config()), "float_order_noise": noise,
                     "noise_factor": NOISE_FACTOR, "tolerances": tolerances(noise), "numbers": now}
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_text(json.dumps(reference, indent=1) + "\n")
        print(f"wrote {len(now)} numbers to {REFERENCE}")
        for name, limits in reference["tolerances"].items():
            print(f"  {name:<20} relative {limits['relative']:.3g}  absolute {limits['absolute']:.3g}"
                  f"  (1 vs 2 threads: {noise.get(name, {}).get('relative', 0):.3g})")
        return
    reference = json.loads(REFERENCE.read_text())
    failures = check(now, reference)
    print(f"{len(now)} numbers of the tiny config against {REFERENCE.name} "
          f"(commit {reference['provenance']['git']['commit'][:10]}): {len(failures)} outside tolerance")
    for line in failures[:30]:
        print("  " + line)
    if args.record:
        from gwda.provenance import record

        by_kind: dict[str, int] = {}
        for line in failures:
            by_kind[kind(line.split(":")[0])] = by_kind.get(kind(line.split(":")[0]), 0) + 1
        block = provenance(config=tiny_config())
        block["reference_commit"] = reference["provenance"]["git"]["commit"]
        record(ROOT / "bench" / "results" / "regression.json",
               {"numbers": len(now), "outside_tolerance": len(failures), "by_kind": by_kind,
                "first": failures[:10]}, block)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

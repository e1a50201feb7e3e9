"""Benchmark of the data stage: time and peak memory of reading strain, the median-Welch
PSD and the noise simulation, at the default scale (1024 s of PSD data, 4 s segments) on
synthetic GWOSC-format files. Prints a table; asserts nothing.

    python bench/data_stage.py [--psd-seconds 1024]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from gwda.config import validate_config
from gwda.gw import noise
from gwda.gw import psd as psd_mod
from gwda.gw.domain import FrequencyDomain
from gwda.gw.segments import analysis_spans
from gwda.io import strain
from gwda.io.synthetic import write_gwosc_files

TRIGGER = 1126259462.4


def measure(label, func, rows):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = func()
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rows.append((label, dt, peak))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--psd-seconds", type=int, default=1024)
    parser.add_argument("--realisations", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = validate_config({"data": {"source": "local", "local": {"directory": tmp},
                                           "psd": {"duration": args.psd_seconds}}})
        spans = analysis_spans(TRIGGER, config["data"])
        start = int(spans.fetch.start) - 2
        write_gwosc_files(Path(tmp), start, int(spans.fetch.duration) + 4, detectors=("H1",))
        domain = FrequencyDomain.from_settings(config["data"])
        rows: list = []
        s = measure("read + check strain (H1)", lambda: strain.load("H1", spans.fetch, config["data"]), rows)
        chunks = [s.crop(c) for c in spans.psd_chunks]
        p = measure("median-Welch PSD", lambda: psd_mod.estimate(chunks, "H1", domain, config["data"]["psd"]), rows)
        rng = np.random.default_rng(0)
        measure(f"{args.realisations} FD noise realisations",
                lambda: noise.frequency_domain_noise(p.values, domain, args.realisations, rng), rows)
        measure(f"{args.psd_seconds} s TD noise", lambda: noise.time_domain_noise(
            p.frequencies, p.values, args.psd_seconds, domain.sample_rate, rng), rows)
    print(f"data stage, {args.psd_seconds} s of PSD data at 4096 Hz, {p.attrs['n_averages']} Welch segments")
    print(f"{'step':<32}{'time [s]':>10}{'peak [MiB]':>12}")
    for label, dt, peak in rows:
        print(f"{label:<32}{dt:>10.3f}{peak:>12.1f}")


if __name__ == "__main__":
    main()

"""Strain for one detector over a GPS span: from local files or GWOSC, checked, written.

The checks run before any heavy work downstream: every sample of the span must be covered
by a file, finite and not a run of exact zeros, and (per config) every second must pass
the required GWOSC data-quality flags. Errors name the detector, the file and the GPS span.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import h5py
import numpy as np

from ..gw.segments import Span
from ..runtime import atomic_output, set_attrs
from .gwosc_files import DataError, Strain, parse_name, read_file
from .hdf5 import write_dataset

log = logging.getLogger(__name__)

#: A run of exact zeros at least this long (seconds) is treated as missing data.
ZERO_RUN_SECONDS = 1.0 / 16


def find_local_files(directory: Path | str, detector: str, span: Span) -> list[Path]:
    """GWOSC-named files in ``directory`` (recursively) for ``detector`` overlapping ``span``.

    Raises :class:`DataError` naming the detector and the uncovered GPS interval(s).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"local data directory {directory} does not exist")
    names = [n for p in sorted(directory.rglob("*")) if (n := parse_name(p)) and n.detector == detector]
    overlapping = sorted((n for n in names if n.end > span.start and n.start < span.end),
                         key=lambda n: n.start)
    # Files for the same span in two formats: keep one (HDF5 before GWF in sort order).
    chosen, missing, cursor = [], [], span.start
    for name in overlapping:
        if name.end <= cursor:
            continue
        if name.start > cursor:
            missing.append(Span(cursor, min(name.start, span.end)))
        chosen.append(name.path)
        cursor = name.end
    if cursor < span.end:
        missing.append(Span(cursor, span.end))
    if missing:
        gaps = ", ".join(str(m) for m in missing)
        raise DataError(
            f"{detector}: no file in {directory} covers GPS {gaps} (needed: {span}; "
            f"found {len(names)} {detector} file(s))"
        )
    return chosen


def local_coverage(directory: Path | str, detector: str, gps_time: float) -> Span:
    """The GPS span covered without a gap by ``detector``'s GWOSC-named files in ``directory``
    around ``gps_time``. Raises :class:`DataError` if no file holds that time."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"local data directory {directory} does not exist")
    spans = sorted((n.start, n.end) for p in sorted(directory.rglob("*"))
                   if (n := parse_name(p)) and n.detector == detector)
    if not any(start <= gps_time < end for start, end in spans):
        raise DataError(f"{detector}: no file in {directory} holds GPS {gps_time} (found {len(spans)} "
                        f"{detector} file(s))")
    start = end = gps_time
    grown = True
    while grown:
        grown = False
        for s, e in spans:
            if s <= end and e > end:
                end, grown = e, True
            if e >= start and s < start:
                start, grown = s, True
    return Span(float(start), float(end))


def assemble(paths: list[Path], detector: str, span: Span, sample_rate: int) -> Strain:
    """Read ``paths`` and cut out ``span`` (integer GPS seconds), with quality masks."""
    n = int(round(span.duration * sample_rate))
    values = np.full(n, np.nan)
    n_sec = int(round(span.duration))
    dq = np.zeros(n_sec, dtype=np.uint32)
    inj = np.zeros(n_sec, dtype=np.uint32)
    dq_names: tuple[str, ...] = ()
    inj_names: tuple[str, ...] = ()
    has_dq = True
    for path in paths:
        f = read_file(path, detector)
        if f.sample_rate != sample_rate:
            raise DataError(
                f"{path}: sample rate {f.sample_rate:g} Hz, config data.sample_rate is {sample_rate} Hz"
            )
        offset = int(round((f.gps_start - span.start) * sample_rate))
        lo, hi = max(offset, 0), min(offset + f.values.size, n)
        if hi > lo:
            values[lo:hi] = f.values[lo - offset: hi - offset]
        if f.dq_mask is None:
            has_dq = False
            continue
        for mask, names, out, kind in ((f.dq_mask, f.dq_names, dq, "dq"), (f.inj_mask, f.inj_names, inj, "inj")):
            if mask is None:
                continue
            sec_off = int(round(f.gps_start - span.start))
            s_lo, s_hi = max(sec_off, 0), min(sec_off + mask.size, n_sec)
            if s_hi > s_lo:
                out[s_lo:s_hi] = mask[s_lo - sec_off: s_hi - sec_off]
            if kind == "dq":
                dq_names = names
            else:
                inj_names = names
    strain = Strain(detector, span.start, float(sample_rate), values, [str(p) for p in paths])
    if has_dq and dq_names:
        strain.dq_mask, strain.dq_names = dq, dq_names
        strain.inj_mask, strain.inj_names = (inj, inj_names) if inj_names else (None, ())
    check_values(strain, ", ".join(Path(p).name for p in paths))
    return strain


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the runs of True in ``flags``."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _describe(strain: Strain, runs: list[tuple[int, int]], scale: float) -> str:
    spans = [str(Span(strain.gps_start + a / scale, strain.gps_start + b / scale)) for a, b in runs[:5]]
    more = f" and {len(runs) - 5} more" if len(runs) > 5 else ""
    return ", ".join(spans) + more


def check_values(strain: Strain, files: str) -> None:
    """Refuse NaN/inf samples, uncovered samples and runs of exact zeros."""
    bad = ~np.isfinite(strain.values)
    if bad.any():
        raise DataError(
            f"{strain.detector}: {int(bad.sum())} missing or non-finite samples at GPS "
            f"{_describe(strain, _runs(bad), strain.sample_rate)} in {files}"
        )
    min_run = int(ZERO_RUN_SECONDS * strain.sample_rate)
    zero_runs = [r for r in _runs(strain.values == 0.0) if r[1] - r[0] >= min_run]
    if zero_runs:
        raise DataError(
            f"{strain.detector}: strain is exactly zero at GPS "
            f"{_describe(strain, zero_runs, strain.sample_rate)} in {files}"
        )


def check_quality(strain: Strain, require: list[str], on_fail: str) -> dict:
    """Check the required DQ flags every second; return a JSON-able record of the outcome."""
    record: dict = {"required": list(require), "available": strain.dq_mask is not None, "failures": {}}
    if strain.dq_mask is None:
        log.warning("%s: data have no GWOSC data-quality mask; flags %s not checked",
                    strain.detector, require)
        return record
    for flag in require:
        if flag not in strain.dq_names:
            raise DataError(
                f"{strain.detector}: data-quality flag {flag!r} (config data.quality.require) is "
                f"not in the file's flags {list(strain.dq_names)}"
            )
        bit = strain.dq_names.index(flag)
        failing = ((strain.dq_mask >> bit) & 1) == 0
        if failing.any():
            record["failures"][flag] = [[strain.gps_start + a, strain.gps_start + b] for a, b in _runs(failing)]
    if record["failures"]:
        text = "; ".join(
            f"{flag} not set at GPS " + ", ".join(str(Span(a, b)) for a, b in spans)
            for flag, spans in record["failures"].items()
        )
        if on_fail == "error":
            raise DataError(f"{strain.detector}: data quality fails: {text} "
                            "(set data.quality.on_fail: warn to use it anyway)")
        log.warning("%s: data quality fails (kept, on_fail=warn): %s", strain.detector, text)
    return record


def load(detector: str, span: Span, data: dict) -> Strain:
    """Strain for ``span`` from the source named in the config's ``data`` section."""
    if data["source"] == "local":
        paths = find_local_files(data["local"]["directory"], detector, span)
    else:
        from .gwosc_download import fetch_gwosc_files

        paths = fetch_gwosc_files(detector, span, data["sample_rate"], data["gwosc"])
    return assemble(paths, detector, span, data["sample_rate"])


def write(path: Path | str, strain: Strain, attrs: dict) -> None:
    """Write strain + masks + provenance ``attrs`` (JSON-encoded when not scalar) to HDF5."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        write_dataset(fh, "strain", strain.values, "calibrated strain from gps_start at sample_rate", "strain")
        fh.attrs.update({"detector": strain.detector, "gps_start": strain.gps_start,
                         "sample_rate": strain.sample_rate, "duration": strain.span.duration,
                         "sources": json.dumps(strain.sources)})
        set_attrs(fh, attrs)
        if strain.dq_mask is not None:
            q = fh.create_group("quality")
            write_dataset(q, "dq_mask", strain.dq_mask, "GWOSC data-quality bitmask per second (bits: names)")
            q["dq_mask"].attrs["names"] = json.dumps(list(strain.dq_names))
            if strain.inj_mask is not None:
                write_dataset(q, "inj_mask", strain.inj_mask, "GWOSC hardware-injection bitmask per second (bits: names)")
                q["inj_mask"].attrs["names"] = json.dumps(list(strain.inj_names))


def read(path: Path | str) -> tuple[Strain, dict]:
    """Read a file written by :func:`write`: the strain and its provenance attrs."""
    with h5py.File(path, "r") as fh:
        a = dict(fh.attrs)
        strain = Strain(str(a.pop("detector")), float(a.pop("gps_start")), float(a.pop("sample_rate")),
                        fh["strain"][()], json.loads(a.pop("sources")))
        a.pop("duration", None)
        if "quality" in fh:
            strain.dq_mask = fh["quality/dq_mask"][()]
            strain.dq_names = tuple(json.loads(fh["quality/dq_mask"].attrs["names"]))
            if "inj_mask" in fh["quality"]:
                strain.inj_mask = fh["quality/inj_mask"][()]
                strain.inj_names = tuple(json.loads(fh["quality/inj_mask"].attrs["names"]))
    return strain, {k: (v.item() if hasattr(v, "item") else v) for k, v in a.items()}


def read_offsource(path: Path | str) -> tuple[Strain, dict, list[np.ndarray]]:
    """A strain file's strain, its attrs and its off-source chunks (the PSD data)."""
    strain, attrs = read(path)
    return strain, attrs, [strain.crop(Span(*c)) for c in json.loads(attrs["psd_chunks"])]


def read_segments(paths: list) -> dict[str, tuple[Span, np.ndarray]]:
    """The analysis segment (its GPS span and samples) of each strain file, by detector."""
    out = {}
    for path in paths:
        strain, attrs = read(path)
        segment = Span(*json.loads(attrs["segment"]))
        out[strain.detector] = (segment, strain.crop(segment))
    return out

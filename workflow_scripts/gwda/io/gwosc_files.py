"""GWOSC-format strain files: naming convention, reading (HDF5 and GWF) into a
:class:`Strain`, and writing (HDF5).

GWOSC files follow LIGO-T050017 names, ``{obs}-{ifo}_{tag}-{gps}-{duration}.{ext}``
(e.g. ``H-H1_LOSC_4_V2-1126259446-32.hdf5``). The HDF5 layout holds ``strain/Strain`` with
attrs ``Xstart``/``Xspacing``, ``meta/*`` and 1 Hz bitmasks in ``quality/simple/DQmask`` and
``quality/injections/Injmask``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from ..gw.segments import Span

NAME_RE = re.compile(
    r"^(?P<obs>[A-Z]+)-(?P<ifo>[A-Z][0-9])_(?P<tag>[^-]*)-(?P<gps>\d+)-(?P<dur>\d+)\.(?P<ext>hdf5|h5|gwf)$"
)

DQ_NAMES = ("DATA", "CBC_CAT1", "CBC_CAT2", "CBC_CAT3", "BURST_CAT1", "BURST_CAT2", "BURST_CAT3")
INJ_NAMES = ("NO_CBC_HW_INJ", "NO_BURST_HW_INJ", "NO_DETCHAR_HW_INJ", "NO_CW_HW_INJ", "NO_STOCH_HW_INJ")


class DataError(RuntimeError):
    """Strain data that cannot be used: missing, corrupt, gappy, NaN or failing data quality."""


@dataclass(frozen=True)
class FileName:
    path: Path
    detector: str
    start: int
    duration: int

    @property
    def end(self) -> int:
        return self.start + self.duration


def parse_name(path: Path | str) -> FileName | None:
    """Parse a GWOSC/T050017 file name; ``None`` if it does not follow the convention."""
    path = Path(path)
    match = NAME_RE.match(path.name)
    if not match:
        return None
    return FileName(path, match["ifo"], int(match["gps"]), int(match["dur"]))


@dataclass
class Strain:
    detector: str
    gps_start: float
    sample_rate: float
    values: np.ndarray
    sources: list[str] = field(default_factory=list)
    dq_mask: np.ndarray | None = None      # one entry per second from gps_start
    dq_names: tuple[str, ...] = ()
    inj_mask: np.ndarray | None = None
    inj_names: tuple[str, ...] = ()

    @property
    def span(self) -> Span:
        return Span(self.gps_start, self.gps_start + self.values.size / self.sample_rate)

    def times(self) -> np.ndarray:
        return self.gps_start + np.arange(self.values.size) / self.sample_rate

    def crop(self, span: Span) -> np.ndarray:
        """Samples in ``span`` (which must lie on the sample grid inside this strain)."""
        i0 = int(round((span.start - self.gps_start) * self.sample_rate))
        i1 = int(round((span.end - self.gps_start) * self.sample_rate))
        if i0 < 0 or i1 > self.values.size:
            raise DataError(f"{self.detector} strain covers GPS {self.span}, not {span}")
        return self.values[i0:i1]


def _strings(ds) -> tuple[str, ...]:
    return tuple(x.decode() if isinstance(x, bytes) else str(x) for x in ds[()])


def read_hdf5(path: Path | str, detector: str) -> Strain:
    from gwpy.timeseries import TimeSeries

    path = Path(path)
    try:
        series = TimeSeries.read(str(path), format="hdf5.gwosc")
        with h5py.File(path, "r") as fh:
            expected = int(fh["meta/Duration"][()] * series.sample_rate.value) if "meta/Duration" in fh else None
            file_det = fh["meta/Detector"][()] if "meta/Detector" in fh else None
            out = Strain(detector, float(series.t0.value), float(series.sample_rate.value),
                         np.asarray(series.value, dtype=np.float64), [str(path)])
            if "quality/simple/DQmask" in fh:
                out.dq_mask = fh["quality/simple/DQmask"][()].astype(np.uint32)
                out.dq_names = _strings(fh["quality/simple/DQShortnames"])
            if "quality/injections/Injmask" in fh:
                out.inj_mask = fh["quality/injections/Injmask"][()].astype(np.uint32)
                out.inj_names = _strings(fh["quality/injections/InjShortnames"])
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"cannot read GWOSC HDF5 file {path}: {exc}") from exc
    if isinstance(file_det, bytes):
        file_det = file_det.decode()
    if file_det is not None and str(file_det) != detector:
        raise DataError(f"{path} holds {file_det} data, expected {detector}")
    if expected is not None and out.values.size != expected:
        raise DataError(
            f"{path} is incomplete: {out.values.size} samples where meta/Duration promises {expected}"
        )
    return out


def read_gwf(path: Path | str, detector: str) -> Strain:
    """Read a GWOSC GWF file: the strain channel ``{ifo}:...STRAIN`` and, if present, its DQ mask."""
    from gwpy.io.gwf import get_channel_names
    from gwpy.timeseries import TimeSeries

    path = Path(path)
    try:
        channels = get_channel_names(str(path))
        strain_ch = [c for c in channels if c.startswith(f"{detector}:") and c.upper().endswith("STRAIN")]
        if len(strain_ch) != 1:
            raise DataError(f"{path}: expected one {detector}:*STRAIN channel, found {channels}")
        series = TimeSeries.read(str(path), strain_ch[0])
        out = Strain(detector, float(series.t0.value), float(series.sample_rate.value),
                     np.asarray(series.value, dtype=np.float64), [str(path)])
        dq_ch = [c for c in channels if c.startswith(f"{detector}:") and c.upper().endswith("DQMASK")]
        if dq_ch:
            dq = TimeSeries.read(str(path), dq_ch[0])
            out.dq_mask = np.asarray(dq.value[:: max(1, int(dq.sample_rate.value))], dtype=np.uint32)
            out.dq_names = DQ_NAMES
    except DataError:
        raise
    except Exception as exc:  # the frame libraries raise assorted types
        raise DataError(f"cannot read GWF file {path}: {exc}") from exc
    return out


def read_file(path: Path | str, detector: str) -> Strain:
    suffix = Path(path).suffix.lower()
    return read_gwf(path, detector) if suffix == ".gwf" else read_hdf5(path, detector)


def write_hdf5(
    directory: Path | str,
    detector: str,
    gps_start: int,
    sample_rate: int,
    strain: np.ndarray,
    dq_mask: np.ndarray | None = None,
    inj_mask: np.ndarray | None = None,
    tag: str = "GWOSC_4KHZ_R1",
) -> Path:
    """Write ``strain`` as a GWOSC-format HDF5 file named by the GWOSC convention.

    Used for synthetic test data and the test server; masks default to all flags passing.
    """
    duration = strain.size // sample_rate
    if duration * sample_rate != strain.size:
        raise ValueError("strain must hold a whole number of seconds")
    path = Path(directory) / f"{detector[0]}-{detector}_{tag}-{int(gps_start)}-{duration}.hdf5"
    path.parent.mkdir(parents=True, exist_ok=True)
    if dq_mask is None:
        dq_mask = np.full(duration, 2 ** len(DQ_NAMES) - 1, dtype=np.uint32)
    if inj_mask is None:
        inj_mask = np.full(duration, 2 ** len(INJ_NAMES) - 1, dtype=np.uint32)
    with h5py.File(path, "w") as fh:
        ds = fh.create_dataset("strain/Strain", data=np.asarray(strain, dtype=np.float64))
        ds.attrs.update({"Xstart": int(gps_start), "Xspacing": 1.0 / sample_rate,
                         "Npoints": strain.size, "Xlabel": "GPS time", "Xunits": "second",
                         "Ylabel": "Strain", "Yunits": ""})
        meta = fh.create_group("meta")
        meta["Detector"] = detector
        meta["Observatory"] = detector[0]
        meta["GPSstart"] = int(gps_start)
        meta["Duration"] = int(duration)
        meta["Type"] = "StrainTimeSeries"
        meta["Description"] = "Strain data time series"
        for group, mask, names, key in (
            ("quality/simple", dq_mask, DQ_NAMES, "DQ"),
            ("quality/injections", inj_mask, INJ_NAMES, "Inj"),
        ):
            m = fh.create_dataset(f"{group}/{key}mask", data=np.asarray(mask, dtype=np.uint32))
            m.attrs.update({"Xstart": int(gps_start), "Xspacing": 1.0, "Bits": len(names)})
            fh[f"{group}/{key}Shortnames"] = np.array([n.encode() for n in names])
        fh.create_group("quality/detail")
    return path

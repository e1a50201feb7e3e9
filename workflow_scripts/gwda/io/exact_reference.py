"""The stored exact-posterior reference of an event: a standard-sampler run (rule
``bilby_reference``) kept in the repository, stamped with checksums of the inputs it used.

A reference directory (``bench/reference/{event}/``) holds ``posterior.hdf5`` (the samples,
a top-level ``posterior_samples`` table) and ``summary.json`` (evidence, likelihood calls,
wall time, settings and ``inputs``: the checksums below). An analysis may be compared with
it only when its own inputs have the same checksums: the strain of the analysis segment,
the PSDs on the analysis band, the prior, the waveform model and the data settings.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

from ..gw.simulator import Simulator


def digest(obj) -> str:
    """A short SHA-256 of an array's float64 bytes or of an object's sorted JSON."""
    if isinstance(obj, np.ndarray):
        data = np.ascontiguousarray(obj, dtype=np.float64).tobytes()
    else:
        data = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def significant(x: np.ndarray, digits: int = 8) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits: a PSD estimated from the same strain on
    another machine may differ in the last bits (vectorised FFTs), never in the eighth digit."""
    x = np.asarray(x, dtype=np.float64)
    scale = 10.0 ** np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x))))
    return np.round(x / scale, digits - 1) * scale


def input_checksums(sim: Simulator, segments: dict[str, np.ndarray], prior: dict, constraints: dict) -> dict:
    """Checksums of what an analysis of ``sim``'s event sees: the strain ``segments`` (time
    samples of the analysis segment, by detector), the PSDs in band, the prior (config
    ``prior`` and ``prior_constraints`` sections), the waveform model and the data settings."""
    d = sim.domain
    return {
        "strain": {ifo: digest(np.asarray(segments[ifo])) for ifo in sim.ifos},
        "psd": {ifo: digest(significant(sim.psds[ifo][d.mask])) for ifo in sim.ifos},
        "prior": digest({"prior": prior, "constraints": constraints}),
        "waveform": digest({"approximant": sim.waveform.approximant,
                             "reference_frequency": sim.waveform.reference_frequency}),
        "data": {"duration": d.duration, "sample_rate": d.sample_rate, "f_min": d.f_min, "f_max": d.f_max,
                 "roll_off": d.roll_off, "segment_start": sim.segment_start, "trigger_time": sim.trigger_time},
    }


def differences(stored: dict, actual: dict, prefix: str = "") -> list[str]:
    """What differs between two :func:`input_checksums` (empty when the reference applies)."""
    out = []
    for key in sorted(set(stored) | set(actual)):
        a, b = stored.get(key), actual.get(key)
        name = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out += differences(a, b, f"{name}.")
        elif isinstance(a, float) and isinstance(b, float):
            if not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9):
                out.append(f"{name}: reference {a!r}, this run {b!r}")
        elif a != b:
            out.append(f"{name}: reference {a!r}, this run {b!r}")
    return out

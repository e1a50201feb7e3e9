"""A labelled set of whitened bursts (unit SNR, :mod:`gwda.glitches.families`) with the
true parameters of every sample, and its HDF5 file (``results/glitches/training_set.hdf5``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..gw.domain import FrequencyDomain
from ..io import glitch_files
from . import families


@dataclass
class BurstSet:
    series: np.ndarray                    # (n, samples): whitened, unit optimal SNR
    labels: np.ndarray                    # (n,): index into ``classes``
    classes: tuple[str, ...]
    parameters: dict[str, np.ndarray]     # true parameters, NaN where a class has none
    domain: FrequencyDomain
    attrs: dict = field(default_factory=dict)

    def of_class(self, name: str) -> np.ndarray:
        return self.labels == self.classes.index(name)

    def write(self, path: Path | str) -> None:
        d = self.domain
        glitch_files.write_bursts(path, self.series, self.labels, self.parameters,
                                  {**self.attrs, "classes": list(self.classes), "window": d.duration,
                                   "sample_rate": d.sample_rate, "f_min": d.f_min, "f_max": d.f_max,
                                   "normalisation": "unit optimal SNR in whitened data (gwda.glitches.families)"})

    @classmethod
    def read(cls, path: Path | str) -> BurstSet:
        series, labels, parameters, a = glitch_files.read_bursts(path)
        domain = families.window_domain(float(a.pop("window")), float(a.pop("sample_rate")),
                                        float(a.pop("f_min")), float(a.pop("f_max")))
        return cls(series, labels, tuple(json.loads(a.pop("classes"))), parameters, domain, a)


def simulate(classes: list[str], ranges: dict[str, dict], n_per_class: int, domain: FrequencyDomain,
             rng: np.random.Generator, peak_jitter: float) -> BurstSet:
    """``n_per_class`` bursts of each class, drawn from its configured ``ranges``."""
    series, labels, drawn = [], [], []
    for i, name in enumerate(classes):
        x, params = families.draw(name, n_per_class, ranges.get(name, {}), domain, rng, peak_jitter)
        series.append(x)
        labels.append(np.full(n_per_class, i))
        drawn.append(params)
    names = sorted({k for p in drawn for k in p})
    parameters = {k: np.concatenate([p.get(k, np.full(n_per_class, np.nan)) for p in drawn]) for k in names}
    return BurstSet(np.concatenate(series), np.concatenate(labels), tuple(classes), parameters, domain)

"""Where injected glitches come from (``noise.glitches.source``, ``denoiser.glitches.source``):
the trained GAN, gengli's pretrained blips, or the simulated burst families themselves."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..gw.domain import FrequencyDomain
from . import families

#: (class names, rng, detector) -> unit-SNR bursts (rows) on the maker's window domain
GlitchMaker = Callable[[list, np.random.Generator, str], np.ndarray]


def glitch_maker(source: str, config: dict, network: str | None = None) -> tuple[GlitchMaker, FrequencyDomain]:
    """A function making unit-SNR bursts of given classes from ``source`` (``gan``: the
    trained generator in file ``network``; ``gengli``; ``simulated``: the burst families with
    the config's ``glitches`` ranges), and the window domain of its bursts."""
    g, data = config["glitches"], config["data"]
    domain = families.window_domain(float(g["window"]), float(data["sample_rate"]),
                                    float(data["frequency"]["f_min"]), float(data["frequency"]["f_max"]))
    if source == "gan":
        if not network:
            raise ValueError("glitches from the GAN were asked for, but no trained glitch GAN was given")
        from .generator import GlitchGenerator

        gen = GlitchGenerator.load(network)

        def make(names, generator, detector):
            labels = np.array([gen.encoder.classes.index(c) for c in names], dtype=int)
            return gen.generate(labels, generator)[0]
        return make, gen.domain
    if source == "gengli":
        from . import gengli_source

        def make(names, generator, detector):
            return gengli_source.blips(len(names), detector, domain, int(generator.integers(2**31)))
        return make, domain
    if source != "simulated":
        raise ValueError(f"unknown glitch source {source!r} (gan, gengli or simulated)")

    def make(names, generator, detector):
        out = np.empty((len(names), domain.n_samples))
        for cls in sorted(set(names)):
            rows = np.flatnonzero(np.asarray(names) == cls)
            out[rows] = families.draw(cls, rows.size, g["ranges"][cls], domain, generator, g["peak_jitter"])[0]
        return out
    return make, domain


def glitch_classes(source: str, classes: list | None, config: dict) -> list[str]:
    """The classes injected: ``classes`` (default: all the GAN's), or gengli's one blip class."""
    if source == "gengli":
        return ["gengli_blip"]
    return list(classes or config["glitches"]["classes"])

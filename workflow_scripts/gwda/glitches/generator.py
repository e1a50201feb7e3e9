"""The glitch generator: a conditional GAN (:mod:`gwda.core.gan`) on whitened bursts, its
condition vector, and its file (``results/glitches/gan/network.pt``).

The condition of a burst is its class (one-hot) and, with ``conditional_parameters``, its
physical parameters scaled to [-1, 1] by their configured ranges (one slot per parameter of
any class, 0 where a class has none; the random phase and a white-noise burst's noise are
left to the latent vector). Generation draws conditions from the same ranges as the training
set, so a generated set follows the training distribution by construction of its condition
and by the generator's fidelity to it, which the evaluation measures.

Bursts are band-limited to ``f_max``, so the GAN works on every ``factor``-th sample
(``factor`` the largest integer with sample_rate / factor > 2 f_max): the decimation is exact
for series band-limited below the reduced Nyquist frequency and is undone by Fourier
interpolation. The reduced band excludes that Nyquist bin, where f_max equals it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..gw.domain import FrequencyDomain
from . import families

#: Physical parameters the generator is conditioned on (with the peak time, for every class).
CONDITIONED = {
    "sine_gaussian": ("f0", "tau"),
    "ringdown": ("f0", "tau"),
    "white_noise_burst": ("f0", "bandwidth", "tau"),
    "gaussian_pulse": ("tau",),
    "bbh": ("chirp_mass", "mass_ratio", "chi_1", "chi_2"),
}


#: Classes whose burst its condition fixes entirely (no random phase or noise realisation).
FIXED_BY_CONDITION = ("gaussian_pulse",)


def parameter_range(ranges: dict, name: str) -> tuple[float, float]:
    return tuple(ranges["chi"] if name in ("chi_1", "chi_2") else ranges[name])


class ConditionEncoder:
    """The condition vector of bursts of ``classes`` with parameters in ``ranges`` (module doc)."""

    def __init__(self, classes: list[str], ranges: dict, peak_jitter: float, window: float,
                 with_parameters: bool = True):
        self.classes = tuple(classes)
        self.ranges = {c: dict(ranges.get(c, {})) for c in classes}
        self.peak_jitter, self.window, self.with_parameters = peak_jitter, window, with_parameters
        names = []
        if with_parameters:
            names = ["peak_time"] + sorted({p for c in classes for p in CONDITIONED.get(c, ())})
        self.slots = tuple(names)

    @classmethod
    def from_settings(cls, glitches: dict) -> ConditionEncoder:
        """The encoder of the config's ``glitches`` section."""
        return cls(glitches["classes"], glitches["ranges"], glitches["peak_jitter"], glitches["window"],
                   glitches["gan"]["conditional_parameters"])

    @property
    def size(self) -> int:
        return len(self.classes) + len(self.slots)

    def _bounds(self, cls: str, name: str) -> tuple[float, float]:
        if name == "peak_time":
            return self.window / 2 - self.peak_jitter, self.window / 2 + self.peak_jitter
        return parameter_range(self.ranges[cls], name)

    def encode(self, labels: np.ndarray, parameters: dict[str, np.ndarray]) -> np.ndarray:
        labels = np.asarray(labels)
        out = np.zeros((labels.size, self.size), dtype=np.float32)
        out[np.arange(labels.size), labels] = 1.0
        for j, name in enumerate(self.slots):
            for i, cls in enumerate(self.classes):
                if name != "peak_time" and name not in CONDITIONED.get(cls, ()):
                    continue
                rows = labels == i
                lo, hi = self._bounds(cls, name)
                out[rows, len(self.classes) + j] = 2 * (parameters[name][rows] - lo) / (hi - lo) - 1 if hi > lo else 0
        return out

    def draw(self, labels: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Parameters for bursts of classes ``labels``, uniform in the ranges (as the training set)."""
        labels = np.asarray(labels)
        params = {name: np.full(labels.size, np.nan) for name in self.slots}
        for i, cls in enumerate(self.classes):
            rows = labels == i
            for name in ("peak_time",) + CONDITIONED.get(cls, ()):
                if name in params:
                    params[name][rows] = rng.uniform(*self._bounds(cls, name), rows.sum())
        return params

    def fixed(self, labels: np.ndarray) -> np.ndarray:
        """Which rows of ``labels`` the condition fixes entirely (with the parameters)."""
        ids = [i for i, c in enumerate(self.classes) if c in FIXED_BY_CONDITION]
        return np.isin(labels, ids) if self.with_parameters else np.zeros(len(labels), bool)

    def to_dict(self) -> dict:
        return {"classes": list(self.classes), "ranges": self.ranges, "peak_jitter": self.peak_jitter,
                "window": self.window, "with_parameters": self.with_parameters}


def reduced_domain(domain: FrequencyDomain) -> FrequencyDomain:
    return domain.decimated()


def reduce(x: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """Series on ``domain`` -> band-limited series on the reduced domain (module doc)."""
    small = reduced_domain(domain)
    factor = domain.decimation_factor
    band = np.fft.rfft(x, axis=-1)[..., :small.n_samples // 2 + 1]
    band[..., ~small.mask] = 0.0
    return np.fft.irfft(band, n=small.n_samples, axis=-1) / factor


def to_unit_bursts(y: np.ndarray, domain: FrequencyDomain) -> np.ndarray:
    """GAN output ``y`` (reduced series) -> bursts of unit optimal SNR on ``domain``: Fourier
    interpolation back to the domain's rate (the inverse of :func:`reduce`) and
    ``families.unit_snr`` in one Fourier-transform pair."""
    import scipy.fft

    band = domain.band_slice
    spectrum = np.zeros(y.shape[:-1] + (domain.n_samples // 2 + 1,), dtype=complex)
    spectrum[..., band] = scipy.fft.rfft(y, axis=-1, workers=-1)[..., band]
    # whitened_band(irfft(s)) = s[mask] · 2√K / n, K in-band bins: scale that to unit norm
    power = spectrum.real**2 + spectrum.imag**2
    norm = np.sqrt(power.sum(axis=-1, keepdims=True)) * 2 * np.sqrt(band.stop - band.start)
    spectrum *= domain.n_samples / np.maximum(norm, 1e-300)
    return scipy.fft.irfft(spectrum, n=domain.n_samples, axis=-1, workers=-1)


class GlitchGenerator:
    """A trained conditional GAN and what it needs to make bursts on a window ``domain``."""

    def __init__(self, gan, encoder: ConditionEncoder, domain: FrequencyDomain):
        self.gan, self.encoder, self.domain = gan, encoder, domain

    @staticmethod
    def gan_settings(encoder: ConditionEncoder, domain: FrequencyDomain, network: dict) -> dict:
        small = reduced_domain(domain)
        band = np.flatnonzero(small.mask)
        return {"n_samples": small.n_samples, "n_conditions": encoder.size, "latent": network["latent"],
                "generator_channels": list(network["generator_channels"]),
                "critic_channels": list(network["critic_channels"]), "kernel": network["kernel"],
                "critic_spectral": network.get("critic_spectral", 0),
                "band": [int(band[0]), int(band[-1]) + 1], "fixed_norm": True}

    def generate(self, labels: np.ndarray, rng: np.random.Generator, batch: int = 512
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Bursts of classes ``labels`` (unit optimal SNR, on ``domain``) and the parameters
        they were conditioned on (NaN without ``conditional_parameters``)."""
        import torch

        params = self.encoder.draw(labels, rng)
        conditions = self.encoder.encode(labels, params)
        gen = torch.Generator(device=self.gan.scale.device).manual_seed(int(rng.integers(2**62)))
        return to_unit_bursts(self.gan.generate(conditions, gen, batch), self.domain), params

    def save(self, path: Path | str) -> None:
        import torch

        from ..runtime import atomic_output

        meta = {"gan": self.gan.settings, "encoder": self.encoder.to_dict(), "window": self.domain.duration,
                "sample_rate": self.domain.sample_rate, "f_min": self.domain.f_min, "f_max": self.domain.f_max}
        with atomic_output(path) as tmp:
            torch.save({"settings": meta, "state": self.gan.state_dict()}, tmp)

    @classmethod
    def load(cls, path: Path | str, device=None) -> GlitchGenerator:
        import torch

        from ..core.gan import ConditionalGAN

        blob = torch.load(path, map_location=device or "cpu", weights_only=False)
        meta = blob["settings"]
        gan = ConditionalGAN(meta["gan"])
        gan.load_state_dict(blob["state"])
        gan.to(device or "cpu")
        domain = families.window_domain(meta["window"], meta["sample_rate"], meta["f_min"], meta["f_max"])
        return cls(gan, ConditionEncoder(**meta["encoder"]), domain)


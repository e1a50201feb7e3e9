"""The denoising Transformer (in the spirit of WaveFormer, Ren et al. 2023, MLST 5 015046).

A window of whitened strain per detector (``(batch, detectors, samples)``) is cut into tokens
of ``patch`` consecutive samples; each token is embedded by one linear map, a fixed sinusoidal
position encoding and a learned detector embedding are added, and the tokens of all detectors
form one sequence, so attention can relate a detector's data to the other's. A pre-norm
Transformer encoder follows, then a linear head back to ``patch`` samples per token. The
output is projected onto the analysis band (a fixed rfft mask), where the signal lives.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def to_tokens(x: torch.Tensor, patch: int) -> torch.Tensor:
    """(batch, detectors, samples) -> (batch, detectors, tokens, patch)."""
    b, d, n = x.shape
    if n % patch:
        raise ValueError(f"a window of {n} samples is not a whole number of tokens of {patch} samples "
                         "(denoiser.network.patch)")
    return x.reshape(b, d, n // patch, patch)


def from_tokens(tokens: torch.Tensor) -> torch.Tensor:
    """(batch, detectors, tokens, patch) -> (batch, detectors, samples): the inverse of :func:`to_tokens`."""
    b, d, t, p = tokens.shape
    return tokens.reshape(b, d, t * p)


def sinusoidal_encoding(n: int, width: int) -> torch.Tensor:
    position = torch.arange(n, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10000.0) / width))
    out = torch.zeros(n, width)
    out[:, 0::2] = torch.sin(position * rate)
    out[:, 1::2] = torch.cos(position * rate)[:, : width // 2]
    return out


class DenoisingTransformer(nn.Module):
    """``settings``: n_detectors, n_samples, patch, d_model, heads, layers, feedforward,
    dropout, band ([first, stop) rfft bins of the analysis band)."""

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = dict(settings)
        s = self.settings
        n_tokens = s["n_samples"] // s["patch"]
        if n_tokens * s["patch"] != s["n_samples"]:
            raise ValueError(f"a window of {s['n_samples']} samples is not a whole number of tokens of "
                             f"{s['patch']} samples (denoiser.network.patch)")
        if s["d_model"] % s["heads"]:
            raise ValueError(f"denoiser.network.d_model ({s['d_model']}) is not a multiple of "
                             f"denoiser.network.heads ({s['heads']})")
        self.patch = s["patch"]
        self.embed = nn.Linear(s["patch"], s["d_model"])
        self.register_buffer("position", sinusoidal_encoding(n_tokens, s["d_model"]))
        self.detector = nn.Parameter(torch.zeros(s["n_detectors"], s["d_model"]))
        layer = nn.TransformerEncoderLayer(s["d_model"], s["heads"], s["feedforward"], s["dropout"],
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, s["layers"], enable_nested_tensor=False)
        self.norm = nn.LayerNorm(s["d_model"])
        self.head = nn.Linear(s["d_model"], s["patch"])
        band = torch.zeros(s["n_samples"] // 2 + 1, dtype=torch.bool)
        band[s["band"][0]:s["band"][1]] = True
        self.register_buffer("band", band)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, d, n = x.shape
        if d != self.settings["n_detectors"] or n != self.settings["n_samples"]:
            raise ValueError(f"input of {d} detector(s) × {n} samples; the denoiser was built for "
                             f"{self.settings['n_detectors']} × {self.settings['n_samples']}")
        tokens = self.embed(to_tokens(x, self.patch)) + self.position + self.detector[:, None, :]
        h = self.encoder(tokens.reshape(b, -1, tokens.shape[-1]))
        y = from_tokens(self.head(self.norm(h)).reshape(b, d, -1, self.patch))
        return self.band_limit(y)

    def band_limit(self, y: torch.Tensor) -> torch.Tensor:
        spectrum = torch.fft.rfft(y, dim=-1) * self.band
        return torch.fft.irfft(spectrum, n=y.shape[-1], dim=-1)

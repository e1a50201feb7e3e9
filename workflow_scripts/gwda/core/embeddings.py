"""Embedding networks: from a data vector (reduced-basis coefficients of each detector's
whitened data, standardised) to the context that conditions a flow."""

from __future__ import annotations


import torch
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, n_in: int, n_out: int, dropout: float = 0.0):
        super().__init__()
        self.layers = nn.Sequential(nn.LayerNorm(n_in), nn.ELU(), nn.Linear(n_in, n_out), nn.ELU(),
                                    nn.Dropout(dropout), nn.Linear(n_out, n_out))
        self.skip = nn.Identity() if n_in == n_out else nn.Linear(n_in, n_out, bias=False)

    def forward(self, x):
        return self.skip(x) + self.layers(x)


class ResMLPEmbedding(nn.Module):
    """Residual MLP from the projected, standardised data to the flow's context."""

    def __init__(self, n_in: int, hidden: list[int], n_out: int, dropout: float = 0.0):
        super().__init__()
        widths = [hidden[0]] + list(hidden)
        self.input = nn.Linear(n_in, hidden[0])
        self.blocks = nn.Sequential(*[ResidualBlock(a, b, dropout) for a, b in zip(widths[:-1], widths[1:])])
        self.output = nn.Sequential(nn.ELU(), nn.Linear(hidden[-1], n_out))

    def forward(self, x):
        return self.output(self.blocks(self.input(x)))


class WithProxies(nn.Module):
    """Embeds the data part of the network input and appends the (standardised) time
    proxies, which condition the flow directly (see :mod:`gwda.gw.alignment`)."""

    def __init__(self, embedding: nn.Module, n_proxies: int):
        super().__init__()
        self.embedding, self.n_proxies = embedding, n_proxies

    def forward(self, x):
        if not self.n_proxies:
            return self.embedding(x)
        return torch.cat([self.embedding(x[:, :-self.n_proxies]), x[:, -self.n_proxies:]], dim=1)

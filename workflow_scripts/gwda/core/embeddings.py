"""Embedding networks: from a data vector (reduced-basis coefficients of each detector's
whitened data, standardised) to the context that conditions a flow."""

from __future__ import annotations

import math

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


class TransformerEmbedding(nn.Module):
    """Tokens of ``token_size`` consecutive basis coefficients (real and imaginary parts)
    per detector, with learned position and detector embeddings, a Transformer encoder
    and mean pooling."""

    def __init__(self, n_ifos: int, n_basis: int, n_out: int, token_size: int = 10, d_model: int = 64,
                 heads: int = 4, layers: int = 2, dropout: float = 0.0):
        super().__init__()
        self.n_ifos, self.n_basis, self.token_size = n_ifos, n_basis, token_size
        self.n_tokens = math.ceil(n_basis / token_size)
        self.embed = nn.Linear(2 * token_size, d_model)
        self.position = nn.Parameter(torch.zeros(1, n_ifos * self.n_tokens, d_model))
        nn.init.normal_(self.position, std=0.02)
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.output = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, n_out))

    def forward(self, x):
        b = x.shape[0]
        # features are laid out [ifo][re/im][basis]
        x = x.view(b, self.n_ifos, 2, self.n_basis)
        pad = self.n_tokens * self.token_size - self.n_basis
        if pad:
            x = nn.functional.pad(x, (0, pad))
        x = x.view(b, self.n_ifos, 2, self.n_tokens, self.token_size).permute(0, 1, 3, 2, 4)
        tokens = self.embed(x.reshape(b, self.n_ifos * self.n_tokens, 2 * self.token_size)) + self.position
        return self.output(self.encoder(tokens).mean(dim=1))


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

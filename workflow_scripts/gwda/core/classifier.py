"""A small 1-D convolutional classifier of time series, and the classifier two-sample test
(C2ST; Lopez-Paz & Oquab 2017) built on it.

The network: strided convolutions with LeakyReLU, a global max over time (so the decision
does not depend on where in the window a feature sits) and a linear layer to class scores.
It is trained with cross-entropy and Adam; series are scaled by one number fitted on the
training rows.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class SeriesClassifier(nn.Module):
    def __init__(self, n_classes: int, channels: tuple[int, ...] = (16, 32, 32, 32), kernel: int = 9):
        super().__init__()
        layers, c_in = [], 1
        for c_out in channels:
            layers += [nn.Conv1d(c_in, c_out, kernel, stride=2, padding=kernel // 2), nn.LeakyReLU(0.2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.output = nn.Linear(c_in, n_classes)
        self.register_buffer("scale", torch.ones(()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features((x * self.scale)[:, None])
        return self.output(h.amax(dim=-1))


def fit(x: np.ndarray, y: np.ndarray, n_classes: int, epochs: int, seed: int, batch_size: int = 128,
        learning_rate: float = 2e-3) -> SeriesClassifier:
    """A classifier of the rows of ``x`` into ``y`` (integers below ``n_classes``)."""
    torch.manual_seed(seed)
    model = SeriesClassifier(n_classes)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.long)
    model.scale.fill_(float(1.0 / xt.std().clamp_min(1e-12)))
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = torch.as_tensor(rng.permutation(len(xt)))
        for start in range(0, len(xt), batch_size):
            idx = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def predict(model: SeriesClassifier, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    xt = torch.as_tensor(x, dtype=torch.float32)
    return np.concatenate([model(xt[i:i + batch_size]).argmax(dim=1).numpy() for i in range(0, len(xt), batch_size)])


def two_sample_accuracy(a: np.ndarray, b: np.ndarray, epochs: int, seed: int) -> float:
    """C2ST: a classifier trained to tell rows of ``a`` from rows of ``b`` on one half of
    each, scored on the other half. 0.5 means indistinguishable (to this classifier); its
    standard error under that hypothesis is 0.5 / sqrt(number scored)."""
    rng = np.random.default_rng(seed)
    n = min(len(a), len(b))
    a, b = a[rng.permutation(len(a))[:n]], b[rng.permutation(len(b))[:n]]
    half = n // 2
    x_train = np.concatenate([a[:half], b[:half]])
    y_train = np.repeat([0, 1], half)
    x_test = np.concatenate([a[half:], b[half:]])
    y_test = np.repeat([0, 1], n - half)
    model = fit(x_train, y_train, 2, epochs, seed)
    return float(np.mean(predict(model, x_test) == y_test))

"""Reduced bases: orthonormal bases of the span of a set of vectors (SVD), and the
mismatch of a reconstruction."""

from __future__ import annotations

import numpy as np


def reduced_basis(samples: np.ndarray, size: int) -> np.ndarray:
    """Orthonormal basis V (columns: the first ``size`` right-singular vectors of the rows of
    ``samples``). Coefficients of a row x are ``x @ V.conj()``; ``c @ V.T`` reconstructs it."""
    _, _, vh = np.linalg.svd(samples, full_matrices=False)
    return vh[:size].T


def mismatch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 - normalised overlap (rows), in whatever (whitened) inner product the inputs carry."""
    num = np.real(np.sum(np.conj(a) * b, axis=-1))
    return 1.0 - num / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))

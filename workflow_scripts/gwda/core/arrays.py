"""Let physics code run on numpy arrays and torch tensors (CPU or GPU) alike."""

from __future__ import annotations

import sys

import numpy as np


def namespace(x):
    """The array module of ``x``: ``torch`` for tensors, ``numpy`` otherwise."""
    if type(x).__module__.split(".")[0] == "torch":
        return sys.modules["torch"]          # a tensor exists, so torch is imported
    return np


def like(value, ref):
    """``value`` (array or scalar) as an array of ``ref``'s kind, device and real dtype."""
    xp = namespace(ref)
    if xp is np:
        return np.asarray(value, dtype=float)
    dtype = ref.real.dtype if ref.is_complex() else ref.dtype
    return xp.as_tensor(value, dtype=dtype, device=ref.device)


def time_shift_factor(freqs, shift, dtype, magnitude=None):
    """exp(−2πi f t) (times ``magnitude``) of tensors: frequencies ``freqs`` (bins) and shifts
    ``shift`` (s, any leading shape) -> (..., bins). f t reaches ~1e4 cycles: it is formed in
    double precision and reduced to its fractional cycle before the complex exponential in the
    real ``dtype``."""
    xp = namespace(shift)
    cycles = freqs.double() * shift.double()[..., None]
    angle = ((-2 * np.pi) * (cycles - cycles.floor())).to(dtype)
    magnitude = xp.ones_like(angle) if magnitude is None else magnitude.to(dtype).expand_as(angle)
    return xp.polar(magnitude, angle)

"""The intrinsic training set: waveforms at 1 Mpc for parameters drawn from the training
distribution, stored as coefficients over a reduced basis (``training/waveforms.hdf5``).

For 22-mode aligned-spin models only the ι = φ = 0 amplitude of each waveform is stored
(θ_jn and φ act analytically and are drawn per batch); for other models h+ and h× at the
drawn θ_jn, φ. The basis is built from whitened, normalised waveforms (the detectors' mean
whitening) and its reconstruction mismatch is measured on held-out waveforms.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.reduced_basis import mismatch, reduced_basis
from ..gw.priors import Prior
from ..gw.simulator import Simulator
from ..gw.waveforms import draw_and_generate, intrinsic_names
from ..io import waveform_files

log = logging.getLogger(__name__)


@dataclass
class WaveformDataset:
    parameters: dict[str, np.ndarray]   # intrinsic parameters, one row per waveform
    coefficients: np.ndarray            # (n, basis) for separable models, else (n, 2, basis): h+, h×
    basis: np.ndarray                   # coefficients @ basis = the waveform at 1 Mpc (in-band bins)
    attrs: dict = field(default_factory=dict)

    @property
    def plus_coefficients(self) -> np.ndarray:
        """The coefficients of h+ (the stored amplitude of separable models)."""
        return self.coefficients[:, 0] if self.coefficients.ndim == 3 else self.coefficients

    @classmethod
    def read(cls, path: Path | str, n: int | None = None) -> WaveformDataset:
        """The (first ``n``) stored waveforms."""
        return cls(*waveform_files.read(path, n))

    def write(self, path: Path | str) -> None:
        waveform_files.write(path, self.parameters, self.coefficients, self.basis, self.attrs)


def generate_dataset(sim: Simulator, prior: Prior, n: int, svd_size: int, rng: np.random.Generator,
                     threads: int = 1, config: dict | None = None) -> WaveformDataset:
    """``n`` waveforms of ``sim``'s approximant for intrinsic parameters drawn from ``prior``
    (failed waveforms redrawn), over a reduced basis of ``svd_size`` elements."""
    settings = sim.waveform
    names = intrinsic_names(settings, prior.names)
    weight = np.mean([sim.whitening[i] for i in sim.ifos], axis=0)   # mean whitening of the detectors
    t0 = time.time()
    # 1. A first set of full waveforms: the reduced basis is built from most of it (normalised,
    #    whitened) and its reconstruction mismatch measured on the rest.
    n_test = min(500, n // 5)
    n_svd = min(2000, n - n_test)
    params, hp, hc, n_failed = draw_and_generate(prior, names, n_svd + n_test, settings, sim.domain, rng, threads)
    stack = hp[:n_svd] if settings.separable else np.concatenate([hp[:n_svd], hc[:n_svd]])
    white = stack * weight
    basis = reduced_basis(white / np.linalg.norm(white, axis=1, keepdims=True), svd_size)
    coeff = np.stack([(h * weight) @ basis.conj() for h in ([hp] if settings.separable else [hp, hc])], axis=1)
    test = slice(n_svd, n_svd + n_test)
    mm = mismatch((coeff[test, 0] @ basis.T), hp[test] * weight)
    # 2. The rest straight into the basis (workers return coefficients only).
    if n > n_svd + n_test:
        more, cp, cc, failed_more = draw_and_generate(prior, names, n - n_svd - n_test, settings, sim.domain,
                                                      rng, threads, basis=basis, weight=weight)
        more_coeff = np.stack([cp] if settings.separable else [cp, cc], axis=1)
        params = {k: np.concatenate([params[k], more[k]]) for k in params}
        coeff = np.concatenate([coeff, more_coeff])
        n_failed += failed_more
    seconds = time.time() - t0
    log.info("%d %s waveforms in %.1f s on %d threads (%d failed and redrawn)", n,
             settings.approximant, seconds, threads, n_failed)
    log.info("reduced basis of %d elements: mismatch median %.2e, max %.2e", basis.shape[1],
             np.median(mm), mm.max())
    attrs = {"approximant": settings.approximant, "separable": settings.separable,
             "reference_frequency": settings.reference_frequency, "distance_mpc": 1.0,
             "n_failed": n_failed, "seconds": seconds, "threads": threads,
             "mismatch_median": float(np.median(mm)), "mismatch_max": float(mm.max()),
             "config": json.dumps(config or {})}
    return WaveformDataset(params, coeff[:, 0] if settings.separable else coeff, basis.T / weight, attrs)

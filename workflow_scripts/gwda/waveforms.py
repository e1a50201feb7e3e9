"""Frequency-domain waveforms from LALSimulation (through PyCBC) and the intrinsic dataset.

Waveforms are generated at a reference luminosity distance of 1 Mpc, coalescing at t = 0,
on the in-band bins of a :class:`~gwda.domain.FrequencyDomain`. For 22-mode aligned-spin
approximants the inclination and phase dependence is analytic,
``h+ = A (1 + cos²ι)/2 e^{2iφ}``, ``h× = -i A cos ι e^{2iφ}``, so the dataset holds only
``A`` (generated at ι = φ = 0) and θ_jn, φ are drawn per batch; for other approximants
θ_jn and φ are intrinsic parameters of the dataset.
"""

from __future__ import annotations

import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from .arrays import like, namespace
from .conversions import component_masses
from .domain import FrequencyDomain

log = logging.getLogger(__name__)

#: Approximants with only the (2, ±2) modes and aligned spins: angles are separable.
SEPARABLE_APPROXIMANTS = {"IMRPhenomD", "IMRPhenomXAS", "TaylorF2", "SEOBNRv4_ROM", "IMRPhenomC"}
ALIGNED_SPIN_APPROXIMANTS = SEPARABLE_APPROXIMANTS | {"IMRPhenomXHM", "IMRPhenomHM", "SEOBNRv4HM_ROM"}
EXTRINSIC = ("luminosity_distance", "ra", "dec", "psi", "geocent_time")
MSUN_SI = 1.988409870698051e30


@dataclass(frozen=True)
class WaveformSettings:
    approximant: str
    reference_frequency: float

    @property
    def separable(self) -> bool:
        return self.approximant in SEPARABLE_APPROXIMANTS

    @property
    def aligned(self) -> bool:
        return self.approximant in ALIGNED_SPIN_APPROXIMANTS


def intrinsic_names(settings: WaveformSettings, prior_names: list[str]) -> list[str]:
    skip = set(EXTRINSIC) | ({"theta_jn", "phase"} if settings.separable else set())
    return [n for n in prior_names if n not in skip]


def lal_arguments(params: dict, settings: WaveformSettings) -> dict:
    """PyCBC ``get_fd_waveform`` arguments for one parameter set (bilby names)."""
    m1, m2 = component_masses(params["chirp_mass"], params["mass_ratio"])
    m1, m2 = float(m1), float(m2)
    theta_jn = float(params.get("theta_jn", 0.0))
    phase = float(params.get("phase", 0.0))
    args = {"mass1": m1, "mass2": m2, "coa_phase": phase, "inclination": theta_jn}
    if settings.aligned:
        args.update(spin1z=float(params.get("chi_1", 0.0)), spin2z=float(params.get("chi_2", 0.0)))
    else:
        import lalsimulation as lalsim

        iota, s1x, s1y, s1z, s2x, s2y, s2z = lalsim.SimInspiralTransformPrecessingNewInitialConditions(
            theta_jn, float(params.get("phi_jl", 0.0)), float(params.get("tilt_1", 0.0)),
            float(params.get("tilt_2", 0.0)), float(params.get("phi_12", 0.0)),
            float(params.get("a_1", 0.0)), float(params.get("a_2", 0.0)),
            m1 * MSUN_SI, m2 * MSUN_SI, settings.reference_frequency, phase)
        args.update(inclination=iota, spin1x=s1x, spin1y=s1y, spin1z=s1z,
                    spin2x=s2x, spin2y=s2y, spin2z=s2z)
    return args


def polarizations(params: dict, settings: WaveformSettings, domain: FrequencyDomain):
    """(h+, h×) on the in-band bins of ``domain`` at 1 Mpc; raises on failure or non-finite output."""
    from pycbc.waveform import get_fd_waveform

    hp, hc = get_fd_waveform(approximant=settings.approximant, distance=1.0,
                             delta_f=domain.delta_f, f_lower=domain.f_min,
                             f_final=domain.f_max, f_ref=settings.reference_frequency,
                             **lal_arguments(params, settings))
    lo, hi = domain.band_slice.start, domain.band_slice.stop
    out = []
    for h in (hp, hc):
        x = h.numpy()[lo:hi]
        if x.size < hi - lo:                  # LAL may stop short of f_max (zero there)
            x = np.concatenate([x, np.zeros(hi - lo - x.size, dtype=complex)])
        if not np.all(np.isfinite(x)):
            raise ValueError("non-finite waveform")
        out.append(x)
    return out[0], out[1]


def apply_angles(a, theta_jn, phase):
    """(h+, h×) of a separable 22-mode waveform from its ι = φ = 0 amplitude ``a``
    (numpy arrays or torch tensors)."""
    xp = namespace(a)
    c = xp.cos(like(theta_jn, a))[..., None]
    rot = xp.exp(2j * like(phase, a))[..., None]
    return a * (0.5 * (1 + c**2) * rot), a * (-1j * c * rot)


def _generate_chunk(args):
    params, settings, domain = args
    n = len(next(iter(params.values())))
    hp = np.zeros((n, int(domain.mask.sum())), dtype=complex)
    # separable models: h× = -i h+ at ι = φ = 0, so it is neither kept nor sent back
    hc = np.zeros((n if not settings.separable else 0, hp.shape[1]), dtype=complex)
    failed = np.zeros(n, dtype=bool)
    for i in range(n):
        p = {k: v[i] for k, v in params.items()}
        if settings.separable:
            p.update(theta_jn=0.0, phase=0.0)
        try:
            a, b = polarizations(p, settings, domain)
            hp[i] = a
            if hc.shape[0]:
                hc[i] = b
        except Exception:  # LAL raises RuntimeError/ValueError for parameters it cannot do
            failed[i] = True
    return hp, hc, failed


def generate(params: dict[str, np.ndarray], settings: WaveformSettings, domain: FrequencyDomain,
             threads: int = 1, chunk: int = 256):
    """Waveforms for every row of ``params``, in parallel over ``threads`` processes.

    Returns (h_plus, h_cross, failed mask); rows that failed are zero. For separable
    models h_cross is empty (it is -i h_plus).
    """
    n = len(next(iter(params.values())))
    jobs = [({k: v[i:i + chunk] for k, v in params.items()}, settings, domain) for i in range(0, n, chunk)]
    if threads > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(_generate_chunk, jobs))
    else:
        results = [_generate_chunk(j) for j in jobs]
    return (np.concatenate([r[0] for r in results]), np.concatenate([r[1] for r in results]),
            np.concatenate([r[2] for r in results]))


# -- the intrinsic training set ----------------------------------------------------------

def draw_and_generate(prior, names: list[str], n: int, settings: WaveformSettings,
                      domain: FrequencyDomain, rng: np.random.Generator, threads: int = 1,
                      max_rounds: int = 10):
    """n intrinsic parameter sets from ``prior`` and their waveforms; parameters whose
    waveform fails (or is non-finite) are redrawn. Returns (params, h_plus, h_cross, n_failed)."""
    params = {k: v for k, v in prior.sample(rng, n).items() if k in names}
    hp, hc, failed = generate(params, settings, domain, threads)
    n_failed = int(failed.sum())
    for _ in range(max_rounds):
        if not failed.any():
            break
        idx = np.flatnonzero(failed)
        redraw = {k: v for k, v in prior.sample(rng, idx.size).items() if k in names}
        for k in params:
            params[k][idx] = redraw[k]
        hp[idx], hc_new, again = generate(redraw, settings, domain, threads)
        if hc.shape[0]:
            hc[idx] = hc_new
        failed[idx] = again
        n_failed += int(again.sum())
    if failed.any():
        raise RuntimeError(f"{int(failed.sum())} waveforms still failing after {max_rounds} redraws")
    return params, hp, hc, n_failed


def reduced_basis(samples: np.ndarray, size: int) -> np.ndarray:
    """Orthonormal basis V (columns: the first ``size`` right-singular vectors of the rows of
    ``samples``). Coefficients of a row x are ``x @ V.conj()``; ``c @ V.T`` reconstructs it."""
    _, _, vh = np.linalg.svd(samples, full_matrices=False)
    return vh[:size].T


def mismatch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 - normalised overlap (rows), in whatever (whitened) inner product the inputs carry."""
    num = np.real(np.sum(np.conj(a) * b, axis=-1))
    return 1.0 - num / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))

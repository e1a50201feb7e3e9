"""Frequency-domain waveforms, generated with LALSimulation's ``SimInspiralChooseFDWaveform``.

Waveforms are generated at a reference luminosity distance of 1 Mpc, coalescing at t = 0,
on the in-band bins of a :class:`~gwda.gw.domain.FrequencyDomain`. For 22-mode aligned-spin
approximants the inclination and phase dependence is analytic,
``h+ = A (1 + cos²ι)/2 e^{2iφ}``, ``h× = -i A cos ι e^{2iφ}``, so the dataset holds only
``A`` (generated at ι = φ = 0) and θ_jn, φ are drawn per batch; for other approximants
θ_jn and φ are intrinsic parameters of the dataset.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core.arrays import like, namespace
from ..core.parallel import map_chunks
from .approximants import ALIGNED_SPIN_APPROXIMANTS, SEPARABLE_APPROXIMANTS
from .conversions import component_masses
from .domain import FrequencyDomain

log = logging.getLogger(__name__)

EXTRINSIC = ("luminosity_distance", "ra", "dec", "psi", "geocent_time")
MSUN_SI = 1.988409870698051e30        # lal.MSUN_SI
MPC_SI = 3.085677581491367e22          # lal.PC_SI * 1e6


@dataclass(frozen=True)
class WaveformSettings:
    approximant: str
    reference_frequency: float

    @classmethod
    def from_settings(cls, waveform: dict) -> WaveformSettings:
        """The settings of the config's ``waveform`` section."""
        return cls(waveform["approximant"], float(waveform["reference_frequency"]))

    @property
    def separable(self) -> bool:
        return self.approximant in SEPARABLE_APPROXIMANTS

    @property
    def aligned(self) -> bool:
        return self.approximant in ALIGNED_SPIN_APPROXIMANTS


def intrinsic_names(settings: WaveformSettings, prior_names: list[str]) -> list[str]:
    skip = set(EXTRINSIC) | ({"theta_jn", "phase"} if settings.separable else set())
    return [n for n in prior_names if n not in skip]


def lal_arguments(params: dict, settings: WaveformSettings) -> tuple:
    """Positional arguments of ``SimInspiralChooseFDWaveform`` up to the distance and the
    angles, for one parameter set (bilby names; masses in solar masses)."""
    m1, m2 = component_masses(params["chirp_mass"], params["mass_ratio"])
    m1, m2 = float(m1), float(m2)
    theta_jn = float(params.get("theta_jn", 0.0))
    phase = float(params.get("phase", 0.0))
    if settings.aligned:
        iota, spins = theta_jn, (0.0, 0.0, float(params.get("chi_1", 0.0)),
                                 0.0, 0.0, float(params.get("chi_2", 0.0)))
    else:
        import lalsimulation as lalsim

        iota, *spins = lalsim.SimInspiralTransformPrecessingNewInitialConditions(
            theta_jn, float(params.get("phi_jl", 0.0)), float(params.get("tilt_1", 0.0)),
            float(params.get("tilt_2", 0.0)), float(params.get("phi_12", 0.0)),
            float(params.get("a_1", 0.0)), float(params.get("a_2", 0.0)),
            m1 * MSUN_SI, m2 * MSUN_SI, settings.reference_frequency, phase)
    return m1, m2, tuple(spins), iota, phase


def polarizations(params: dict, settings: WaveformSettings, domain: FrequencyDomain, cross: bool = True):
    """(h+, h×) on the in-band bins of ``domain`` at 1 Mpc; raises on failure or non-finite
    output. This is the LALSimulation call PyCBC's ``get_fd_waveform`` makes, without its
    wrapping (tests check that the two agree). ``cross=False`` returns (h+,) alone."""
    import lalsimulation as lalsim

    m1, m2, spins, iota, phase = lal_arguments(params, settings)
    hp, hc = lalsim.SimInspiralChooseFDWaveform(
        m1 * MSUN_SI, m2 * MSUN_SI, *spins, MPC_SI, iota, phase, 0.0, 0.0, 0.0,
        domain.delta_f, domain.f_min, domain.f_max, settings.reference_frequency, None,
        _approximant_enum(settings.approximant))
    lo, hi = domain.band_slice.start, domain.band_slice.stop
    out = []
    for h in (hp, hc) if cross else (hp,):
        x = h.data.data[lo:hi]
        if x.size < hi - lo:                  # LAL may stop short of f_max (zero there)
            x = np.concatenate([x, np.zeros(hi - lo - x.size, dtype=complex)])
        if not np.all(np.isfinite(x)):
            raise ValueError("non-finite waveform")
        out.append(x)
    return tuple(out)


def time_before_merger(params: dict, settings: WaveformSettings, frequencies, duration: float = 16.0,
                       sample_rate: float = 4096.0) -> np.ndarray:
    """t(f) = -(1/2π) dΨ/df (seconds, negative: before the waveform's t = 0) at each of
    ``frequencies``, per sample of ``params`` (arrays): the time at which the signal passes f
    by the stationary-phase relation, Ψ the phase of h+(f) on a grid of 1/``duration`` Hz."""
    frequencies = np.atleast_1d(np.asarray(frequencies, dtype=float))
    domain = FrequencyDomain(duration=duration, sample_rate=sample_rate, f_min=max(1.0, frequencies.min() - 5.0),
                             f_max=min(sample_rate / 2, frequencies.max() + 5.0))
    f = domain.frequencies[domain.band_slice]
    n = np.atleast_1d(next(iter(params.values()))).size
    out = np.empty((n, frequencies.size))
    for i in range(n):
        (plus,) = polarizations({k: float(np.atleast_1d(v)[i]) for k, v in params.items()}, settings, domain,
                                cross=False)
        out[i] = np.interp(frequencies, f, -np.gradient(np.unwrap(np.angle(plus)), f) / (2 * np.pi))
    return out


@lru_cache(maxsize=None)
def _approximant_enum(name: str) -> int:
    import lalsimulation as lalsim

    try:
        return lalsim.GetApproximantFromString(name)
    except RuntimeError:
        raise ValueError(f"unknown approximant {name!r} (config key 'waveform.approximant')") from None


def angle_factors(theta_jn, phase, like_array):
    """(h+ / a, h× / a) of a separable 22-mode waveform whose ι = φ = 0 amplitude is ``a``:
    one complex number per row (numpy arrays or torch tensors, as ``like_array``)."""
    xp = namespace(like_array)
    c = xp.cos(like(theta_jn, like_array))
    rot = xp.exp(2j * like(phase, like_array))
    return 0.5 * (1 + c**2) * rot, -1j * c * rot


def apply_angles(a, theta_jn, phase):
    """(h+, h×) of a separable 22-mode waveform from its ι = φ = 0 amplitude ``a``
    (numpy arrays or torch tensors)."""
    plus, cross = angle_factors(theta_jn, phase, a)
    return a * plus[..., None], a * cross[..., None]


_BLOCK = 64


def _generate_chunk(args):
    """Waveforms for a chunk of rows, or their reduced-basis coefficients if a basis is given
    (then only the small coefficient arrays travel back from the worker process)."""
    params, settings, domain, basis, weight = args
    n = len(next(iter(params.values())))
    n_bins = int(domain.mask.sum())
    # separable models: h× = -i h+ at ι = φ = 0, so it is neither kept nor sent back
    n_pol = 1 if settings.separable else 2
    failed = np.zeros(n, dtype=bool)
    if basis is None:
        out = np.zeros((n_pol, n, n_bins), dtype=complex)
        buffer, rows = out, max(n, 1)
    else:
        # Projected in blocks of rows as they come, in single precision (the coefficients are
        # stored as complex64): a whole chunk of full waveforms is never held, whose memory
        # traffic would otherwise cost more than the waveform calls.
        b = (weight[:, None] * basis.conj()).astype(np.complex64)     # (h · weight) @ conj(basis)
        out = np.zeros((n_pol, n, b.shape[1]), dtype=np.complex64)
        buffer, rows = np.zeros((n_pol, _BLOCK, n_bins), dtype=np.complex64), _BLOCK
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        for i in range(start, stop):
            p = {k: v[i] for k, v in params.items()}
            if settings.separable:
                p.update(theta_jn=0.0, phase=0.0)
            try:
                h = polarizations(p, settings, domain, cross=n_pol == 2)
            except Exception:  # LAL raises RuntimeError/ValueError for parameters it cannot do
                failed[i] = True
                buffer[:, i - start] = 0.0
                continue
            for j in range(n_pol):
                buffer[j, i - start] = h[j]
        if basis is not None:
            out[:, start:stop] = buffer[:, :stop - start] @ b
    hc = out[1] if n_pol == 2 else np.zeros((0, out.shape[2]), dtype=out.dtype)
    return out[0], hc, failed


def generate(params: dict[str, np.ndarray], settings: WaveformSettings, domain: FrequencyDomain,
             threads: int = 1, chunk: int = 500, basis: np.ndarray | None = None,
             weight: np.ndarray | None = None):
    """Waveforms for every row of ``params``, in parallel over ``threads`` processes.

    Returns (h_plus, h_cross, failed mask); rows that failed are zero. For separable models
    h_cross is empty (it is -i h_plus). With ``basis`` (and the whitening ``weight`` it was
    built with) the returned arrays are the coefficients ``(h * weight) @ basis.conj()``.
    """
    results = map_chunks(_generate_chunk, params, (settings, domain, basis, weight), threads, chunk)
    return tuple(np.concatenate([r[i] for r in results]) for i in range(3))


def draw_and_generate(prior, names: list[str], n: int, settings: WaveformSettings,
                      domain: FrequencyDomain, rng: np.random.Generator, threads: int = 1,
                      max_rounds: int = 10, basis: np.ndarray | None = None,
                      weight: np.ndarray | None = None):
    """n intrinsic parameter sets from ``prior`` and their waveforms (or reduced-basis
    coefficients, see :func:`generate`); parameters whose waveform fails (or is non-finite)
    are redrawn. Returns (params, h_plus, h_cross, n_failed)."""
    params = {k: v for k, v in prior.sample(rng, n).items() if k in names}
    hp, hc, failed = generate(params, settings, domain, threads, basis=basis, weight=weight)
    n_failed = int(failed.sum())
    for _ in range(max_rounds):
        if not failed.any():
            break
        idx = np.flatnonzero(failed)
        redraw = {k: v for k, v in prior.sample(rng, idx.size).items() if k in names}
        for k in params:
            params[k][idx] = redraw[k]
        hp[idx], hc_new, again = generate(redraw, settings, domain, threads, basis=basis, weight=weight)
        if hc.shape[0]:
            hc[idx] = hc_new
        failed[idx] = again
        n_failed += int(again.sum())
    if failed.any():
        raise RuntimeError(f"{int(failed.sum())} waveforms still failing after {max_rounds} redraws")
    return params, hp, hc, n_failed

"""A first matched-filter search of an event's data over a wide template bank: the trigger's
chirp mass, arrival times and SNR, before anything is known about the source (the settings
that follow from them are in :mod:`gwda.gw.event_settings`).

The bank is stochastic: aligned-spin templates drawn log-uniformly in detector-frame chirp
mass and uniformly in mass ratio and spins. Each detector's data (the whole search span,
Tukey-windowed and whitened with a median-Welch PSD of the same span, which the median makes
robust to the signal it contains) are filtered against every template,
``z_I(t) = Σ_f d_w(f) h_w*(f) e^{2πi f t} / ||h_w||`` (convention of :mod:`gwda.gw.domain`);
|z| is the SNR maximised over phase. A template's network statistic is the largest
``|z_ref(t)|² + max |z_I(t')|²`` with ``t`` within ``window`` of the trigger time and each
``t'`` within the light travel time (+1 ms) of ``t``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d

from .detectors import SPEED_OF_LIGHT, Detector
from .domain import FrequencyDomain
from .waveforms import WaveformSettings, generate

log = logging.getLogger(__name__)

#: The bank's templates: an aligned-spin 22-mode model, whose h× is -i h+ (one polarisation).
BANK_APPROXIMANT = "IMRPhenomD"


def draw_bank(n: int, chirp_mass: tuple[float, float], mass_ratio: tuple[float, float],
              chi: tuple[float, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` templates: detector-frame chirp mass log-uniform, mass ratio and both aligned
    spins uniform on their ranges."""
    return {"chirp_mass": np.exp(rng.uniform(np.log(chirp_mass[0]), np.log(chirp_mass[1]), n)),
            "mass_ratio": rng.uniform(*mass_ratio, n),
            "chi_1": rng.uniform(*chi, n), "chi_2": rng.uniform(*chi, n)}


def bank_density(chirp_mass: np.ndarray, stages: list[tuple[int, tuple[float, float]]]) -> np.ndarray:
    """Templates per unit ln M at each ``chirp_mass`` of a bank drawn in stages of (n, range)
    log-uniformly."""
    m = np.asarray(chirp_mass, dtype=float)
    return sum(n / np.log(hi / lo) * ((m >= lo) & (m <= hi)) for n, (lo, hi) in stages)


def chirp_mass_estimate(found: BankSearch, stages: list[tuple[int, tuple[float, float]]]) -> dict:
    """The chirp mass the bank measures: mean and standard deviation of ln M over the
    templates weighted by exp(ρ²/2) / (the bank's density in ln M), a profile-likelihood
    posterior under a log-uniform prior (which the loudest template alone, one draw among
    many near-equals along the mass-spin degeneracy, estimates less well); and the
    weights' effective number."""
    ln_m = np.log(found.parameters["chirp_mass"])
    ok = np.isfinite(found.network_snr2)
    w = np.zeros(ln_m.size)
    w[ok] = np.exp(0.5 * (found.network_snr2[ok] - found.network_snr2[ok].max()))
    w[ok] /= bank_density(found.parameters["chirp_mass"][ok], stages)
    w /= w.sum()
    mean = float(np.sum(w * ln_m))
    return {"chirp_mass": float(np.exp(mean)), "sigma_ln": float(np.sqrt(np.sum(w * (ln_m - mean) ** 2))),
            "effective_templates": float(1.0 / np.sum(w**2))}


def coincidence_samples(ifos: list[str], sample_rate: float) -> dict[str, int]:
    """Samples within the light travel time (+1 ms) between each detector and the first."""
    ref = Detector(ifos[0]).location
    return {ifo: int(np.ceil((np.linalg.norm(Detector(ifo).location - ref) / SPEED_OF_LIGHT + 1e-3) * sample_rate))
            for ifo in ifos[1:]}


@dataclass
class BankSearch:
    parameters: dict[str, np.ndarray]   # the bank
    network_snr2: np.ndarray            # per template: its loudest coincident network SNR²
    times: dict[str, np.ndarray]        # per template and detector: the peak's time (s after the trigger)
    snr: dict[str, np.ndarray]          # per template and detector: SNR at the peak
    sigma: dict[str, np.ndarray]        # per template and detector: ||h_w|| at 1 Mpc, face-on, overhead

    @property
    def best(self) -> int:
        return int(np.argmax(self.network_snr2))

    @property
    def network_snr(self) -> float:
        return float(np.sqrt(self.network_snr2[self.best]))

    def __add__(self, other: BankSearch) -> BankSearch:
        """The two searches' banks as one."""
        def cat(a, b):
            return {k: np.concatenate([a[k], b[k]]) for k in a}
        return BankSearch(cat(self.parameters, other.parameters),
                          np.concatenate([self.network_snr2, other.network_snr2]),
                          cat(self.times, other.times), cat(self.snr, other.snr), cat(self.sigma, other.sigma))

    def loudest(self, delta: float) -> np.ndarray:
        """Indices of the templates within ``delta`` of the largest network SNR²."""
        return np.flatnonzero(self.network_snr2 >= self.network_snr2[self.best] - delta)


def search(strain: dict[str, np.ndarray], psds: dict[str, np.ndarray], domain: FrequencyDomain,
           offset: float, bank: dict[str, np.ndarray], window: float, threads: int = 1,
           chunk: int = 256) -> BankSearch:
    """Filter each detector's ``strain`` (time series over ``domain``; its PSD on
    ``domain.frequencies``) with every template of ``bank``. ``offset``: the trigger time's
    position in the series (s); peaks are searched within ``window`` (s) of it."""
    ifos = list(strain)
    settings = WaveformSettings(BANK_APPROXIMANT, reference_frequency=20.0)
    h_plus, _, failed = generate(bank, settings, domain, threads=threads)
    if failed.any():
        log.warning("%d of %d templates failed to generate; they are left out", failed.sum(), failed.size)
    bins = np.flatnonzero(domain.mask)
    n_t = 2 * int(2 ** np.ceil(np.log2(bins[-1] + 1)))           # SNR series at about 4 f_max
    rate = n_t / domain.duration
    t = np.arange(n_t) / rate - offset
    reach = coincidence_samples(ifos, rate)
    margin = max(reach.values(), default=0)
    keep = np.flatnonzero(np.abs(t) <= window + (margin + 1) / rate)
    search_here = np.abs(t[keep]) <= window

    whitened, weights = {}, {}
    for ifo in ifos:
        weights[ifo] = domain.whitening_factor(psds[ifo])[domain.mask]
        whitened[ifo] = domain.whiten_segment(strain[ifo], psds[ifo])
    n = h_plus.shape[0]
    net = np.full(n, -np.inf)
    times = {ifo: np.zeros(n) for ifo in ifos}
    snr = {ifo: np.zeros(n) for ifo in ifos}
    sigma = {ifo: np.zeros(n) for ifo in ifos}
    ref = ifos[0]
    for start in range(0, n, chunk):
        rows = slice(start, min(n, start + chunk))
        power = {}
        for ifo in ifos:
            h_w = h_plus[rows] * weights[ifo]
            norm = np.sqrt(np.sum(np.abs(h_w) ** 2, axis=1))
            sigma[ifo][rows] = norm
            full = np.zeros((h_w.shape[0], n_t), dtype=complex)
            full[:, bins] = whitened[ifo] * np.conj(h_w)
            z = np.fft.ifft(full, axis=1)[:, keep] * n_t
            power[ifo] = np.abs(z) ** 2 / np.maximum(norm, 1e-300)[:, None] ** 2
        stat = power[ref].copy()
        for ifo in ifos[1:]:
            stat += maximum_filter1d(power[ifo], 2 * reach[ifo] + 1, axis=1)
        stat[:, ~search_here] = -np.inf
        col = np.argmax(stat, axis=1)
        r = np.arange(stat.shape[0])
        net[rows] = stat[r, col]
        times[ref][rows] = t[keep][col]
        snr[ref][rows] = np.sqrt(power[ref][r, col])
        for ifo in ifos[1:]:
            near = np.clip(col[:, None] + np.arange(-reach[ifo], reach[ifo] + 1)[None], 0, keep.size - 1)
            best = near[r, np.argmax(power[ifo][r[:, None], near], axis=1)]
            times[ifo][rows] = t[keep][best]
            snr[ifo][rows] = np.sqrt(power[ifo][r, best])
    net[failed] = -np.inf
    result = BankSearch(bank, net, times, snr, sigma)
    b = result.best
    log.info("search over %d templates: loudest network SNR %.1f (%s) at detector-frame chirp mass %.2f Msun, "
             "arrival %s ms after the trigger", n, result.network_snr,
             ", ".join(f"{ifo} {snr[ifo][b]:.1f}" for ifo in ifos), bank["chirp_mass"][b],
             ", ".join(f"{ifo} {1e3 * times[ifo][b]:.1f}" for ifo in ifos))
    return result

"""Matched filtering of an event's whitened data over a reduced-basis template bank: the
per-detector arrival times that serve as time-alignment proxies (:mod:`gwda.gw.alignment`).

The complex SNR time series of a template h in detector I (convention of
:mod:`gwda.gw.domain`: ⟨a, b⟩ = Re Σ a_w* b_w over in-band bins) is
``z_I(t) = Σ_f d_w(f) h_w*(f) e^{2πi f t} / ||h_w||``; |z| is the SNR maximised over the
template's phase. The bank is the training set itself: templates ``h_k = Σ_j c_kj R_j``
in the reduced basis R of :func:`gwda.core.reduced_basis.reduced_basis`, so that
``z_I,k(t) = Σ_j c_kj* Y_I,j(t) / ||h_k W_I||`` with one inverse FFT
``Y_I,j = IFFT(d_I W_I R_j*)`` per basis element instead of one per template.

Each template's peak is the largest network SNR² with the other detectors' arrival times
within the light travel time (+1 ms) of the first detector's. Templates along the
mass–spin degeneracy fit the data almost equally well with merger times a few milliseconds
apart, so the arrival times are the averages of the templates' peak times weighted by
exp(ρ²/2) (a profile likelihood over the bank, which is drawn from the prior) rather than
the loudest template's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d

from .detectors import SPEED_OF_LIGHT
from .simulator import Simulator

log = logging.getLogger(__name__)


@dataclass
class Trigger:
    times: dict[str, float]     # arrival time per detector, s relative to the trigger time
    snr: dict[str, float]       # SNR per detector of the loudest template at its peak
    template: dict[str, float]  # intrinsic parameters of the loudest template
    effective_templates: float  # ESS of the exp(ρ²/2) weights over the bank

    @property
    def network_snr(self) -> float:
        return float(np.sqrt(sum(v**2 for v in self.snr.values())))


def _reach(sim: Simulator) -> dict[str, int]:
    """Samples within the light travel time (+1 ms) between each detector and the first."""
    ref = sim.detectors[sim.ifos[0]]
    return {ifo: int(np.ceil((np.linalg.norm(sim.detectors[ifo].location - ref.location) / SPEED_OF_LIGHT + 1e-3)
                             * sim.domain.sample_rate)) for ifo in sim.ifos[1:]}


def bank_peaks(sim: Simulator, data: dict[str, np.ndarray], coefficients: np.ndarray, basis: np.ndarray,
               window: float = 0.15, chunk: int = 4000) -> tuple[np.ndarray, dict[str, np.ndarray], dict]:
    """Per template (rows of ``coefficients`` over the rows of ``basis``, unwhitened, at
    1 Mpc): the network SNR² of its loudest coincidence within ``window`` (s) of the trigger
    time, the per-detector peak times (s) and SNRs."""
    d = sim.domain
    n = d.n_samples
    t = sim.sample_times()
    keep = np.abs(t) <= window + 0.02
    ref, reach = sim.ifos[0], _reach(sim)
    y, gram = {}, {}
    for ifo in sim.ifos:
        rw = basis * sim.whitening[ifo]
        full = d.on_full_grid(data[ifo][None] * np.conj(rw))          # zero-padded to n below
        y[ifo] = (np.fft.ifft(full, n=n, axis=1)[:, keep] * n).astype(np.complex64)
        gram[ifo] = np.conj(rw) @ rw.T
    tk = t[keep]
    search = np.abs(tk) <= window
    k = coefficients.shape[0]
    net = np.empty(k)
    times = {ifo: np.empty(k) for ifo in sim.ifos}
    snr = {ifo: np.empty(k) for ifo in sim.ifos}
    rows = np.arange(min(chunk, k))
    for start in range(0, k, chunk):
        c = coefficients[start:start + chunk].astype(np.complex128)
        r = rows[:c.shape[0]]
        power = {}
        for ifo in sim.ifos:
            norm2 = np.real(np.einsum("kj,jl,kl->k", np.conj(c), gram[ifo], c))
            power[ifo] = np.abs(np.conj(c).astype(np.complex64) @ y[ifo]) ** 2 / norm2[:, None]
        stat = power[ref].copy()
        for ifo in sim.ifos[1:]:
            stat += maximum_filter1d(power[ifo], 2 * reach[ifo] + 1, axis=1)
        stat[:, ~search] = -np.inf
        col = np.argmax(stat, axis=1)
        net[start:start + c.shape[0]] = stat[r, col]
        times[ref][start:start + c.shape[0]] = tk[col]
        snr[ref][start:start + c.shape[0]] = np.sqrt(power[ref][r, col])
        for ifo in sim.ifos[1:]:
            near = np.clip(col[:, None] + np.arange(-reach[ifo], reach[ifo] + 1)[None], 0, tk.size - 1)
            best = near[r, np.argmax(power[ifo][r[:, None], near], axis=1)]
            times[ifo][start:start + c.shape[0]] = tk[best]
            snr[ifo][start:start + c.shape[0]] = np.sqrt(power[ifo][r, best])
    return net, times, snr


def find_trigger(sim: Simulator, data: dict[str, np.ndarray], params: dict[str, np.ndarray],
                 coefficients: np.ndarray, basis: np.ndarray, window: float = 0.15) -> Trigger:
    """Arrival times of the signal in ``data``: exp(ρ²/2)-weighted mean of the bank's peak
    times (module doc); ``params`` are the templates' intrinsic parameters."""
    net, times, snr = bank_peaks(sim, data, coefficients, basis, window)
    best = int(np.argmax(net))
    w = np.exp(0.5 * (net - net[best]))
    trigger = Trigger(times={ifo: float(np.sum(w * v) / w.sum()) for ifo, v in times.items()},
                      snr={ifo: float(v[best]) for ifo, v in snr.items()},
                      template={k: float(v[best]) for k, v in params.items()},
                      effective_templates=float(w.sum() ** 2 / np.sum(w**2)))
    log.info("matched filter over %d templates: loudest network SNR %.1f (%s); arrival times %s ms after the "
             "trigger (%.0f effective templates)", net.size, trigger.network_snr,
             ", ".join(f"{k} {v:.1f}" for k, v in trigger.snr.items()),
             ", ".join(f"{k} {1e3 * v:.2f}" for k, v in trigger.times.items()), trigger.effective_templates)
    return trigger

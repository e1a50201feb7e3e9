"""The one simulator: waveform -> detector projection -> whitening -> noise.

It serves the training data, the injections and the exact likelihood used for importance
sampling (:mod:`gwda.gw.likelihood`), so the three cannot drift apart. All data are
whitened, in-band frequency-domain strain (the convention of :mod:`gwda.gw.domain`):
Gaussian noise has unit variance in the real and imaginary part of every bin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.arrays import like, namespace, time_shift_factor
from .detectors import Detector
from .domain import FrequencyDomain
from .psd import PSD
from .segments import analysis_spans
from .waveforms import WaveformSettings, angle_factors, apply_angles, polarizations


@dataclass
class Simulator:
    domain: FrequencyDomain
    psds: dict[str, np.ndarray]          # one-sided PSD per detector on domain.frequencies
    trigger_time: float
    segment_start: float
    waveform: WaveformSettings
    detectors: dict[str, Detector] = field(init=False)

    @classmethod
    def from_settings(cls, data: dict, waveform: dict, psds: list[PSD], trigger_time: float) -> Simulator:
        """The simulator of an event's analysis: the config's ``data`` and ``waveform``
        sections, the detectors' estimated PSDs (on the analysis grid) and the trigger time."""
        domain = FrequencyDomain.from_settings(data)
        for psd in psds:
            if psd.frequencies.size != domain.frequencies.size or not np.isclose(psd.delta_f, domain.delta_f):
                raise ValueError(f"{psd.source or psd.detector}: PSD grid (Δf = {psd.delta_f} Hz, "
                                 f"{psd.frequencies.size} bins) does not match the analysis domain "
                                 f"(Δf = {domain.delta_f} Hz, {domain.frequencies.size} bins)")
        segment = analysis_spans(trigger_time, data).segment
        return cls(domain, {p.detector: p.values for p in psds}, trigger_time, segment.start,
                   WaveformSettings.from_settings(waveform))

    def __post_init__(self):
        self.detectors = {ifo: Detector(ifo) for ifo in self.psds}
        self.freqs = self.domain.frequencies[self.domain.mask]
        self.whitening = {ifo: self.domain.whitening_factor(psd)[self.domain.mask]
                          for ifo, psd in self.psds.items()}

    @property
    def ifos(self) -> list[str]:
        return list(self.psds)

    @property
    def n_bins(self) -> int:
        return self.freqs.size

    # -- projection --------------------------------------------------------------------
    def arrival_times(self, ext: dict) -> dict:
        """Arrival time at each detector, relative to the trigger time (s): ``geocent_time``
        plus the detector's delay from the geocentre for ``ra``, ``dec``."""
        ref = ext["ra"]
        return {ifo: like(ext["geocent_time"], ref)
                + det.time_delay_from_geocenter(ref, like(ext["dec"], ref), self.trigger_time)
                for ifo, det in self.detectors.items()}

    def project(self, h_plus: np.ndarray, h_cross: np.ndarray, ext: dict,
                align: dict | None = None, arrival: dict | None = None) -> dict[str, np.ndarray]:
        """Whitened detector strain (rows: samples) from polarizations at 1 Mpc.

        ``ext`` holds arrays ``luminosity_distance`` (Mpc), ``ra``, ``dec``, ``psi`` and
        ``geocent_time`` (s, relative to the trigger time). With ``align`` (per detector, s
        relative to the trigger) the strain is that of data aligned by :meth:`align_data`.
        ``arrival``: the detectors' :meth:`arrival_times` of ``ext``, where the caller has them.
        Works on numpy arrays and on torch tensors (any device).
        """
        return {ifo: (fp[..., None] * h_plus + fc[..., None] * h_cross) * (inv_d[..., None] * shift)
                for ifo, fp, fc, inv_d, shift in self._responses(h_plus, ext, align, arrival)}

    def project_amplitude(self, amplitude, plus, cross, ext: dict, align: dict | None = None,
                          arrival: dict | None = None) -> dict:
        """:meth:`project` for ``h+ = plus · amplitude`` and ``h× = cross · amplitude`` with
        ``plus``, ``cross`` one complex number per row (separable 22-mode waveforms, see
        :func:`gwda.gw.waveforms.angle_factors`): each detector's strain is then one complex
        number per row times the amplitude, and h+, h× are never formed."""
        return {ifo: amplitude * shift * ((fp * plus + fc * cross) * inv_d)[..., None]
                for ifo, fp, fc, inv_d, shift in self._responses(amplitude, ext, align, arrival)}

    def _responses(self, like_array, ext: dict, align: dict | None, arrival: dict | None):
        """Per detector: antenna patterns F+, F×, 1/distance (rows) and the time shift times
        whitening (rows × bins), in the array type of ``like_array``."""
        xp = namespace(like_array)
        ref = like(ext["ra"], like_array)
        t_gps = self.trigger_time
        inv_d = 1.0 / like(ext["luminosity_distance"], ref)
        freqs64 = xp.as_tensor(self.freqs, device=ref.device) if xp is not np else self.freqs
        offset = self.trigger_time - self.segment_start
        if arrival is None:
            arrival = self.arrival_times({k: like(ext[k], ref) for k in ("geocent_time", "ra", "dec")})
        for ifo, det in self.detectors.items():
            fp, fc = det.antenna_pattern(ref, like(ext["dec"], ref), like(ext["psi"], ref), t_gps)
            shift = arrival[ifo] - (like(align[ifo], ref) if align is not None else 0.0)
            if xp is np:
                phase = np.exp(-2j * np.pi * (freqs64 * (shift + offset)[..., None]))
            else:
                phase = time_shift_factor(freqs64, shift.double() + offset, ref.dtype)
            yield ifo, fp, fc, inv_d, phase * like(self.whitening[ifo], ref)

    def polarizations(self, params: dict) -> tuple[np.ndarray, np.ndarray]:
        """(h+, h×) at 1 Mpc for every row of ``params`` (generated with LALSimulation)."""
        if self.waveform.separable:
            return apply_angles(self.amplitudes(params), params["theta_jn"], params["phase"])
        n = np.size(params["chirp_mass"])
        hp = np.empty((n, self.n_bins), dtype=complex)
        hc = np.empty_like(hp)
        for i in range(n):
            hp[i], hc[i] = polarizations({k: np.ravel(v)[i] for k, v in params.items()}, self.waveform, self.domain)
        return hp, hc

    def amplitudes(self, params: dict) -> np.ndarray:
        """The ι = φ = 0 h+ at 1 Mpc of separable 22-mode waveforms, for every row of ``params``
        (h+ and h× at other angles: :func:`gwda.gw.waveforms.angle_factors`)."""
        n = np.size(params["chirp_mass"])
        out = np.empty((n, self.n_bins), dtype=complex)
        for i in range(n):
            row = {k: np.ravel(v)[i] for k, v in params.items()}
            out[i], = polarizations({**row, "theta_jn": 0.0, "phase": 0.0}, self.waveform, self.domain, cross=False)
        return out

    def signal(self, params: dict) -> dict[str, np.ndarray]:
        """Whitened detector signals for parameter arrays (full parameter sets)."""
        if self.waveform.separable:
            amplitude = self.amplitudes(params)
            plus, cross = angle_factors(params["theta_jn"], params["phase"], amplitude)
            return self.project_amplitude(amplitude, plus, cross, params)
        hp, hc = self.polarizations(params)
        return self.project(hp, hc, params)

    # -- noise and data ------------------------------------------------------------------
    def noise(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        shape = (n, self.n_bins)
        return {ifo: rng.standard_normal(shape) + 1j * rng.standard_normal(shape) for ifo in self.ifos}

    def whiten_segment(self, strain_segment: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Whitened in-band data of time-domain analysis segments (one array per detector)."""
        return {ifo: self.domain.whiten_segment(x, self.psds[ifo]) for ifo, x in strain_segment.items()}

    def align_data(self, data: dict[str, np.ndarray], align: dict[str, float]) -> dict[str, np.ndarray]:
        """Shift each detector's whitened data earlier by ``align[ifo]`` (s): a signal arriving
        at ``align[ifo]`` after the trigger then appears at the trigger time. Noise stays
        white (a phase per bin)."""
        return {ifo: d * np.exp(2j * np.pi * self.freqs * align[ifo]) for ifo, d in data.items()}

    # -- times and SNRs -----------------------------------------------------------------
    def sample_times(self) -> np.ndarray:
        """Times (s, relative to the trigger) of the analysis segment's samples."""
        return np.arange(self.domain.n_samples) / self.domain.sample_rate - (self.trigger_time - self.segment_start)

    def optimal_snr(self, signal: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {ifo: np.sqrt(np.sum(np.abs(h) ** 2, axis=-1)) for ifo, h in signal.items()}

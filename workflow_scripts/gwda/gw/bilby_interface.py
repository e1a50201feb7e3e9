"""bilby on identical inputs: this project's prior, data and PSD handed to bilby, for the
standard-sampler reference (rule ``bilby_reference``).

Identical inputs: bilby gets the in-band frequency-domain strain of the analysis segment
(the same Tukey-windowed transform, :meth:`gwda.gw.domain.FrequencyDomain.segment_in_band`)
and, as its PSD, the effective PSD ``S ⟨w²⟩`` of :mod:`gwda.gw.domain`, so its
noise-weighted inner products equal this project's whitened ones; the prior is the
config's, converted one to one; the phase is marginalised as in the importance-sampling
likelihood.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from .priors import Prior
from .simulator import Simulator


def bilby_priors(prior: Prior, trigger_time: float):
    """The config's prior as a bilby ``BBHPriorDict`` (``geocent_time`` in GPS seconds)."""
    import bilby

    p = bilby.core.prior
    out = {}
    for name, q in prior.priors.items():
        lo, hi = q.minimum, q.maximum
        if name == "geocent_time":
            lo, hi = lo + trigger_time, hi + trigger_time
        if q.kind == "fixed":
            out[name] = p.DeltaFunction(lo, name=name)
        elif q.kind == "uniform":
            out[name] = p.Uniform(lo, hi, name=name)
        elif q.kind == "sine":
            out[name] = p.Sine(minimum=lo, maximum=hi, name=name)
        elif q.kind == "cosine":
            out[name] = p.Cosine(minimum=lo, maximum=hi, name=name)
        elif q.kind == "power_law":
            out[name] = p.PowerLaw(alpha=q.alpha, minimum=lo, maximum=hi, name=name)
        elif q.kind == "uniform_comoving_volume":
            out[name] = bilby.gw.prior.UniformSourceFrame(minimum=lo, maximum=hi, name=name, cosmology="Planck15")
        else:
            raise ValueError(f"no bilby prior for type {q.kind!r} ({name})")
    for name, (lo, hi) in prior.constraints.items():
        out[name] = p.Constraint(minimum=lo, maximum=hi, name=name)
    return bilby.gw.prior.BBHPriorDict(dictionary=out)


def _interferometers(sim: Simulator, strain: dict[str, np.ndarray]):
    """bilby interferometers holding the in-band ``strain`` and the effective PSDs."""
    import bilby

    domain = sim.domain
    band = domain.mask
    ifos = bilby.gw.detector.InterferometerList([])
    for name in sim.ifos:
        ifo = bilby.gw.detector.get_empty_interferometer(name)
        ifo.set_strain_data_from_frequency_domain_strain(domain.on_full_grid(strain[name]),
                                                         sampling_frequency=domain.sample_rate,
                                                         duration=domain.duration, start_time=sim.segment_start)
        psd = np.full(domain.frequencies.size, np.inf)
        psd[band] = domain.effective_psd(sim.psds[name][band])
        ifo.power_spectral_density = bilby.gw.detector.PowerSpectralDensity(
            frequency_array=domain.frequencies, psd_array=psd)
        ifo.minimum_frequency, ifo.maximum_frequency = domain.f_min, domain.f_max
        ifos.append(ifo)
    return ifos


def _generator(sim: Simulator, relative_binning: bool):
    import bilby

    domain, waveform = sim.domain, sim.waveform
    source = (bilby.gw.source.lal_binary_black_hole_relative_binning if relative_binning
              else bilby.gw.source.lal_binary_black_hole)
    return bilby.gw.WaveformGenerator(
        duration=domain.duration, sampling_frequency=domain.sample_rate, start_time=sim.segment_start,
        frequency_domain_source_model=source,
        parameter_conversion=bilby.gw.conversion.convert_to_lal_binary_black_hole_parameters,
        waveform_arguments={"waveform_approximant": waveform.approximant,
                            "reference_frequency": waveform.reference_frequency,
                            "minimum_frequency": domain.f_min, "maximum_frequency": domain.f_max})


def bilby_likelihood(sim: Simulator, strain: dict[str, np.ndarray], prior: Prior, fiducial: dict | None = None,
                     epsilon: float = 0.025, marginalize_distance: bool = False, lookup_table: str | None = None):
    """bilby's phase-marginalised likelihood and prior for the in-band frequency-domain
    ``strain`` (not whitened; :meth:`~gwda.gw.domain.FrequencyDomain.segment_in_band`) of
    the simulator's detectors (module doc: identical inputs).

    With ``fiducial`` (parameters by bilby name, ``geocent_time`` in GPS seconds) it is the
    relative-binning approximation around that waveform, with bins of at most ``epsilon``
    radians of phase error; ``marginalize_distance`` marginalises the distance too
    (``lookup_table``: where bilby caches its table)."""
    import bilby

    priors = bilby_priors(prior, sim.trigger_time)
    ifos = _interferometers(sim, strain)
    generator = _generator(sim, relative_binning=fiducial is not None)
    distance = {"distance_marginalization": True, "distance_marginalization_lookup_table": lookup_table} \
        if marginalize_distance else {}
    with _row_by_row_distance_table():
        if fiducial is None:
            likelihood = bilby.gw.likelihood.GravitationalWaveTransient(ifos, generator, priors=priors,
                                                                         phase_marginalization=True, **distance)
        else:
            likelihood = bilby.gw.likelihood.RelativeBinningGravitationalWaveTransient(
                ifos, generator, fiducial_parameters=dict(fiducial, phase=0.0), priors=priors, epsilon=epsilon,
                phase_marginalization=True, **distance)
    return likelihood, priors


def distance_lookup_table(likelihood) -> np.ndarray:
    """bilby's distance-marginalisation lookup table, ln ∫ L(d) π(d) dd on its grid of
    reference ⟨d|h⟩ × ⟨h|h⟩, computed as ``GravitationalWaveTransient._create_lookup_table``
    does (the same arrays, the same sum over 10⁴ distances) but in cache-sized blocks of numpy
    over ``OMP_NUM_THREADS`` threads instead of one ``logsumexp`` call per cell (bilby's took
    161 s on 2 cores; 3.2×10⁹ exponentials remain, about 10 s on 2 cores)."""
    from concurrent.futures import ThreadPoolExecutor

    from bilby.gw.utils import ln_i0
    from scipy.special import logsumexp

    scaling = likelihood._ref_dist / likelihood._distance_array
    d_inner_h = np.outer(likelihood._d_inner_h_ref_array, scaling)
    if likelihood.phase_marginalization:
        d_inner_h = ln_i0(np.abs(d_inner_h))
    with np.errstate(divide="ignore"):           # a zero prior density contributes nothing
        log_prior = np.log(likelihood.distance_prior_array * likelihood._delta_distance)
    d_inner_h += log_prior
    half_scaling_squared = 0.5 * scaling ** 2
    table = np.empty((likelihood._optimal_snr_squared_ref_array.size, likelihood._d_inner_h_ref_array.size))
    block = max(1, 2 ** 18 // scaling.size)      # rows of ⟨d|h⟩ per block: ~2 MB, in cache

    def fill(i):
        penalty = likelihood._optimal_snr_squared_ref_array[i] * half_scaling_squared
        for start in range(0, table.shape[1], block):
            terms = d_inner_h[start:start + block] - penalty
            peak = terms.max(axis=1, keepdims=True)
            terms -= peak
            np.exp(terms, out=terms)
            table[i, start:start + block] = np.log(terms.sum(axis=1)) + peak[:, 0]

    with ThreadPoolExecutor(_threads()) as pool:      # numpy releases the GIL in its loops
        list(pool.map(fill, range(table.shape[0])))
    return table - logsumexp(log_prior)


def _threads() -> int:
    """The job's threads (Snakemake sets OMP_NUM_THREADS to them), else the usable CPUs."""
    import os

    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else len(os.sched_getaffinity(0))


@contextmanager
def _row_by_row_distance_table():
    """While bilby likelihoods are built, their distance lookup table comes from
    :func:`distance_lookup_table` (cached to bilby's file as bilby's own is)."""
    from bilby.gw.likelihood import GravitationalWaveTransient

    def create(self):
        # bilby's grid: its reference arrays take their sizes from this array's shape
        self._dist_margd_loglikelihood_array = np.zeros((400, 800))
        self._dist_margd_loglikelihood_array = distance_lookup_table(self)
        self.cache_lookup_table()

    original = GravitationalWaveTransient._create_lookup_table
    GravitationalWaveTransient._create_lookup_table = create
    try:
        yield
    finally:
        GravitationalWaveTransient._create_lookup_table = original


def log_likelihood_ratios(likelihood, samples: dict[str, np.ndarray]) -> np.ndarray:
    """``likelihood``'s ln L/L_noise at each of ``samples`` (bilby names, GPS times)."""
    names = [k for k in samples if np.ndim(samples[k]) == 1]
    n = len(samples[names[0]])
    return np.array([likelihood.log_likelihood_ratio({k: float(samples[k][i]) for k in names}) for i in range(n)])

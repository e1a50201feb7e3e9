"""A standard-sampler reference on identical inputs (rules bilby_reference and
compare_with_bilby, an opt-in target): the event's data segment, PSD, window, band, prior and
waveform model handed to bilby and sampled with dynesty.

Identical inputs: bilby gets the frequency-domain strain of :func:`gwda.event_analysis.event_data`
before whitening (the same Tukey-windowed segment) and, as its PSD, the effective PSD
``S ⟨w²⟩`` of :mod:`gwda.domain`, so its noise-weighted inner products equal this project's
whitened ones; the prior is the config's, converted one to one; the phase is marginalised
as in the importance-sampling likelihood.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from .compare import COMPARED, interval, intervals_and_divergences
from .event_analysis import event_data, make_prior, make_simulator
from .priors import Prior
from .runtime import write_json
from .samples import read_analyses, read_posterior_samples, write_posterior_samples
from .simulator import Simulator

log = logging.getLogger(__name__)


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


def bilby_likelihood(sim: Simulator, data: dict[str, np.ndarray], prior: Prior):
    """bilby's phase-marginalised likelihood and prior for whitened in-band ``data`` of the
    simulator's detectors (module doc: identical inputs)."""
    import bilby

    domain, waveform = sim.domain, sim.waveform
    band = domain.mask
    ifos = bilby.gw.detector.InterferometerList([])
    for name in sim.ifos:
        ifo = bilby.gw.detector.get_empty_interferometer(name)
        strain = np.zeros(domain.frequencies.size, dtype=complex)
        strain[band] = data[name] / sim.whitening[name]         # sim.whitening: in-band bins
        ifo.set_strain_data_from_frequency_domain_strain(strain, sampling_frequency=domain.sample_rate,
                                                         duration=domain.duration, start_time=sim.segment_start)
        psd = np.full(domain.frequencies.size, np.inf)
        psd[band] = domain.effective_psd(sim.psds[name][band])
        ifo.power_spectral_density = bilby.gw.detector.PowerSpectralDensity(
            frequency_array=domain.frequencies, psd_array=psd)
        ifo.minimum_frequency, ifo.maximum_frequency = domain.f_min, domain.f_max
        ifos.append(ifo)
    generator = bilby.gw.WaveformGenerator(
        duration=domain.duration, sampling_frequency=domain.sample_rate, start_time=sim.segment_start,
        frequency_domain_source_model=bilby.gw.source.lal_binary_black_hole,
        parameter_conversion=bilby.gw.conversion.convert_to_lal_binary_black_hole_parameters,
        waveform_arguments={"waveform_approximant": waveform.approximant,
                            "reference_frequency": waveform.reference_frequency,
                            "minimum_frequency": domain.f_min, "maximum_frequency": domain.f_max})
    priors = bilby_priors(prior, sim.trigger_time)
    likelihood = bilby.gw.likelihood.GravitationalWaveTransient(ifos, generator, priors=priors,
                                                                 phase_marginalization=True)
    return likelihood, priors


def bilby_reference(strain_paths: list, psd_paths: list, output, summary_path, event: str, trigger_time: float,
                    config: dict, threads: int = 1) -> dict:
    import bilby

    settings = config["validation"]["bilby"]
    sim = make_simulator(psd_paths, trigger_time, config)
    likelihood, priors = bilby_likelihood(sim, event_data(strain_paths, sim), make_prior(config))
    t0 = time.time()
    with tempfile.TemporaryDirectory() as outdir:
        result = bilby.run_sampler(
            likelihood, priors, sampler="dynesty", nlive=settings["nlive"], dlogz=settings["dlogz"],
            naccept=settings["naccept"], sample="acceptance-walk", npool=max(1, threads), outdir=outdir,
            label=event, seed=config["seed"], save=False, plot=False, check_point=False,
            conversion_function=bilby.gw.conversion.generate_all_bbh_parameters)
    seconds = time.time() - t0
    posterior = result.posterior
    columns = {k: np.asarray(posterior[k], float) for k in posterior.columns
               if np.issubdtype(np.asarray(posterior[k]).dtype, np.number)}
    columns["geocent_time"] = columns["geocent_time"] - trigger_time
    description = {"layout": "bilby (this workflow)", "sampler": "dynesty", "settings": settings,
                   "mass_frame": "detector", "geocent_time": "relative to the trigger time"}
    write_posterior_samples(output, columns, {
        "label": "bilby", "event": event, "source": "bilby_reference", "description": description,
        "log_evidence": float(result.log_evidence), "log_evidence_error": float(result.log_evidence_err),
        "sampling_seconds": seconds})
    summary = {"event": event, "sampler": "dynesty", "settings": settings, "sampling_seconds": seconds,
               "threads": threads, "log_evidence": float(result.log_evidence),
               "log_evidence_error": float(result.log_evidence_err),
               "log_bayes_factor": float(result.log_bayes_factor), "n_samples": int(len(posterior)),
               "likelihood_evaluations": int(result.num_likelihood_evaluations or 0),
               "intervals_90": {k: interval(columns[k]) for k in ("chirp_mass", "mass_ratio", "chi_eff",
                                                                  "luminosity_distance") if k in columns}}
    write_json(summary_path, summary)
    log.info("bilby/dynesty on %s: %d samples in %.0f s, ln Z = %.2f ± %.2f", event, len(posterior), seconds,
             result.log_evidence, result.log_evidence_err)
    return summary


def compare_with_bilby(posterior_path, bilby_posterior, bilby_summary, summary_path, output, event: str) -> dict:
    """JSDs of NPE and NPE-IS against the bilby run on identical inputs, and the wall times."""
    bilby_info = json.loads(Path(bilby_summary).read_text())
    npe_info = json.loads(Path(summary_path).read_text())
    analyses = read_analyses(posterior_path)
    series = {**analyses, "bilby": read_posterior_samples(bilby_posterior)}
    intervals, divergences = intervals_and_divergences(series, [(g, "bilby") for g in analyses], COMPARED)
    out = {"event": event, "jsd_nat": divergences, "intervals_90": intervals}
    npe_seconds = npe_info.get("sampling_seconds", 0.0) + npe_info.get("importance_sampling_seconds", 0.0)
    out.update(bilby_seconds=bilby_info["sampling_seconds"], npe_is_seconds=npe_seconds,
               training_seconds=npe_info.get("training_seconds"),
               wall_time_ratio=bilby_info["sampling_seconds"] / npe_seconds if npe_seconds else None,
               # ln Bayes factor against noise: both normalisations of the Whittle likelihood cancel
               log_bayes_factor={"NPE-IS": npe_info.get("log_bayes_factor"), "bilby": bilby_info["log_bayes_factor"]},
               log_evidence_error={"NPE-IS": npe_info.get("log_evidence_error"),
                                   "bilby": bilby_info["log_evidence_error"]})
    write_json(output, out)
    return out

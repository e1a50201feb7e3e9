"""The exact posterior on identical inputs (rules/exact.smk): the opt-in bilby/dynesty reference
(:mod:`gwda.gw.exact_posterior`) with the checksums of its inputs, and NPE and NPE-IS compared
with it, fresh or stored in the repository, where those checksums equal this run's."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from ..core.divergences import JSD_METHOD, interval, intervals_and_divergences
from ..gw.conversions import COMPARED, CORNER, RELEASE_NAMES
from ..gw.priors import Prior
from ..gw.simulator import Simulator
from ..io import psd_files
from ..io import strain as strain_files
from ..io.samples import read_analyses, read_posterior_samples, read_weighted_samples, write_posterior_samples
from ..plots.diagnostics import interval_table_figure, table_figure
from ..plots.posterior import corner_figure
from ..runtime import rng as make_rng
from ..runtime import write_json

log = logging.getLogger(__name__)


def bilby_reference(strain: list, psd: list, fiducial: str, posterior: str, summary: str, event: str,
                    trigger_time: float, config: dict, threads: int = 1) -> dict:
    """The exact posterior of this analysis's segment, PSDs, window, band, prior and waveform
    model by bilby + dynesty (:mod:`gwda.gw.exact_posterior`), with the checksums of those
    inputs. With ``validation.bilby.relative_binning`` dynesty samples the relative-binning
    likelihood around the highest-likelihood NPE-IS sample of ``fiducial``."""
    from ..gw.exact_posterior import sample_exact_posterior
    from ..io.exact_reference import digest, input_checksums

    settings = config["validation"]["bilby"]
    sim = Simulator.from_settings(config["data"], config["waveform"], [psd_files.read(p) for p in psd], trigger_time)
    segments = strain_files.read_segments(strain)
    series = {ifo: segments[ifo][1] for ifo in sim.ifos}
    prior = Prior(config["prior"], config["prior_constraints"])
    point = None
    if settings["relative_binning"]:
        w = read_weighted_samples(fiducial)      # release names and GPS times, as bilby wants them
        best = int(np.argmax(w["log_likelihood"]))
        point = {k: float(w[RELEASE_NAMES.get(k, k)][best]) for k in prior.sampled_names if k != "phase"}
        log.info("relative binning around the highest-likelihood NPE-IS sample (ln L = %.2f): %s",
                 w["log_likelihood"][best], point)
    inputs = input_checksums(sim, series, config["prior"], config["prior_constraints"])
    # dynesty checkpoints every 10 minutes into a directory named by what the run depends on:
    # an interrupted run resumes where it stopped, a run on other inputs starts afresh
    outdir = Path(summary).parent / "dynesty" / digest([inputs, settings, point, config["seed"]])
    outdir.mkdir(parents=True, exist_ok=True)
    columns, info = sample_exact_posterior(sim, series, prior, settings, point, outdir, event, config["seed"],
                                           make_rng(config["seed"], "bilby_reweighting"), threads)
    description = {"layout": "bilby (this workflow)", "sampler": "dynesty", "settings": settings,
                   "mass_frame": "detector", "geocent_time": "relative to the trigger time",
                   "log_likelihood": "exact, phase-marginalised, relative to the noise"}
    write_posterior_samples(posterior, columns, {
        "label": "bilby", "event": event, "source": "bilby_reference", "description": description,
        "log_evidence": info["log_evidence"], "log_evidence_error": info["log_evidence_error"],
        "sampling_seconds": info["sampling_seconds"]})
    out = {"event": event, "sampler": "dynesty", "bilby_version": info["bilby_version"], "settings": settings,
           "fiducial": point, "sampling_seconds": info["sampling_seconds"],
           "reweighting_seconds": info["reweighting_seconds"], "threads": threads,
           **{k: info[k] for k in ("log_evidence", "log_evidence_error", "log_bayes_factor", "log_bayes_factor_sampler",
                                   "reweighting", "n_samples_sampler", "n_samples", "likelihood_evaluations")},
           "inputs": inputs,
           "intervals_90": {k: interval(columns[k]) for k in ("chirp_mass", "mass_ratio", "chi_eff",
                                                              "luminosity_distance") if k in columns}}
    write_json(summary, out)
    log.info("bilby/dynesty on %s: %d samples in %.0f s (%d likelihood calls), reweighting efficiency %.3f, "
             "ln BF = %.2f ± %.2f", event, out["n_samples"], out["sampling_seconds"], out["likelihood_evaluations"],
             out["reweighting"]["efficiency"], out["log_bayes_factor"], out["log_evidence_error"])
    return out


def compare_with_exact(posterior: str, summary: str, strain: list, psd: list, reference_posterior: list,
                       reference_summary: list, result: str, table: str, corner: str, event: str,
                       trigger_time: float, config: dict) -> dict:
    """NPE and NPE-IS against the exact posterior of a standard-sampler run (rule
    ``bilby_reference``, fresh or stored in the repository) on the same inputs: JSD per
    parameter, medians and 90 % intervals, ln Bayes factor of importance sampling against
    nested sampling, and the wall-time ratios. Only where the reference's input checksums
    equal this run's; otherwise the result says what differs and compares nothing."""
    from ..io.exact_reference import differences, input_checksums

    sim = Simulator.from_settings(config["data"], config["waveform"], [psd_files.read(p) for p in psd], trigger_time)
    segments = strain_files.read_segments(strain)
    inputs = input_checksums(sim, {ifo: segments[ifo][1] for ifo in sim.ifos}, config["prior"],
                             config["prior_constraints"])
    ref_info = json.loads(Path(reference_summary[0]).read_text()) if reference_summary else None
    out = {"event": event, "reference": str(Path(reference_summary[0]).parent) if ref_info else None}
    diffs = differences(ref_info["inputs"], inputs) if ref_info else ["no stored reference for this event"]
    out.update(applies=not diffs, differences=diffs)
    if diffs:
        log.warning("the exact-posterior reference does not apply to this run's inputs: %s", "; ".join(diffs))
        write_json(result, out)
        for png in (table, corner):      # the report says so where the comparison would be
            table_figure([[d] for d in diffs[:12]], ["the stored reference does not apply to these inputs"],
                         f"{event}: no exact-posterior comparison", png)
        return out
    npe_info = json.loads(Path(summary).read_text())
    analyses = read_analyses(posterior)
    series = {**analyses, "exact": read_posterior_samples(reference_posterior[0])}
    parameters = [p for p in COMPARED if all(p in s for s in series.values())]
    intervals, divergences = intervals_and_divergences(series, [(g, "exact") for g in analyses], parameters)
    npe_seconds = npe_info.get("sampling_seconds", 0.0) + npe_info.get("importance_sampling_seconds", 0.0)
    ref_seconds = ref_info["sampling_seconds"] + ref_info.get("reweighting_seconds", 0.0)
    training = npe_info.get("training_seconds") or 0.0
    ln_bf = {"NPE-IS": npe_info.get("log_bayes_factor"), "exact": ref_info["log_bayes_factor"]}
    ln_bf_err = {"NPE-IS": npe_info.get("log_evidence_error"), "exact": ref_info["log_evidence_error"]}
    out.update(
        parameters=parameters, jsd_nat=divergences, jsd_method=JSD_METHOD, intervals_90=intervals,
        max_jsd_nat={pair: max(d.values()) for pair, d in divergences.items()},
        # ln Bayes factor against noise: both normalisations of the Whittle likelihood cancel
        log_bayes_factor=ln_bf, log_bayes_factor_error=ln_bf_err,
        reference_sampler={k: ref_info.get(k) for k in ("sampler", "settings", "likelihood_evaluations",
                                                         "reweighting", "n_samples", "threads", "bilby_version")},
        reference_seconds=ref_seconds, npe_is_seconds=npe_seconds, training_seconds=training,
        wall_time_ratio=ref_seconds / npe_seconds if npe_seconds else None,
        wall_time_ratio_with_training=ref_seconds / (npe_seconds + training) if npe_seconds + training else None)
    if ln_bf["NPE-IS"] is not None:
        out["log_bayes_factor_difference_sigma"] = float(
            (ln_bf["NPE-IS"] - ln_bf["exact"]) / np.hypot(ln_bf_err["NPE-IS"], ln_bf_err["exact"]))
    write_json(result, out)
    foot = (f"ln BF: NPE-IS {_pm(ln_bf['NPE-IS'], ln_bf_err['NPE-IS'])}, "
            f"exact {_pm(ln_bf['exact'], ln_bf_err['exact'])}.  "
            f"Wall time: exact {ref_seconds:.0f} s, NPE-IS {npe_seconds:.1f} s (+ {training:.0f} s training).")
    interval_table_figure(out, series, table,
                          f"{event}: NPE and NPE-IS against the exact posterior on identical inputs", foot)
    corner_figure(series, [p for p in CORNER if p in parameters], f"{event}: against the exact posterior", corner)
    log.info("against the exact posterior: %s", "; ".join(f"{pair}: max JSD {1e3 * v:.1f} mnat"
                                                         for pair, v in out["max_jsd_nat"].items()))
    return out


def _pm(value, error) -> str:
    return "–" if value is None else f"{value:.2f} ± {error:.2f}"

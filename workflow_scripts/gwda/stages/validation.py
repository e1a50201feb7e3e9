"""Validation stages (rules/validation.smk): P–P coverage on injections, published
posteriors and the comparison with them, and the opt-in bilby reference on identical inputs."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from ..core import importance
from ..core.coverage import credible_levels, pp_statistics
from ..core.divergences import JSD_METHOD, interval, intervals_and_divergences
from ..gw.conversions import RELEASE_NAMES
from ..gw.priors import Prior
from ..gw.simulator import Simulator
from ..io import psd_files
from ..io import strain as strain_files
from ..io.gwosc_download import cached_download
from ..io.reference import read_reference
from ..io.samples import (read_analyses, read_posterior_samples, read_sampler_meta, read_weighted_samples,
                          write_posterior_samples)
from ..npe.posterior import FlowSamples, draw_to_target_ess, exact_weights
from ..plots.diagnostics import pp_figure, table_figure
from ..plots.posterior import corner_figure, sky_map_figure
from ..runtime import atomic_output, write_json
from ..runtime import rng as make_rng

log = logging.getLogger(__name__)

#: Parameters compared between analyses (those each analysis has).
COMPARED = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn", "ra", "dec")
#: Parameters of the corner plot.
CORNER = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn")


# -- pp_test --------------------------------------------------------------------------------

def pp_test(model: str, network: str, psd: list, result: str, levels: str, figure: str, event: str,
            config: dict, threads: int = 1) -> dict:
    """Injections drawn from the model's prior into simulated Gaussian noise with the event's
    PSDs, each analysed by the model with time proxies drawn from the training kernel around
    the true arrival times (flow samples reweighted by prior / training proposal, as the NPE
    result is); credible levels, KS and combined p-values, the P–P figure.
    With ``validation.pp_importance_sampling`` each injection is also reweighted with the
    exact likelihood (efficiency distribution and IS credible levels)."""
    import torch

    from ..core.devices import resolve_device
    from ..npe.model import TrainedModel

    torch.set_num_threads(max(1, threads))
    settings = config["validation"]
    npe = TrainedModel.load(model, psd, network, resolve_device(config["training"]["device"]))
    sim, names = npe.simulator, npe.parameters
    rng = make_rng(config["seed"], "pp_test", event)
    torch.manual_seed(config["seed"])
    n = settings["pp_injections"]
    truths = npe.prior.sample(rng, n)
    t0 = time.time()
    signals, noise = sim.signal(truths), sim.noise(n, rng)
    proxies = npe.alignment.draw_proxies(sim.arrival_times(truths), rng)
    snr = np.sqrt(sum(rho ** 2 for rho in sim.optimal_snr(signals).values()))
    npe_levels = {k: np.empty(n) for k in names}
    is_levels = {k: np.empty(n) for k in names}
    efficiency, ess = np.full(n, np.nan), np.full(n, np.nan)
    for i in range(n):
        data = {ifo: signals[ifo][i] + noise[ifo][i] for ifo in sim.ifos}
        truth = {k: float(truths[k][i]) for k in names}
        aligned_on = {k: float(v[i]) for k, v in proxies.items()}
        samples, log_q = npe.sample(data, aligned_on, settings["pp_samples"])
        valid = np.isfinite(log_q)            # inside the flow coordinates' one-to-one range
        flow = FlowSamples(npe, {k: v[valid] for k, v in samples.items()}, log_q[valid])
        # The NPE result: flow samples inside the prior, reweighted from the training proposal.
        for k, v in credible_levels(flow.full, truth, npe.prior_over_proposal(flow.full, flow.log_prior)).items():
            npe_levels[k][i] = v
        if settings["pp_importance_sampling"]:
            if settings["pp_target_ess"]:
                draw = draw_to_target_ess(npe, data, aligned_on, settings["pp_samples"], settings["pp_target_ess"],
                                          settings["pp_max_samples"], threads, first=(samples, log_q))
                weighted = FlowSamples(npe, draw.params, draw.log_q)
                ev = importance.weights_and_evidence(draw.log_likelihood, weighted.log_prior, draw.log_q)
            else:
                weighted = flow
                ev = exact_weights(flow, npe.likelihood(data), threads)[2]
            efficiency[i], ess[i] = ev["sample_efficiency"], ev["effective_sample_size"]
            for k, v in credible_levels(weighted.full, truth, ev["weights"]).items():
                is_levels[k][i] = v
    seconds = time.time() - t0
    out = {"event": event, **pp_statistics(npe_levels), "parameters": names,
           "samples_per_injection": settings["pp_samples"],
           "proxies": "drawn from the training kernel around the true arrival times",
           "network_snr": {"median": float(np.median(snr)), "min": float(snr.min()), "max": float(snr.max())},
           "seconds": seconds}
    if settings["pp_importance_sampling"]:
        out["importance_sampling"] = {
            **pp_statistics(is_levels),
            "sample_efficiency": {"median": float(np.nanmedian(efficiency)),
                                  "p10": float(np.nanpercentile(efficiency, 10)),
                                  "p90": float(np.nanpercentile(efficiency, 90))},
            "effective_sample_size": {"median": float(np.nanmedian(ess)), "min": float(np.nanmin(ess))},
            "target_ess": settings["pp_target_ess"]}
    log.info("P-P test of %d injections in %.0f s: combined p-value %.3f (%s)", n, seconds,
             out["combined_pvalue"], ", ".join(f"{k} {v:.2f}" for k, v in out["pvalues"].items()))
    write_json(result, out)
    table = pd.DataFrame({"injection": np.arange(n), "network_snr": snr,
                          **{f"level_{k}": npe_levels[k] for k in names}, **{f"true_{k}": truths[k] for k in names}})
    if settings["pp_importance_sampling"]:
        table = table.assign(is_efficiency=efficiency, is_ess=ess, **{f"is_level_{k}": is_levels[k] for k in names})
    with atomic_output(levels) as tmp:
        table.to_csv(tmp, index=False)
    pp_figure(npe_levels, out["pvalues"], out["combined_pvalue"], f"{event}: P–P test of the NPE", figure)
    return out


# -- glitch_robustness -----------------------------------------------------------------------

#: How the robustness figures name each glitch source (validation.glitch_robustness.source).
GLITCH_SOURCE_NAMES = {"gan": "a GAN glitch", "simulated": "a simulated burst", "gengli": "a gengli blip"}

#: Parameters whose bias (posterior median − truth, in posterior standard deviations) is reported.
BIASED = ("chirp_mass", "mass_ratio", "luminosity_distance", "ra", "dec")


def _analyse(npe, data: dict, truth: dict, proxies: dict, n: int, seed: int, with_is: bool, threads: int) -> dict:
    """One injection's NPE credible levels and standardised offsets, and its IS efficiency."""
    import torch

    from ..core.coverage import standardised_offset

    torch.manual_seed(seed)                    # the same flow draws for the clean and glitched data
    samples, log_q = npe.sample(data, proxies, n)
    valid = np.isfinite(log_q)
    flow = FlowSamples(npe, {k: v[valid] for k, v in samples.items()}, log_q[valid])
    weights = npe.prior_over_proposal(flow.full, flow.log_prior)
    out = {"levels": credible_levels(flow.full, truth, weights),
           "bias": {k: standardised_offset(flow.full[k], truth[k], weights, 2 * np.pi if k == "ra" else None)
                    for k in BIASED if k in flow.full}, "efficiency": np.nan}
    if with_is:
        out["efficiency"] = exact_weights(flow, npe.likelihood(data), threads)[2]["sample_efficiency"]
    return out


def _spread(x: np.ndarray) -> dict:
    return {"median": float(np.nanmedian(x)), "p10": float(np.nanpercentile(x, 10)),
            "p90": float(np.nanpercentile(x, 90))}


def glitch_robustness(model: str, network: str, psd: list, result: str, table: str, figure: str, event: str,
                      config: dict, glitch_network: list | None = None, threads: int = 1) -> dict:
    """P–P injections (the model's prior, Gaussian noise with the event's PSDs, proxies drawn
    around the true arrival times as in ``pp_test``) analysed twice by the model: as they are,
    and with one glitch added in one detector (class, SNR and offset from the merger drawn
    from ``validation.glitch_robustness``). Per parameter: KS p-values, 90 % coverage, the
    bias of chosen parameters in posterior widths, and the IS efficiencies, clean and glitched."""
    import torch

    from ..core.coverage import interval_coverage
    from ..core.devices import resolve_device
    from ..glitches.injection import in_segment
    from ..glitches.sources import glitch_classes, glitch_maker
    from ..npe.model import TrainedModel
    from ..plots.diagnostics import robustness_figure

    torch.set_num_threads(max(1, threads))
    settings = config["validation"]
    g = settings["glitch_robustness"]
    npe = TrainedModel.load(model, psd, network, resolve_device(config["training"]["device"]))
    sim, names = npe.simulator, npe.parameters
    make, window = glitch_maker(g["source"], config, glitch_network[0] if glitch_network else None)
    classes = glitch_classes(g["source"], g["classes"], config)
    rng = make_rng(config["seed"], "glitch_robustness", event)
    n = g["injections"] or settings["pp_injections"]
    truths = npe.prior.sample(rng, n)
    signals, noise = sim.signal(truths), sim.noise(n, rng)
    arrival = sim.arrival_times(truths)
    proxies = npe.alignment.draw_proxies(arrival, rng)
    snr = np.sqrt(sum(rho ** 2 for rho in sim.optimal_snr(signals).values()))
    draws = pd.DataFrame({"glitch_detector": rng.choice(sim.ifos, n), "glitch_class": rng.choice(classes, n),
                          "glitch_snr": rng.uniform(g["snr"]["minimum"], g["snr"]["maximum"], n),
                          "glitch_offset": rng.uniform(-g["offset"], g["offset"], n)})
    offset = sim.trigger_time - sim.segment_start
    t0 = time.time()
    rows, levels = [], {"clean": {k: np.empty(n) for k in names}, "glitch": {k: np.empty(n) for k in names}}
    for i, d in draws.iterrows():
        ifo = d["glitch_detector"]
        burst = make([d["glitch_class"]], rng, ifo)[0]
        # The burst's window centred on the merger's arrival in that detector plus the offset.
        start = offset + arrival[ifo][i] + d["glitch_offset"] - 0.5 * window.duration
        clean = {k: signals[k][i] + noise[k][i] for k in sim.ifos}
        glitched = dict(clean)
        glitched[ifo] = clean[ifo] + in_segment(burst, start, d["glitch_snr"], sim.domain)
        truth = {k: float(truths[k][i]) for k in names}
        prox = {k: float(v[i]) for k, v in proxies.items()}
        row = {"injection": i, "network_snr": snr[i], **d.to_dict()}
        for label, data in (("clean", clean), ("glitch", glitched)):
            res = _analyse(npe, data, truth, prox, settings["pp_samples"], int(config["seed"]) + i,
                           g["importance_sampling"], threads)
            for k in names:
                levels[label][k][i] = res["levels"][k]
            row.update({f"{label}_level_{k}": v for k, v in res["levels"].items()})
            row.update({f"{label}_bias_{k}": v for k, v in res["bias"].items()})
            row[f"{label}_efficiency"] = res["efficiency"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    out = {"event": event, "injections": n, "seconds": time.time() - t0, "glitch_source": g["source"],
           "glitch_classes": classes, "glitch_snr": g["snr"], "glitch_offset_max": g["offset"],
           "proxies": "drawn from the training kernel around the true arrival times (as pp_test)"}
    for label in ("clean", "glitch"):
        eff = frame[f"{label}_efficiency"].to_numpy(dtype=float)
        out[label] = {**pp_statistics(levels[label]),
                      "coverage_90": {k: interval_coverage(levels[label][k]) for k in names},
                      "bias": {k: {"median": float(frame[f"{label}_bias_{k}"].median()),
                                   "median_abs": float(frame[f"{label}_bias_{k}"].abs().median()),
                                   "mean_abs": float(frame[f"{label}_bias_{k}"].abs().mean())}
                               for k in BIASED if f"{label}_bias_{k}" in frame},
                      "sample_efficiency": _spread(eff) if np.isfinite(eff).any() else None}
    write_json(result, out)
    with atomic_output(table) as tmp:
        frame.to_csv(tmp, index=False)
    robustness_figure(frame, names, [k for k in BIASED if f"clean_bias_{k}" in frame],
                      f"{event}: posteriors with {GLITCH_SOURCE_NAMES[g['source']]} near the merger ({n} injections)",
                      figure)
    log.info("glitch robustness, %d injections in %.0f s: combined p %.3f clean, %.3f with a glitch; median IS "
             "efficiency %s", n, out["seconds"], out["clean"]["combined_pvalue"], out["glitch"]["combined_pvalue"],
             ", ".join(f"{lab} {out[lab]['sample_efficiency']['median']:.3%}" for lab in ("clean", "glitch")
                       if out[lab]["sample_efficiency"]))
    return out


#: Derived columns kept in a bilby_reference posterior (besides the sampled parameters).
REFERENCE_DERIVED = ["luminosity_distance", "phase", "mass_1", "mass_2", "chi_eff", "redshift", "mass_1_source",
                     "mass_2_source", "chirp_mass_source", "H1_optimal_snr", "L1_optimal_snr", "V1_optimal_snr"]
#: Rows of the robustness summary: (model, data, which file of the four, which half of it).
SUMMARY_ROWS = (("trained without glitches", "clean", 0, "clean"),
                ("trained without glitches", "GAN glitches", 0, "glitch"),
                ("trained without glitches", "gengli blips", 1, "glitch"),
                ("trained with GAN glitches", "clean", 2, "clean"),
                ("trained with GAN glitches", "GAN glitches", 2, "glitch"),
                ("trained with GAN glitches", "gengli blips", 3, "glitch"))
#: A glitch this close to the merger (s) counts as on it in the summary.
NEAR_MERGER = 0.1


def glitch_robustness_summary(results: list, table: str, figure: str, event: str) -> dict:
    """The four robustness tests (model trained without / with glitches; GAN glitches /
    gengli blips; each also clean) side by side: mean 90 % coverage, combined p, median IS
    efficiency, and the median |offset| of chirp mass and dec from the truth in posterior
    widths, over all injections and over those with the glitch within 0.1 s of the merger."""
    from ..core.coverage import interval_coverage

    frames = [pd.read_csv(p) for p in results]
    rows = []
    for model, data, i, half in SUMMARY_ROWS:
        f = frames[i]
        names = [c[len(f"{half}_level_"):] for c in f if c.startswith(f"{half}_level_")]
        near = f["glitch_offset"].abs() < NEAR_MERGER
        levels = {k: f[f"{half}_level_{k}"].to_numpy() for k in names}
        rows.append({"model": model, "data": data, "injections": len(f),
                     "coverage_90_mean": float(np.mean([interval_coverage(v) for v in levels.values()])),
                     "combined_p": pp_statistics(levels)["combined_pvalue"],
                     "is_efficiency_median": float(f[f"{half}_efficiency"].median()),
                     **{f"abs_offset_{k}": float(f[f"{half}_bias_{k}"].abs().median()) for k in ("chirp_mass", "dec")},
                     "near_merger_injections": int(near.sum()),
                     **{f"near_merger_abs_offset_{k}": float(f.loc[near, f"{half}_bias_{k}"].abs().median())
                        for k in ("chirp_mass", "dec")}})
    frame = pd.DataFrame(rows)
    with atomic_output(table) as tmp:
        frame.to_csv(tmp, index=False)
    cells = [[r["model"], r["data"], f"{r['coverage_90_mean']:.3f}", f"{r['combined_p']:.2f}",
              f"{100 * r['is_efficiency_median']:.2f}", f"{r['abs_offset_chirp_mass']:.2f} / {r['abs_offset_dec']:.2f}",
              f"{r['near_merger_abs_offset_chirp_mass']:.2f} / {r['near_merger_abs_offset_dec']:.2f} "
              f"({r['near_merger_injections']})"] for r in rows]
    header = ["model", "data", "mean 90 %\ncoverage", "combined\np", "median IS\nefficiency [%]",
              "|offset| M_c / dec\n[widths]", f"same, glitch within\n{NEAR_MERGER} s of the merger"]
    foot = (f"{rows[0]['injections']} injections (signals and noise the same in every row); in brackets, how many "
            f"have the glitch within {NEAR_MERGER} s of the merger.")
    table_figure(cells, header, f"{event}: posteriors with glitches, by how the model was trained", figure, foot)
    return {"rows": rows}


# -- reference_posterior ----------------------------------------------------------------------

def references_of(config: dict, event: str) -> list[dict]:
    return [r for r in config["validation"]["references"] if r.get("events") is None or event in r["events"]]


def reference_posterior(reference: str, posterior: str, event: str, trigger_time: float, config: dict) -> dict:
    """The published posterior labelled ``reference`` in the config (local ``path`` or
    downloaded ``url``; ``{event}`` is replaced by the event name), converted to the
    project's names, written as HDF5."""
    spec = next((r for r in references_of(config, event) if r["label"] == reference), None)
    if spec is None:
        raise KeyError(f"no reference labelled {reference!r} for {event} in config key 'validation.references'")
    if spec.get("path"):
        source = origin = Path(str(spec["path"]).format(event=event))
        if not source.exists():
            raise FileNotFoundError(f"reference posterior '{spec['label']}' for {event}: no file {source} "
                                    f"(config key 'validation.references')")
    else:
        url = origin = str(spec["url"]).format(event=event)
        g = config["data"]["gwosc"]
        source = cached_download(url, Path(config["validation"]["reference_cache_dir"]),
                                 lambda path: read_reference(path, trigger_time), g["retries"], g["backoff"],
                                 g["timeout"])
    samples, description = read_reference(source, trigger_time)
    write_posterior_samples(posterior, samples, {"label": spec["label"], "event": event, "source": str(origin),
                                                 "description": description})
    log.info("reference %s for %s: %d samples from %s (%s layout)", spec["label"], event,
             len(samples["chirp_mass"]), source, description["layout"])
    return description


# -- compare_posteriors -----------------------------------------------------------------------

def compare_posteriors(posterior: str, references: list, table: str, result: str, corner: str, skymap: str,
                       summary_table: str, event: str) -> dict:
    """JSDs of NPE and NPE-IS against each reference (and NPE against NPE-IS), medians and
    90 % intervals side by side, the corner plot and the sky map."""
    analyses = read_analyses(posterior)
    is_meta = read_sampler_meta(posterior, "NPE-IS")
    published = {}
    for path in references:
        with h5py.File(path, "r") as fh:
            label = str(fh.attrs["label"])
        published[label] = read_posterior_samples(path)
    series = {**analyses, **published}
    parameters = [p for p in COMPARED if any(p in s for s in series.values())]
    pairs = [(a, r) for a in analyses for r in published] + ([("NPE", "NPE-IS")] if len(analyses) == 2 else [])
    intervals, divergences = intervals_and_divergences(series, pairs, parameters)
    out = {"event": event, "parameters": parameters, "intervals_90": intervals, "jsd_nat": divergences,
           "jsd_method": JSD_METHOD, "sample_efficiency": float(is_meta.get("sample_efficiency", np.nan)),
           "log_evidence": float(is_meta.get("log_evidence", np.nan)),
           "log_evidence_error": float(is_meta.get("log_evidence_error", np.nan))}
    write_json(result, out)
    columns = {f"{label} {name}": {p: e[key] for p, e in intervals[label].items()}
               for key, name in (("median", "median"), ("lower", "5%"), ("upper", "95%")) for label in series}
    columns.update({f"JSD {pair} [nat]": values for pair, values in divergences.items()})
    with atomic_output(table) as tmp:
        pd.DataFrame(columns, index=pd.Index(parameters, name="parameter")).to_csv(tmp)
    _summary_table(out, series, summary_table, event)
    corner_figure(series, [p for p in CORNER if p in parameters], f"{event}: posterior", corner)
    sky_map_figure({k: v for k, v in series.items() if "ra" in v}, f"{event}: sky position", skymap)
    log.info("compared %s with %s: %s", ", ".join(analyses), ", ".join(published) or "no reference",
             "; ".join(f"{pair}: chirp_mass JSD {d.get('chirp_mass', np.nan):.4f} nat"
                       for pair, d in divergences.items()))
    return out


def _fmt(e: dict) -> str:
    digits = 3 if max(abs(e["median"]), 1e-12) < 10 else 1
    return f"{e['median']:.{digits}f} [{e['lower']:.{digits}f}, {e['upper']:.{digits}f}]"


def _summary_table(result: dict, series: dict, png, event: str) -> None:
    foot = (f"NPE-IS: importance-sampling efficiency {100 * result['sample_efficiency']:.2f} %, "
            f"ln Z = {result['log_evidence']:.2f} ± {result['log_evidence_error']:.2f}.   "
            "JSD: 1-D Jensen–Shannon divergence (KDE, natural log; 1 mnat = 1e-3 nat).")
    _interval_table(result, series, png, f"{event}: medians and 90 % intervals", foot)


def _interval_table(result: dict, series: dict, png, title: str, foot: str) -> None:
    """Medians and 90 % intervals of each series and the JSDs of ``result``, as a figure."""
    labels, pairs = list(series), list(result["jsd_nat"])
    header = ["parameter"] + [f"{label}\nmedian [90 %]" for label in labels] + [f"JSD [mnat]\n{p}" for p in pairs]
    rows = []
    for p in result["parameters"]:
        row = [p] + [_fmt(result["intervals_90"][label][p]) if p in result["intervals_90"][label] else "–"
                     for label in labels]
        row += [f"{1e3 * result['jsd_nat'][pair][p]:.1f}" if p in result["jsd_nat"][pair] else "–" for pair in pairs]
        rows.append(row)
    table_figure(rows, header, title, png, foot)


# -- bilby_reference and compare_with_bilby (opt-in) -------------------------------------------

def bilby_reference(strain: list, psd: list, fiducial: str, posterior: str, summary: str, event: str,
                    trigger_time: float, config: dict, threads: int = 1) -> dict:
    """bilby + dynesty on the analysis segment, PSDs, window, band, prior and waveform model
    of this analysis (:mod:`gwda.gw.bilby_interface`), reweighted to the exact likelihood.

    With ``validation.bilby.relative_binning`` the sampler runs on bilby's relative-binning
    likelihood around the highest-likelihood NPE-IS sample of ``fiducial``; each posterior
    sample is then reweighted by exact / relative-binning likelihood (the efficiency of that
    step and the evidence correction are reported) and the unweighted set is drawn by
    rejection. Without it the weights are one."""
    import bilby

    from ..gw.bilby_interface import bilby_likelihood, log_likelihood_ratios
    from ..gw.likelihood import GaussianLikelihood
    from ..io.exact_reference import digest, input_checksums

    settings = config["validation"]["bilby"]
    sim = Simulator.from_settings(config["data"], config["waveform"], [psd_files.read(p) for p in psd], trigger_time)
    segments = strain_files.read_segments(strain)
    series = {ifo: segments[ifo][1] for ifo in sim.ifos}
    in_band = {ifo: sim.domain.segment_in_band(series[ifo]) for ifo in sim.ifos}
    prior = Prior(config["prior"], config["prior_constraints"])
    point = None
    if settings["relative_binning"]:
        w = read_weighted_samples(fiducial)      # release names and GPS times, as bilby wants them
        best = int(np.argmax(w["log_likelihood"]))
        point = {k: float(w[RELEASE_NAMES.get(k, k)][best]) for k in prior.sampled_names if k != "phase"}
        log.info("relative binning around the highest-likelihood NPE-IS sample (ln L = %.2f): %s",
                 w["log_likelihood"][best], point)
    inputs = input_checksums(sim, series, config["prior"], config["prior_constraints"])
    t0 = time.time()
    # dynesty checkpoints every 10 minutes into a directory named by what the run depends on:
    # an interrupted run resumes where it stopped, a run on other inputs starts afresh
    outdir = Path(summary).parent / "dynesty" / digest([inputs, settings, point, config["seed"]])
    outdir.mkdir(parents=True, exist_ok=True)
    likelihood, priors = bilby_likelihood(sim, in_band, prior, point, settings["epsilon"],
                                          settings["marginalize_distance"], str(outdir / "distance_table.npz"))
    result = bilby.run_sampler(
        likelihood, priors, sampler="dynesty", nlive=settings["nlive"], dlogz=settings["dlogz"],
        naccept=settings["naccept"], sample="acceptance-walk", npool=max(1, threads), outdir=str(outdir),
        label=event, seed=config["seed"], save=False, plot=False, check_point=True, check_point_delta_t=600,
        check_point_plot=False, resume=True, conversion_function=bilby.gw.conversion.generate_all_bbh_parameters)
    seconds = time.time() - t0
    samples = result.posterior
    kept = prior.sampled_names + REFERENCE_DERIVED
    columns = {k: np.asarray(samples[k], float) for k in samples.columns if k in kept}
    # reweight to the exact likelihood (this project's, shown equal to bilby's by the tests)
    t1 = time.time()
    exact = GaussianLikelihood(sim, sim.whiten_segment(series), marginalize_phase=True)
    sampled = [k for k in prior.sampled_names if k in columns]
    ours = {k: columns[k] - (trigger_time if k == "geocent_time" else 0.0) for k in sampled}
    ln_exact = exact.evaluate(ours, threads)[0] - exact.noise_log_likelihood()
    if point is None:
        ln_approx = ln_exact
    else:
        approx, _ = bilby_likelihood(sim, in_band, prior, point, settings["epsilon"])
        ln_approx = log_likelihood_ratios(approx, {k: columns[k] for k in sampled})
    rw = importance.weights_and_evidence(ln_exact, np.zeros_like(ln_exact), ln_approx)
    keep = make_rng(config["seed"], "bilby_reweighting").random(ln_exact.size) < rw["weights"] / rw["weights"].max()
    reweight_seconds = time.time() - t1
    columns["geocent_time"] = columns["geocent_time"] - trigger_time
    columns["log_likelihood"] = ln_exact
    columns = {k: v[keep] for k, v in columns.items()}
    log_z = float(result.log_evidence + rw["log_evidence"])
    log_z_err = float(np.hypot(result.log_evidence_err, rw["log_evidence_error"]))
    log_bf = float(result.log_bayes_factor + rw["log_evidence"])
    description = {"layout": "bilby (this workflow)", "sampler": "dynesty", "settings": settings,
                   "mass_frame": "detector", "geocent_time": "relative to the trigger time",
                   "log_likelihood": "exact, phase-marginalised, relative to the noise"}
    write_posterior_samples(posterior, columns, {
        "label": "bilby", "event": event, "source": "bilby_reference", "description": description,
        "log_evidence": log_z, "log_evidence_error": log_z_err, "sampling_seconds": seconds})
    out = {"event": event, "sampler": "dynesty", "bilby_version": bilby.__version__, "settings": settings,
           "fiducial": point, "sampling_seconds": seconds, "reweighting_seconds": reweight_seconds, "threads": threads,
           "log_evidence": log_z, "log_evidence_error": log_z_err, "log_bayes_factor": log_bf,
           "log_bayes_factor_sampler": float(result.log_bayes_factor),
           "reweighting": {"efficiency": rw["sample_efficiency"], "log_evidence_correction": rw["log_evidence"],
                           "max_abs_log_ratio": float(np.max(np.abs(ln_exact - ln_approx)))},
           "n_samples_sampler": int(ln_exact.size), "n_samples": int(keep.sum()),
           "likelihood_evaluations": int(result.num_likelihood_evaluations or 0),
           "inputs": inputs,
           "intervals_90": {k: interval(columns[k]) for k in ("chirp_mass", "mass_ratio", "chi_eff",
                                                              "luminosity_distance") if k in columns}}
    write_json(summary, out)
    log.info("bilby/dynesty on %s: %d samples in %.0f s (%d likelihood calls), reweighting efficiency %.3f, "
             "ln BF = %.2f ± %.2f", event, keep.sum(), seconds, out["likelihood_evaluations"],
             rw["sample_efficiency"], log_bf, log_z_err)
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
    _interval_table(out, series, table, f"{event}: NPE and NPE-IS against the exact posterior on identical inputs",
                    foot)
    corner_figure(series, [p for p in CORNER if p in parameters], f"{event}: against the exact posterior", corner)
    log.info("against the exact posterior: %s", "; ".join(f"{pair}: max JSD {1e3 * v:.1f} mnat"
                                                         for pair, v in out["max_jsd_nat"].items()))
    return out


def _pm(value, error) -> str:
    return "–" if value is None else f"{value:.2f} ± {error:.2f}"

"""Coverage stages (rules/coverage.smk): the P–P test of a trained model on injections, and the
same injections analysed with a glitch near the merger (the robustness test), alone and with
the model trained with glitches and gengli's blips side by side. The injections and their
analysis are :mod:`gwda.npe.injections`."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from ..core.coverage import pp_statistics
from ..plots.diagnostics import pp_figure, table_figure
from ..runtime import atomic_output, write_json
from ..runtime import rng as make_rng

log = logging.getLogger(__name__)


# -- pp_test --------------------------------------------------------------------------------

def pp_test(model: str, network: str, psd: list, result: str, levels: str, figure: str, event: str,
            config: dict, threads: int = 1) -> dict:
    """Injections drawn from the model's prior into simulated Gaussian noise with the event's
    PSDs, each analysed by the model with time proxies drawn from the training kernel around
    the true arrival times (:mod:`gwda.npe.injections`); credible levels, KS and combined
    p-values, the P–P figure. With ``validation.pp_importance_sampling`` each injection is also
    reweighted with the exact likelihood (efficiency distribution and IS credible levels)."""
    import torch

    from ..core.devices import resolve_device
    from ..npe.injections import Injections, pp_levels
    from ..npe.model import TrainedModel

    torch.set_num_threads(max(1, threads))
    settings = config["validation"]
    npe = TrainedModel.load(model, psd, network, resolve_device(config["training"]["device"]))
    names = npe.parameters
    rng = make_rng(config["seed"], "pp_test", event)
    torch.manual_seed(config["seed"])
    n = settings["pp_injections"]
    t0 = time.time()
    injections = Injections.draw(npe, n, rng)
    found = pp_levels(npe, injections, settings["pp_samples"], settings["pp_importance_sampling"],
                      settings["pp_target_ess"], settings["pp_max_samples"], threads)
    npe_levels, is_levels, efficiency, ess = found["npe"], found["is"], found["efficiency"], found["ess"]
    snr, truths = injections.snr, injections.truths
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
    from ..glitches.injection import draw_snrs, in_segment
    from ..glitches.sources import glitch_classes, glitch_maker
    from ..npe.injections import BIASED, Injections, analyse
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
    injections = Injections.draw(npe, n, rng)
    arrival, snr = injections.arrival, injections.snr
    draws = pd.DataFrame({"glitch_detector": rng.choice(sim.ifos, n), "glitch_class": rng.choice(classes, n),
                          "glitch_snr": draw_snrs(rng, n, g["snr"]),
                          "glitch_offset": rng.uniform(-g["offset"], g["offset"], n)})
    offset = sim.trigger_time - sim.segment_start
    t0 = time.time()
    rows, levels = [], {"clean": {k: np.empty(n) for k in names}, "glitch": {k: np.empty(n) for k in names}}
    for i, d in draws.iterrows():
        ifo = d["glitch_detector"]
        burst = make([d["glitch_class"]], rng, ifo)[0]
        # The burst's window centred on the merger's arrival in that detector plus the offset.
        start = offset + arrival[ifo][i] + d["glitch_offset"] - 0.5 * window.duration
        clean = injections.data(i)
        glitched = dict(clean)
        glitched[ifo] = clean[ifo] + in_segment(burst, start, d["glitch_snr"], sim.domain)
        truth, prox = injections.truth(i, names), injections.proxies_of(i)
        row = {"injection": i, "network_snr": snr[i], **d.to_dict()}
        for label, data in (("clean", clean), ("glitch", glitched)):
            res = analyse(npe, data, truth, prox, settings["pp_samples"], int(config["seed"]) + i,
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


# -- glitch_robustness_summary ---------------------------------------------------------------

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

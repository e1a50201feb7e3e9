"""The measured numbers of the documentation, written from the measurement files: docs/results.md
and the headline table of README.md (between its ``results:headline`` markers) come from the
latest run of each file under ``bench/results/`` (and the regression reference), never from a
hand-typed number. ``tests/test_docs.py`` checks that the committed documents equal what this
writes.

    python -m bench.report            # rewrite docs/results.md and README.md's table
    python -m bench.report --check    # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "results.md"
README = ROOT / "README.md"
REGRESSION = ROOT / "bench" / "reference" / "tiny_config_outputs.json"
MARKERS = ("<!-- results:headline -->", "<!-- /results:headline -->")
#: The workflow run of the headline table.
HEADLINE_RUN = RESULTS / "workflow_GW150914.json"
#: The run of every binary black hole of the first observing run (config/o1_bbh.yaml).
CATALOGUE_RUN = RESULTS / "workflow_o1_bbh.json"
#: The parameters whose medians must lie inside the published 90 % intervals.
CATALOGUE_CHECKED = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance")
PARAMETERS = {"chirp_mass": "detector-frame chirp mass [M☉]", "mass_ratio": "mass ratio q",
              "chi_eff": "χ_eff", "luminosity_distance": "d_L [Mpc]", "theta_jn": "θ_jn [rad]", "ra": "ra [rad]",
              "dec": "dec [rad]"}
CATALOGUE_LABELS = {**PARAMETERS, "chirp_mass_source": "source-frame chirp mass [M☉]"}


# -- formatting ---------------------------------------------------------------------------------

def num(x, digits: int = 3) -> str:
    """``digits`` significant figures (fixed notation for ordinary magnitudes)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    x = float(x)
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if -4 <= magnitude < 6:
        decimals = max(digits - 1 - magnitude, 0)
        return f"{x:,.{decimals}f}".replace(",", " ")
    return f"{x:.{digits - 1}e}"


def pct(x, digits: int = 3) -> str:
    return "—" if x is None else num(100 * x, digits) + " %"


def interval(entry: dict | None, digits: int = 3) -> str:
    if not entry:
        return "—"
    lower = entry.get("lower", entry.get("lower_90"))
    upper = entry.get("upper", entry.get("upper_90"))
    return f"{num(entry['median'], digits)} [{num(lower, digits)}, {num(upper, digits)}]"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def origin(run: dict, path: Path) -> str:
    """One line saying where a table's numbers come from."""
    p = run["provenance"]
    git = p.get("git", {})
    commit = (git.get("commit") or "unknown")[:10]
    dirty = " with uncommitted changes" if git.get("dirty") else ""
    machine = p.get("machine")
    where = f"{machine['cpu']}, {machine['usable_cores']} cores" if machine else "machine not recorded"
    networks = p.get("networks") or {}
    nets = "; networks " + ", ".join(f"`{k}` {v['sha256'][:12]}" for k, v in networks.items()) if networks else ""
    note = f" (provenance backfilled from git; the commit says: “{p['git_message']}”)" if "recorded" in p else ""
    return (f"*From `{path.relative_to(ROOT).as_posix()}`: commit {commit}{dirty}, {p.get('date', '')[:10]}, "
            f"{where}{nets}{note}.*")


def latest(path: Path) -> dict:
    return json.loads(path.read_text())["runs"][-1]


# -- sections -----------------------------------------------------------------------------------

def workflow_section(path: Path) -> str:
    run = latest(path)
    r = run["result"]
    event_name, ev = next(iter(r["events"].items()))
    out = [f"## The workflow on {event_name}", "", origin(run, path), ""]
    config = run["provenance"].get("configfile")
    if config:
        out += [f"Configuration: `{config}`.", ""]
    s, comparison = ev["summary"], ev.get("comparison", {})
    intervals = comparison.get("intervals_90", {})
    references = [k for k in intervals if k not in ("NPE", "NPE-IS")]
    out += ["### Posterior (median and 90 % interval)", ""]
    rows = [[label] + [interval(intervals.get(a, {}).get(p)) for a in ["NPE", "NPE-IS", *references]]
            for p, label in PARAMETERS.items()]
    out += [table(["parameter", "NPE", "NPE-IS", *references], rows), ""]
    out += ["### Importance sampling", "",
            table(["efficiency", "ESS", "samples", "ln Z", "ln B (signal/noise)", "sampling with ln L [s]",
                   "final reweighting [s]"],
                  [[pct(s["sample_efficiency"]), num(s["effective_sample_size"], 4), str(s["n_samples"]),
                    f"{num(s['log_evidence'], 8)} ± {num(s['log_evidence_error'], 2)}", num(s["log_bayes_factor"], 5),
                    num(s["sampling_seconds"]), num(s["importance_sampling_seconds"])]]), ""]
    jsd = comparison.get("jsd_nat", {})
    if jsd:
        params = [p for p in PARAMETERS if any(p in v for v in jsd.values())]
        out += ["### Jensen–Shannon divergences [mnat]", "",
                table(["pair", *params], [[pair] + [num(1e3 * v[p], 2) if p in v else "—" for p in params]
                                          for pair, v in jsd.items()]), ""]
    exact = ev.get("exact_comparison")
    if exact and exact.get("applies"):
        params = exact["parameters"]
        out += ["### Against the exact posterior of the same inputs (stored bilby/dynesty run)", "",
                table(["pair", *params], [[pair] + [num(1e3 * v[p], 2) for p in params]
                                          for pair, v in exact["jsd_nat"].items()]), "",
                table(["", "ln B", "±"], [[k, num(v, 5), num(exact["log_bayes_factor_error"].get(k), 2)]
                                         for k, v in exact["log_bayes_factor"].items()]), "",
                f"Wall time of the exact posterior over NPE-IS's: {num(exact['wall_time_ratio'])} "
                f"({num(exact['wall_time_ratio_with_training'])} with the training); ln B differs by "
                f"{num(exact['log_bayes_factor_difference_sigma'], 2)} σ.", ""]
    pp = ev.get("pp_test")
    if pp:
        rows = [["NPE", num(pp["combined_pvalue"])] + [num(pp["pvalues"][k], 2) for k in pp["parameters"]]]
        if "importance_sampling" in pp:
            isp = pp["importance_sampling"]
            rows.append(["NPE-IS", num(isp["combined_pvalue"])] + [num(isp["pvalues"][k], 2) for k in pp["parameters"]])
        out += [f"### P–P test ({pp['n_injections']} injections; KS p-values)", "",
                table(["", "combined", *pp["parameters"]], rows), ""]
    robust = ev.get("glitch_robustness")
    if robust:
        rows = []
        for label in ("clean", "glitch"):
            g = robust[label]
            cov = g["coverage_90"]
            rows.append([label, num(sum(cov.values()) / len(cov)), num(g["combined_pvalue"]),
                         pct(g["sample_efficiency"]["median"])])
        out += [f"### Glitches near the merger ({robust['injections']} injections, {robust['glitch_source']} "
                f"glitches of SNR {num(robust['glitch_snr']['minimum'], 2)}–{num(robust['glitch_snr']['maximum'], 2)})",
                "", table(["data", "mean 90 % coverage", "combined p", "median IS efficiency"], rows), ""]
    den = ev.get("denoiser_metrics")
    if den:
        high = den["median_overlap_snr_above_20"]
        out += ["### Transformer denoiser (held-out injections)", "",
                table(["", "median overlap, SNR ≥ 20", "noise suppression", "glitch suppression"],
                      [[k, num(high.get(k)), num(den["noise_suppression"].get(k)),
                        num(den["glitch_suppression"].get(k))] for k in high]), ""]
    event = ev.get("denoiser_event")
    if event:
        out += [f"On {event_name}: overlap of the reconstruction with the highest-likelihood posterior waveform "
                f"{num(event['overlap_with_max_likelihood']['network'])} (the whitened data: "
                f"{num(event['data_overlap_with_max_likelihood'])}); with the posterior waveforms, median "
                f"{num(event['overlap_with_posterior_waveforms']['median'])} (over {event['posterior_waveforms']} "
                "posterior waveforms).", ""]
    gan = r.get("glitches", {}).get("gan_metrics")
    if gan:
        rows = [[cls, num(m["class_accuracy_real"]), num(m["class_accuracy_generated"]), num(m["c2st_noise_free"]),
                 num(m["c2st_in_noise"]), num(m["match_generated_median"]), num(m["match_real_median"]),
                 ", ".join(k for k, ok in m["targets_met"].items() if ok) or "none"]
                for cls, m in gan["classes"].items()]
        out += [f"### Glitch GAN (C2ST in noise at SNR {num(gan['snr_in_noise'], 2)})", "",
                table(["class", "class accuracy, real", "class accuracy, generated", "C2ST noise-free",
                       "C2ST in noise", "match generated", "match real", "targets met"], rows), ""]
    jobs = {**{f"{event_name}: {k}": v for k, v in ev.get("jobs", {}).items()},
            **{f"glitches: {k}": v for k, v in r.get("glitches", {}).get("jobs", {}).items()}}
    if jobs:
        out += ["### Wall time of the heavy jobs", "",
                table(["job", "seconds", "peak memory [MiB]"],
                      [[k, num(v["seconds"]), num(v["max_rss_mib"])] for k, v in jobs.items()]), ""]
    return "\n".join(out)


def _catalogue_rows(rows: list[dict], event: str, parameter: str) -> dict | None:
    return next((r for r in rows if r["event"] == event and r["parameter"] == parameter), None)


def catalogue_rows(r: dict) -> list[dict]:
    """The catalogue's rows (results/catalogue/catalogue.json), or for a run recorded before
    its catalogue was made, the same rows from each event's comparison with its reference."""
    if "catalogue" in r:
        return r["catalogue"]["rows"]
    rows = []
    for event, ev in r["events"].items():
        comparison = ev.get("comparison", {})
        intervals = comparison.get("intervals_90", {})
        reference = next((k for k in intervals if k not in ("NPE", "NPE-IS")), None)
        for p, ours in intervals.get("NPE-IS", {}).items():
            ref = intervals.get(reference, {}).get(p) if reference else None
            row = {"event": event, "parameter": p, "analysis": "NPE-IS", "median": ours["median"],
                   "lower": ours["lower"], "upper": ours["upper"], "reference": reference,
                   "median_inside_reference_90": None, "jsd_nat": None}
            if ref:
                row.update(reference_median=ref["median"], reference_lower=ref["lower"], reference_upper=ref["upper"],
                           median_inside_reference_90=bool(ref["lower"] <= ours["median"] <= ref["upper"]),
                           jsd_nat=comparison.get("jsd_nat", {}).get(f"NPE-IS vs {reference}", {}).get(p))
            rows.append(row)
    return rows


def catalogue_section(path: Path) -> str:
    """Every event of a multi-event run: the search's settings, importance sampling and the
    posterior against the published one (the catalogue's rows and each event's JSDs)."""
    run = latest(path)
    r = run["result"]
    config = run["provenance"].get("configfile")
    out = [f"## Every event of `{config}`" if config else "## Every event of a run", "", origin(run, path), "",
           "Each event's settings come from its own first search (`results/{event}/search/settings.json`); "
           "NPE-IS is one sampling seed of the event's network; training is the sum of its epochs' seconds. "
           "\"in 2-OGC 90 %\" counts the medians of "
           f"{', '.join(CATALOGUE_CHECKED)} that lie inside 2-OGC's 90 % intervals.", ""]
    rows, edge = [], []
    for event, ev in r["events"].items():
        s, search = ev.get("summary", {}), ev.get("event_settings", {})
        found = search.get("search", {})
        prior = search.get("config", {})
        mc = prior.get("prior.chirp_mass", {})
        inside = [_catalogue_rows(catalogue_rows(r), event, p) for p in CATALOGUE_CHECKED]
        inside = [x for x in inside if x and x.get("median_inside_reference_90") is not None]
        rows.append([event, num(found.get("network_snr")), f"[{num(mc.get('minimum'), 4)}, {num(mc.get('maximum'), 4)}]"
                     if mc else "—", num(prior.get("data.segment.duration"), 2),
                     num(prior.get("prior.luminosity_distance", {}).get("maximum"), 4),
                     num(ev.get("training_epochs_seconds", ev.get("jobs", {}).get("train_flow", {}).get("seconds", 0))
                         / 60, 3),
                     pct(s.get("sample_efficiency")), num(s.get("effective_sample_size"), 4),
                     num(s.get("log_bayes_factor"), 5),
                     f"{sum(x['median_inside_reference_90'] for x in inside)} of {len(inside)}"])
        if s.get("prior_window_cut"):
            edge.append(f"{event}: the posterior reaches the edge of the {', '.join(s['prior_window_cut'])} window")
    out += [table(["event", "search network SNR", "M_c window [M☉]", "segment [s]", "d_L max [Mpc]",
                   "training [min]", "IS efficiency", "ESS", "ln B", "in 2-OGC 90 %"], rows), ""]
    if edge:
        out += ["**Window edges:** " + "; ".join(edge) + ".", ""]
    rows = catalogue_rows(r)
    method = r["catalogue"]["jsd_method"] if "catalogue" in r else "as in each event's comparison (docs/methods/validation.md)"
    out += ["### Medians and 90 % intervals against 2-OGC", "",
            table(["event", "parameter", "NPE-IS", "2-OGC", "median inside", "JSD [mnat]"],
                  [[x["event"], CATALOGUE_LABELS.get(x["parameter"], x["parameter"]),
                    interval({"median": x["median"], "lower": x["lower"], "upper": x["upper"]}),
                    interval({"median": x["reference_median"], "lower": x["reference_lower"],
                              "upper": x["reference_upper"]}) if x.get("reference_median") is not None else "—",
                    {True: "yes", False: "**no**"}.get(x.get("median_inside_reference_90"), "—"),
                    num(1e3 * x["jsd_nat"], 3) if x.get("jsd_nat") is not None else "—"]
                   for x in rows]), "", f"JSD: {method}.", ""]
    pairs = [(event, pair, v) for event, ev in r["events"].items()
             for pair, v in ev.get("comparison", {}).get("jsd_nat", {}).items()]
    if pairs:
        params = [p for p in PARAMETERS if any(p in v for _, _, v in pairs)]
        out += ["### Jensen–Shannon divergences [mnat]", "",
                table(["event", "pair", *params], [[event, pair] + [num(1e3 * v[p], 3) if p in v else "—" for p in params]
                                                  for event, pair, v in pairs]), ""]
    return "\n".join(out)


def glitch_fidelity_section(path: Path) -> str:
    """Each class of generated glitches against its condition (bench/glitch_fidelity.py)."""
    run = latest(path)
    r = run["result"]
    t = r["targets"]
    rows = []
    for cls, m in r["classes"].items():
        one = m.get("one_to_one", {})
        g, real = one.get("generated", {}), one.get("real", {})
        lat, spec = m["lattice_z"], m["spectrum_ratio"]
        rows.append([cls, num(g.get("match_median"), 3), num(g.get("match_p10"), 3), num(real.get("match_p10"), 4),
                     num(g.get("match_shifted_median"), 3),
                     num(1e3 * g["peak_residual_rms"], 3) if "peak_residual_rms" in g else "—",
                     num(g.get("f0_slope_worst"), 2),
                     f"{num(lat['generated']['max'], 3)} (P = {lat['generated']['period_of_max']})",
                     num(lat["real"]["max"], 2),
                     f"{num(spec['generated']['min'], 2)}–{num(spec['generated']['max'], 3)}",
                     f"{num(spec['real_halves']['min'], 2)}–{num(spec['real_halves']['max'], 3)}"])
    return "\n".join([
        "## Glitch GAN: fidelity to the condition", "",
        "`bench/glitch_fidelity.py` (`gwda.glitches.fidelity`): each generated burst against the formula at the "
        "parameters it was conditioned on (match maximised over the phase, at the conditioned peak time and over "
        "±2 ms shifts; the shift is the peak-time residual; the f0 slope per 20 Hz bin, worst bin shown), the "
        "lattice scan of peak times (Rayleigh z over periods of 2–40 samples, against the times asked for) and the "
        "mean-spectrum ratio, generated over real, where the real spectrum holds ≥ 1e-3 of its peak (beside it, one "
        "half of the real set over the other). The held-out real bursts at their true parameters give the metric's "
        f"own floor. Targets: match median ≥ {t['match_median_min']}, 10th percentile ≥ {t['match_p10_min']}, residual "
        f"RMS ≤ {num(1e3 * t['peak_residual_rms_max'], 2)} ms, f0 slope 1 ± {t['f0_slope_tolerance']}, z < "
        f"{num(t['lattice_z_max'], 2)}, spectrum within ×{num(t['spectrum_ratio_max'], 2)}.", "", origin(run, path), "",
        table(["class", "match median", "match p10", "real p10", "shifted median", "residual RMS [ms]",
               "worst f0 slope", "lattice z", "real z", "spectrum ratio", "real halves"], rows), ""])


def suite_time_section(path: Path) -> str:
    """The test suite's wall time and its slowest tests (bench/suite_time.py)."""
    run = latest(path)
    r = run["result"]
    counts = ", ".join(f"{n} {k}" for k, n in r["counts"].items())
    return "\n".join(["## The test suite's wall time", "",
                      f"`bench/suite_time.py`: `pytest` on the whole suite, {num(r['seconds'] / 60, 3)} min "
                      f"({num(r['seconds'], 3)} s; {counts}).", "", origin(run, path), "",
                      table(["test", "phase", "seconds"],
                            [[f"`{x['test']}`", x["phase"], num(x["seconds"], 3)] for x in r["slowest"][:12]]), ""])


def _proposal(r: dict) -> str:
    parts = []
    if r.get("time_tails"):
        reach = r.get("time_tails_reach", 1)
        parts.append(f"time tails {num(r['time_tails'], 2)}" + (f" (reach {reach})" if reach != 1 else ""))
    reb = r.get("rebalance")
    if reb:
        cells = ", ".join(f"{k} {v}" for k, v in reb.get("bins", {}).items())
        parts.append(f"cells ({cells}{', time window' if reb.get('time_window') else ''})")
        if reb.get("marginal_bins"):
            parts.append(f"tilt {reb['marginal_bins']} bins, {reb.get('rounds', 1)} rounds, "
                         f"max factor {num(reb.get('max_factor'), 2)}")
    if r.get("proxy_mixture"):
        parts.append(f"proxy mixture {r['proxy_mixture']}")
    return "; ".join(parts) or "flow alone"


def efficiency_section(paths: list[Path]) -> str:
    out = ["## Importance-sampling efficiency over sampling seeds", "",
           "`bench/is_efficiency.py`: a trained network sampled again with independent seeds (the same data "
           "and proxies), each batch reweighted with the exact likelihood.", ""]
    for path in paths:
        run = latest(path)
        r = run["result"]
        effs = [row["efficiency"] for row in r["rows"]]
        out += [f"### `{path.name}`: {Path(r['event_results']).name}, {_proposal(r)}", "", origin(run, path), "",
                table(["seeds × samples", "median", "min", "max", "pooled", "median / pooled", "ln B spread"],
                      [[f"{r['seeds']} × {r['samples_per_seed']}", pct(r["median_efficiency"]),
                        pct(r["min_efficiency"]), pct(r["max_efficiency"]), pct(r["pooled_efficiency"]),
                        num(r["median_over_pooled"]), num(r["log_bayes_factor_spread"], 2)]]), "",
                "Per seed: " + ", ".join(pct(e) for e in effs) + ".", ""]
    return "\n".join(out)


def simulated_section(paths: list[Path]) -> str:
    out = ["## Simulated events through the whole workflow", "",
           "`bench/simulated_events.py`: a binary-black-hole signal at a chosen network SNR in Gaussian noise "
           "coloured like GW150914's, written as GWOSC files and analysed by the whole workflow.", ""]
    for path in paths:
        run = latest(path)
        rows = []
        for e in run["result"]["events"]:
            s, spread = e["summary"], e["efficiency_over_seeds"]
            rows.append([e["event"], num(e["network_optimal_snr"], 3), pct(s.get("sample_efficiency")),
                         num(s.get("effective_sample_size"), 4), pct(spread["median_efficiency"]),
                         pct(spread["min_efficiency"]), pct(spread["pooled_efficiency"]),
                         num(s.get("log_bayes_factor"), 5)])
        out += [f"### `{path.name}`", "", origin(run, path), "",
                table(["event", "SNR", "pipeline's efficiency", "ESS", "median over seeds", "min", "pooled", "ln B"],
                      rows), ""]
    return "\n".join(out)


def arrival_section(path: Path) -> str:
    run = latest(path)
    rows = run["result"]["rows"]
    freqs = list(rows[0]["frequencies"])
    return "\n".join(["## Arrival-time spread", "",
                      "`bench/arrival_time_spread.py`: 90 % width [ms] of the first detector's arrival time of the "
                      "merger and of the signal's passage through fixed frequencies, over importance-weighted "
                      "posterior draws.", "", origin(run, path), "",
                      table(["event", "window [ms]", "merger", *[f"{f} Hz" for f in freqs]],
                            [[r["event"], f"±{num(r['window_ms'], 2)}", num(r["merger"]["width_90_ms"])]
                             + [num(r["frequencies"][f]["width_90_ms"]) for f in freqs] for r in rows]), ""])


def event_settings_section(path: Path) -> str:
    run = latest(path)
    rows = []
    for r in run["result"]["rows"]:
        pub = r.get("published") or {}
        mc = pub.get("chirp_mass")
        rows.append([r["event"], num(r["network_snr"], 3), num(r["chirp_mass"]["chirp_mass"], 4),
                     f"[{num(r['chirp_mass_window'][0], 4)}, {num(r['chirp_mass_window'][1], 4)}]",
                     f"[{num(mc[0], 4)}, {num(mc[2], 4)}]" if mc else "—",
                     "yes" if r.get("window_holds_published_90") else ("no" if mc else "—"),
                     num(r["segment"], 2), num(r["distance_maximum"], 4),
                     num(pub["luminosity_distance_95"], 3) if pub.get("luminosity_distance_95") else "—",
                     "; ".join(r["warnings"]) or "—"])
    return "\n".join(["## Each event's settings from the search", "",
                      "`bench/event_settings.py`: the wide-bank search of each event's data and the settings it "
                      "chooses (docs/methods/search.md), against the published posterior: does the chirp-mass "
                      "window hold the published 90 % interval of the detector-frame chirp mass, and does the "
                      "distance bound lie above the published 95th percentile of d_L?", "", origin(run, path), "",
                      table(["event", "network SNR", "search M_c [M☉]", "M_c window [M☉]", "published M_c 90 %",
                             "holds it", "segment [s]", "d_L max [Mpc]", "published d_L 95 % [Mpc]", "warnings"],
                            rows), ""])


def mutation_section(path: Path) -> str:
    history = json.loads(path.read_text())["runs"]
    out = ["## Mutation testing", "",
           "`python bench/mutation.py`: mutmut plants one change at a time in a module and runs its tests; "
           "score = killed / (mutants − argued equivalent). Argued equivalents: "
           "`bench/mutation_equivalents.yaml`.", ""]
    latest_by_module: dict[str, tuple[dict, dict]] = {}
    before_by_module: dict[str, tuple[dict, dict]] = {}
    for run in history:
        target = before_by_module if run["provenance"].get("tests_from") else latest_by_module
        for module, m in run["result"]["modules"].items():
            target[module] = (m, run)
    for title, runs in (("The suite as it stands", latest_by_module),
                        ("Before the tests written from the survivors", before_by_module)):
        if not runs:
            continue
        rows = [[f"`{module}`", str(m["mutants"]) + (f" (+{len(m['not_measured'])} not run)" if m.get("not_measured") else ""), str(m["killed"]), str(m["equivalent"]), str(m["survived"]),
                 num(m["score"]), f"{m.get('rescored_from', run['provenance']['git'])['commit'][:10]}"
                 + (f" (tests of {run['provenance']['tests_from'][:10]})" if run["provenance"].get("tests_from") else "")
                 + (f" (equivalents of {run['provenance']['git']['commit'][:10]})" if m.get("rescored_from") else "")]
                for module, (m, run) in sorted(runs.items())]
        out += [f"### {title}", "", f"*From `{path.relative_to(ROOT).as_posix()}`.*", "",
                table(["module", "mutants", "killed", "argued equivalent", "survived", "score", "code (tests)"], rows),
                ""]
        if title == "The suite as it stands":
            survivors = [(module, s) for module, (m, _) in sorted(runs.items()) for s in m["survivors"]]
            if survivors:
                out += ["Surviving mutants (missing tests):", ""]
                out += [f"- `{module}` `{s['function']}`: `{s['before']}` → `{s['after']}`" for module, s in survivors]
                out += [""]
    return "\n".join(out)


def regression_section(path: Path) -> str:
    ref = json.loads(path.read_text())
    noise = ref["float_order_noise"]
    rows = [[k, num(v["relative"], 2), num(noise.get(k, {}).get("relative"), 2)] for k, v in ref["tolerances"].items()]
    commit = ref["provenance"]["git"]["commit"][:10]
    return "\n".join(["## End-to-end regression reference", "",
                      f"`bench/reference/tiny_config_outputs.json`: {len(ref['numbers'])} numbers of the tiny "
                      f"configuration on the real GW150914 files (commit {commit}, "
                      f"{ref['provenance']['date'][:10]}); the suite fails when one moves beyond its kind's relative "
                      f"tolerance ({num(ref['noise_factor'], 2)} × the largest difference between 1 and 2 threads "
                      "per job, at least 1e-4; 1e-9 for what numpy and LALSuite compute alone).", "",
                      table(["kind", "relative tolerance", "1 vs 2 threads"], rows), ""]
                     + regression_runs(RESULTS / "regression.json"))


def _code_change(git: dict) -> str:
    """The changed source lines of a run of uncommitted code (its recorded diff), or 'as committed'."""
    if not git.get("dirty"):
        return "as committed"
    changed, current = [], None
    for line in git.get("diff", "").splitlines():
        if line.startswith("+++ b/"):
            current = line[6:]
        elif current and current.endswith(".py") and line[:1] in "+-" and not line.startswith(("+++", "---")):
            changed.append(f"`{line[0]} {line[1:].strip()}`")
    return f"`{current}`: " + " ".join(changed) if changed else "uncommitted changes outside the code"


def regression_runs(path: Path) -> list[str]:
    """The recorded comparisons (``bench/regression.py --record``): a clean run and planted changes."""
    if not path.exists():
        return []
    rows = [[run["provenance"]["git"]["commit"][:10], run["provenance"]["date"][:10],
             _code_change(run["provenance"]["git"]), f"{run['result']['outside_tolerance']} of {run['result']['numbers']}",
             ", ".join(f"{k} {v}" for k, v in sorted(run["result"]["by_kind"].items())) or "—"]
            for run in json.loads(path.read_text())["runs"]]
    return [f"Recorded comparisons (`bench/regression.py --record`, *from `{path.relative_to(ROOT).as_posix()}`*): "
            "the code as committed, and with a plausible bug planted, which the check must reject.", "",
            table(["commit", "date", "code", "numbers outside tolerance", "by kind"], rows), ""]


# -- documents ----------------------------------------------------------------------------------

def results_document() -> str:
    parts = ["# Results", "",
             "Generated by `python -m bench.report` from the measurement files in `bench/results/` (the latest "
             "run of each; every file keeps its earlier runs) and the regression reference. Do not edit by hand: "
             "re-run the measurement, then the generator. Each table names the file, the commit, the date and "
             "the machine it comes from.", ""]
    if HEADLINE_RUN.exists():
        parts.append(workflow_section(HEADLINE_RUN))
    if CATALOGUE_RUN.exists():
        parts.append(catalogue_section(CATALOGUE_RUN))
    efficiency = sorted(RESULTS.glob("is_efficiency_*.json"))
    if efficiency:
        parts.append(efficiency_section(efficiency))
    if (RESULTS / "glitch_fidelity.json").exists():
        parts.append(glitch_fidelity_section(RESULTS / "glitch_fidelity.json"))
    simulated = sorted(RESULTS.glob("simulated_events*.json"))
    if simulated:
        parts.append(simulated_section(simulated))
    if (RESULTS / "arrival_time_spread.json").exists():
        parts.append(arrival_section(RESULTS / "arrival_time_spread.json"))
    if (RESULTS / "event_settings.json").exists():
        parts.append(event_settings_section(RESULTS / "event_settings.json"))
    if (RESULTS / "mutation.json").exists():
        parts.append(mutation_section(RESULTS / "mutation.json"))
    if REGRESSION.exists():
        parts.append(regression_section(REGRESSION))
    if (RESULTS / "suite_time.json").exists():
        parts.append(suite_time_section(RESULTS / "suite_time.json"))
    return "\n".join(parts).rstrip() + "\n"


def headline_table() -> str:
    """README's table: the default configuration on GW150914, from the latest workflow run."""
    if not HEADLINE_RUN.exists():
        return "*No workflow run recorded yet (`python bench/record_run.py`).*"
    run = latest(HEADLINE_RUN)
    r = run["result"]
    event_name, ev = next(iter(r["events"].items()))
    s, intervals = ev["summary"], ev.get("comparison", {}).get("intervals_90", {})
    reference = next((k for k in intervals if k not in ("NPE", "NPE-IS")), None)
    rows = [[label, interval(intervals.get("NPE-IS", {}).get(p)),
             interval(intervals.get(reference, {}).get(p)) if reference else "—"]
            for p, label in list(PARAMETERS.items())[:5]]
    lines = [table(["GW150914", "NPE-IS (this workflow)", reference or "reference"], rows), ""]
    facts = [f"importance-sampling efficiency {pct(s['sample_efficiency'])} (ESS {num(s['effective_sample_size'], 4)} "
             f"of {s['n_samples']})", f"ln B = {num(s['log_bayes_factor'], 5)}"]
    exact = ev.get("exact_comparison")
    if exact and exact.get("applies"):
        worst = max(exact["jsd_nat"]["NPE-IS vs exact"].values())
        facts.append(f"largest JSD of NPE-IS from the exact posterior {num(1e3 * worst, 2)} mnat")
    if ev.get("pp_test"):
        facts.append(f"P–P combined p = {num(ev['pp_test']['combined_pvalue'], 2)}")
    jobs = list(ev.get("jobs", {}).values()) + list(r.get("glitches", {}).get("jobs", {}).values())
    if jobs:
        facts.append(f"heavy jobs {num(sum(j['seconds'] for j in jobs) / 60, 2)} min in all")
    lines.append("; ".join(facts) + ".")
    lines += ["", origin(run, HEADLINE_RUN)]
    if CATALOGUE_RUN.exists():
        lines += ["", catalogue_headline(latest(CATALOGUE_RUN))]
    return "\n".join(lines)


def catalogue_headline(run: dict) -> str:
    """README's table of the first observing run: each event's chirp mass and efficiency."""
    r = run["result"]
    rows = []
    for event, ev in r["events"].items():
        cat = [x for x in catalogue_rows(r) if x["event"] == event]
        mc = next((x for x in cat if x["parameter"] == "chirp_mass"), None)
        checked = [x for x in cat if x["parameter"] in CATALOGUE_CHECKED and x.get("median_inside_reference_90") is not None]
        rows.append([event, interval(mc) if mc else "—",
                     interval({"median": mc["reference_median"], "lower": mc["reference_lower"],
                               "upper": mc["reference_upper"]}) if mc and mc.get("reference_median") else "—",
                     f"{sum(x['median_inside_reference_90'] for x in checked)} of {len(checked)}",
                     pct(ev.get("summary", {}).get("sample_efficiency"))])
    return "\n".join([table(["first observing run", "NPE-IS M_c [M☉]", "2-OGC M_c [M☉]",
                             "medians in 2-OGC 90 % (M_c, q, χ_eff, d_L)", "IS efficiency"], rows), "",
                      origin(run, CATALOGUE_RUN)])


def readme_with_headline(text: str) -> str:
    start, end = (text.index(m) for m in MARKERS)
    return text[:start + len(MARKERS[0])] + "\n" + headline_table() + "\n" + text[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a document is out of date")
    args = parser.parse_args()
    documents = {DOC: results_document(), README: readme_with_headline(README.read_text())}
    stale = [path for path, text in documents.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: python -m bench.report")
        sys.exit(1 if stale else 0)
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(documents[path])
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

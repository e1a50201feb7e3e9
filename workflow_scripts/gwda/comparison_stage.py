"""Published posteriors and the comparison of the event's posterior with them (rules
reference_posterior and compare_posteriors); readers in :mod:`gwda.reference`, statistics
in :mod:`gwda.compare`."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import h5py
import numpy as np

from .compare import COMPARED, GRID_POINTS, intervals_and_divergences
from .diagnostic_plots import table_figure
from .gwosc_download import cached_download
from .posterior_plots import corner_figure, sky_map_figure
from .reference import read_reference
from .runtime import atomic_output, write_json
from .samples import read_analyses, read_posterior_samples, write_posterior_samples

log = logging.getLogger(__name__)

# -- reference_posterior ----------------------------------------------------------------

def references_of(config: dict, event: str) -> list[dict]:
    return [r for r in config["validation"]["references"] if r.get("events") is None or event in r["events"]]


def reference_posterior(reference: str, output, event: str, trigger_time: float, config: dict) -> dict:
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
    write_posterior_samples(output, samples, {"label": spec["label"], "event": event, "source": str(origin),
                                              "description": description})
    log.info("reference %s for %s: %d samples from %s (%s layout)", spec["label"], event,
             len(samples["chirp_mass"]), source, description["layout"])
    return description


# -- compare_posteriors -----------------------------------------------------------------

def compare_posteriors(posterior_path, reference_paths: list, table_csv, output_json, corner_png, sky_png,
                       table_png, event: str, config: dict) -> dict:
    """JSDs of NPE and NPE-IS against each reference (and NPE against NPE-IS), medians and
    90 % intervals side by side, the corner plot and the sky map."""
    analyses = read_analyses(posterior_path)
    with h5py.File(posterior_path, "r") as fh:
        is_attrs = dict(fh["NPE-IS"].attrs) if "NPE-IS" in fh else {}
    references = {}
    for path in reference_paths:
        with h5py.File(path, "r") as fh:
            label = str(fh.attrs["label"])
        references[label] = read_posterior_samples(path)
    series = {**analyses, **references}
    parameters = [p for p in COMPARED if any(p in s for s in series.values())]
    pairs = [(a, r) for a in analyses for r in references] + ([("NPE", "NPE-IS")] if len(analyses) == 2 else [])
    intervals, divergences = intervals_and_divergences(series, pairs, parameters)
    result = {"event": event, "parameters": parameters, "intervals_90": intervals, "jsd_nat": divergences,
              "jsd_method": f"Gaussian KDE (Scott bandwidth) on a {GRID_POINTS}-point grid over the pooled 0.1-99.9 % range "
                            "(+5 %), natural log; thinned to 20 000 samples",
              "sample_efficiency": float(is_attrs.get("sample_efficiency", np.nan)),
              "log_evidence": float(is_attrs.get("log_evidence", np.nan)),
              "log_evidence_error": float(is_attrs.get("log_evidence_error", np.nan))}
    write_json(output_json, result)
    with atomic_output(table_csv) as tmp, open(tmp, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["parameter"] + [f"{label} median" for label in series] + [f"{label} 5%" for label in series]
                        + [f"{label} 95%" for label in series] + [f"JSD {pair} [nat]" for pair in divergences])
        for p in parameters:
            row = [p]
            for key in ("median", "lower", "upper"):
                row += [f"{intervals[label][p][key]:.6g}" if p in intervals[label] else "" for label in series]
            row += [f"{divergences[pair][p]:.5f}" if p in divergences[pair] else "" for pair in divergences]
            writer.writerow(row)
    _table(result, series, table_png, event)
    corner = [p for p in ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn") if p in parameters]
    corner_figure(series, corner, f"{event}: posterior", corner_png)
    sky_map_figure({k: v for k, v in series.items() if "ra" in v}, f"{event}: sky position", sky_png)
    log.info("compared %s with %s: %s", ", ".join(analyses), ", ".join(references) or "no reference",
             "; ".join(f"{pair}: chirp_mass JSD {d.get('chirp_mass', np.nan):.4f} nat" for pair, d in divergences.items()))
    return result


def _fmt(e: dict) -> str:
    digits = 3 if max(abs(e["median"]), 1e-12) < 10 else 1
    return f"{e['median']:.{digits}f} [{e['lower']:.{digits}f}, {e['upper']:.{digits}f}]"


def _table(result: dict, series: dict, png, event: str) -> None:
    labels = list(series)
    pairs = list(result["jsd_nat"])
    header = ["parameter"] + [f"{label}\nmedian [90 %]" for label in labels] + [f"JSD [mnat]\n{p}" for p in pairs]
    rows = []
    for p in result["parameters"]:
        row = [p] + [_fmt(result["intervals_90"][label][p]) if p in result["intervals_90"][label] else "–"
                     for label in labels]
        row += [f"{1e3 * result['jsd_nat'][pair][p]:.1f}" if p in result["jsd_nat"][pair] else "–" for pair in pairs]
        rows.append(row)
    foot = (f"NPE-IS: importance-sampling efficiency {100 * result['sample_efficiency']:.2f} %, "
            f"ln Z = {result['log_evidence']:.2f} ± {result['log_evidence_error']:.2f}.   "
            "JSD: 1-D Jensen–Shannon divergence (KDE, natural log; 1 mnat = 1e-3 nat).")
    table_figure(rows, header, f"{event}: medians and 90 % intervals", png, foot)

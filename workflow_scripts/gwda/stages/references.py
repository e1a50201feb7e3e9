"""Published posteriors (rules/references.smk): each reference read (a local file or a download
with a cache) into this project's names and frames, and NPE and NPE-IS compared with them:
medians and 90 % intervals, 1-D Jensen–Shannon divergences, the corner plot and the sky map."""

from __future__ import annotations

import logging
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from ..core.divergences import JSD_METHOD, intervals_and_divergences
from ..gw.conversions import COMPARED, CORNER
from ..io.gwosc_download import cached_download
from ..io.reference import read_reference
from ..io.samples import read_analyses, read_posterior_samples, read_sampler_meta, write_posterior_samples
from ..plots.diagnostics import interval_table_figure
from ..plots.posterior import corner_figure, sky_map_figure
from ..runtime import atomic_output, write_json

log = logging.getLogger(__name__)


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
    foot = (f"NPE-IS: importance-sampling efficiency {100 * out['sample_efficiency']:.2f} %, "
            f"ln Z = {out['log_evidence']:.2f} ± {out['log_evidence_error']:.2f}.   "
            "JSD: 1-D Jensen–Shannon divergence (KDE, natural log; 1 mnat = 1e-3 nat).")
    interval_table_figure(out, series, summary_table, f"{event}: medians and 90 % intervals", foot)
    corner_figure(series, [p for p in CORNER if p in parameters], f"{event}: posterior", corner)
    sky_map_figure({k: v for k, v in series.items() if "ra" in v}, f"{event}: sky position", skymap)
    log.info("compared %s with %s: %s", ", ".join(analyses), ", ".join(published) or "no reference",
             "; ".join(f"{pair}: chirp_mass JSD {d.get('chirp_mass', np.nan):.4f} nat"
                       for pair, d in divergences.items()))
    return out

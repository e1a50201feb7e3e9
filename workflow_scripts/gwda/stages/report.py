"""Report stages (rules/report.smk): the figures not made by the other stages, training
curves and the whitened strain with the waveforms reconstructed from the posterior, and the
whole run's machine-readable summary."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pandas as pd

from ..core.divergences import JSD_METHOD, intervals_and_divergences
from ..gw.conversions import add_source_frame, from_release
from ..io.run_summary import run_summary
from ..io.samples import read_posterior_samples, read_preferred_analysis
from ..npe.analysis import ModelAnalysis
from ..plots.diagnostics import loss_figure
from ..plots.posterior import catalogue_figure, whitened_strain_figure
from ..plots.style import DISPLAY_BAND
from ..provenance import provenance
from ..runtime import rng as make_rng
from ..runtime import write_json

log = logging.getLogger(__name__)


def plot_training(loss: str, figure: str, event: str) -> None:
    history = pd.read_csv(loss).to_dict("records")
    loss_figure(history, f"{event}: training of the neural posterior estimator", figure)


def plot_reconstruction(posterior: str, model: str, strain: list, psd: list, figure: str, event: str,
                        config: dict) -> None:
    """Whitened, band-passed data of each detector around the merger with the median and
    90 % band of the waveforms of posterior samples (NPE-IS if present, else NPE)."""
    analysis = ModelAnalysis.load(model, psd)
    sim = analysis.simulator
    group, samples = read_preferred_analysis(posterior)
    samples = from_release(samples, sim.trigger_time)
    data = analysis.whitened_data(strain)
    rng = make_rng(config["seed"], "plot_reconstruction", event)
    n = samples["chirp_mass"].size
    idx = rng.choice(n, min(n, config["validation"]["reconstruction_samples"]), replace=False)
    signals = sim.signal({k: v[idx] for k, v in samples.items() if k in analysis.prior.priors})
    band = (max(DISPLAY_BAND[0], sim.domain.f_min), min(DISPLAY_BAND[1], sim.domain.f_max))
    times = sim.sample_times()
    show = (times >= -0.2) & (times <= 0.1)
    data_t = {i: sim.domain.whitened_time_series(data[i], band)[show] for i in sim.ifos}
    wave_t = {i: sim.domain.whitened_time_series(signals[i], band)[:, show] for i in sim.ifos}
    whitened_strain_figure(times[show], data_t, wave_t, band,
                           f"{event}: whitened strain and {group} reconstruction ({idx.size} samples)", figure)
    log.info("reconstructed %d %s waveforms for %s", idx.size, group, event)


def summarise_run(results: list, summary: str, events: list, config: dict) -> dict:
    """``results/summary.json``: every event's numbers and the GAN's (:mod:`gwda.io.run_summary`)
    with the provenance of the run (code, config, machine, date). ``results`` are the run's
    final outputs, listed so that the summary is made last."""
    out = {"provenance": provenance(config=config), **run_summary(list(events))}
    write_json(summary, out)
    log.info("summarised %d events in %s", len(events), summary)
    return out


#: Parameters of the catalogue table and figure.
CATALOGUE = ("chirp_mass", "chirp_mass_source", "mass_ratio", "chi_eff", "luminosity_distance", "ra", "dec")


def catalogue_table(events: dict[str, dict[str, np.ndarray]], references: dict[str, tuple[str, dict]],
                    analysis: dict[str, str]) -> pd.DataFrame:
    """One row per event and parameter: the median and 90 % interval of the event's posterior
    and of its published one (``references``: event -> (label, samples)), whether the median
    lies inside the published 90 % interval, and the JSD between the two [nat]."""
    rows = []
    for event, samples in events.items():
        label, ref = references.get(event, (None, {}))
        series = {"ours": samples, "reference": ref}
        intervals, divergences = intervals_and_divergences(series, [("ours", "reference")],
                                                           [p for p in CATALOGUE if p in samples])
        for p, ours in intervals["ours"].items():
            row = {"event": event, "parameter": p, "analysis": analysis[event], **ours, "reference": label}
            if p in intervals["reference"]:
                theirs = intervals["reference"][p]
                row.update({f"reference_{k}": v for k, v in theirs.items()})
                row["median_inside_reference_90"] = bool(theirs["lower"] <= ours["median"] <= theirs["upper"])
                row["jsd_nat"] = divergences["ours vs reference"][p]
            rows.append(row)
    return pd.DataFrame(rows)


def _with_source_frame(samples: dict) -> dict:
    samples = dict(samples)
    if "chirp_mass_source" not in samples and "luminosity_distance" in samples:
        add_source_frame(samples)
    return samples


def catalogue(posteriors: list, references: list, events: list, table: str, result: str, figure: str) -> pd.DataFrame:
    """All events' posteriors side by side with their published ones (the first reference
    configured for each event): ``catalogue.csv`` / ``.json`` and the catalogue figure."""
    ours, analysis, published = {}, {}, {}
    for event, path in zip(events, posteriors):
        analysis[event], samples = read_preferred_analysis(path)
        ours[event] = _with_source_frame(samples)
    for path in references:
        with h5py.File(path, "r") as fh:
            event, label = str(fh.attrs["event"]), str(fh.attrs["label"])
        if event in ours and event not in published:
            published[event] = (label, _with_source_frame(read_posterior_samples(path)))
    frame = catalogue_table(ours, published, analysis)
    frame.to_csv(table, index=False)
    write_json(result, {"parameters": list(CATALOGUE), "jsd_method": JSD_METHOD,
                        "rows": frame.replace({np.nan: None}).to_dict(orient="records")})
    catalogue_figure(ours, {e: s for e, (_, s) in published.items()},
                     f"{len(ours)} event{'s' if len(ours) > 1 else ''}: this analysis (solid) and published (dashed)", figure)
    log.info("catalogue of %d events (%d with a published posterior) in %s", len(ours), len(published), table)
    return frame

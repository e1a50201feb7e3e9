"""The summary of a posterior (``summary.json``): medians and 90 % intervals, and the flags
that say a posterior may be cut: samples piled against a prior bound, arrival times piled
against an alignment window."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..gw.alignment import TimeAlignment
from ..gw.conversions import RELEASE_NAMES
from ..gw.priors import Prior
from .analysis import ModelAnalysis

log = logging.getLogger(__name__)

#: Columns of posterior files that are not parameters.
NOT_PARAMETERS = ("log_prior", "log_likelihood", "log_proposal", "weights")
#: Periodic parameters, never flagged at their bounds.
PERIODIC = ("phase", "psi", "ra")


def summarise(samples: dict, prior: Prior, boundary_fraction: float) -> dict:
    """Median and 90 % interval of every parameter; ``at_prior_bound`` where more than
    ``boundary_fraction`` of the samples lie in the outer 1 % of the prior range at either end."""
    table = pd.DataFrame({k: v for k, v in samples.items() if k not in NOT_PARAMETERS})
    quantiles = table.replace([np.inf, -np.inf], np.nan).quantile([0.05, 0.5, 0.95])
    out = {}
    for name in table.columns:
        lower, median, upper = quantiles[name]
        entry = {"median": float(median), "lower_90": float(lower), "upper_90": float(upper)}
        if name in prior.priors and prior.priors[name].kind != "fixed":
            lo, hi = prior.bounds(name)
            edge = 0.01 * (hi - lo)
            values = table[name].to_numpy()
            frac = max(np.mean(values < lo + edge), np.mean(values > hi - edge))
            entry["at_prior_bound"] = bool(frac > boundary_fraction and name not in PERIODIC)
        out[name] = entry
    return out


def to_release(summary: dict, trigger_time: float) -> dict:
    """A :func:`summarise` table in the conventions of the posterior file
    (:func:`gwda.gw.conversions.to_release`): spin names, GPS ``geocent_time``."""
    out = {RELEASE_NAMES.get(name, name): dict(entry) for name, entry in summary.items()}
    if "geocent_time" in out:
        out["geocent_time"].update({k: out["geocent_time"][k] + trigger_time
                                    for k in ("median", "lower_90", "upper_90")})
    return out


def window_flags(alignment: TimeAlignment, arrival: dict[str, dict], proxies: dict, boundary_fraction: float):
    """Per analysis (``arrival``: its samples' arrival times per detector): the fraction of
    samples near each alignment window's edge, and the detectors where it exceeds
    ``boundary_fraction`` (the posterior is cut there)."""
    fractions = {label: alignment.window_fractions(times, proxies) for label, times in arrival.items()}
    cut = sorted({ifo for f in fractions.values() for ifo, value in f.items() if value > boundary_fraction})
    return fractions, cut


def event_summary(analysis: ModelAnalysis, posteriors: dict[str, dict], proxies: dict,
                  boundary_fraction: float) -> dict:
    """``summary.json``'s tables and flags for the posteriors (by label; physical
    parameters as the model infers them) of one event; warns where a posterior may be cut."""
    out = {"analyses": {label: to_release(summarise(s, analysis.prior, boundary_fraction),
                                          analysis.simulator.trigger_time) for label, s in posteriors.items()}}
    flagged = sorted({name for a in out["analyses"].values() for name, e in a.items() if e.get("at_prior_bound")})
    out["parameters_at_prior_bound"] = flagged
    if flagged:
        log.warning("posterior piles against the prior bound of %s: the event may lie outside the "
                    "training prior", ", ".join(flagged))
    out["time_proxies"] = proxies
    arrival = {label: analysis.simulator.arrival_times(s) for label, s in posteriors.items()}
    out["alignment_window_edge_fraction"], out["alignment_window_cut"] = window_flags(
        analysis.alignment, arrival, proxies, boundary_fraction)
    if out["alignment_window_cut"]:
        log.warning("posterior arrival times pile against the alignment window of %s: the matched-filter "
                    "proxies may be off; the posterior is cut there", ", ".join(out["alignment_window_cut"]))
    return out

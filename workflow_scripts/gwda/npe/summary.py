"""The summary of a posterior (``summary.json``): medians and 90 % intervals, and the flags
that say a posterior may be cut: samples piled against a prior bound, arrival times piled
against an alignment window."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..gw.conversions import to_release
from ..gw.priors import Prior
from .analysis import ModelAnalysis

log = logging.getLogger(__name__)

#: Columns of posterior files that are not parameters.
NOT_PARAMETERS = ("log_prior", "log_likelihood", "log_proposal", "weights")
#: Periodic parameters, never flagged at their bounds.
PERIODIC = ("phase", "psi", "ra")


def prior_bounds(prior: Prior) -> dict[str, tuple[float, float]]:
    """(minimum, maximum) of every parameter the prior does not fix."""
    return {name: prior.bounds(name) for name in prior.sampled_names}


def summarise(samples: dict, bounds: dict[str, tuple[float, float]], boundary_fraction: float) -> dict:
    """Median and 90 % interval of every parameter; ``at_prior_bound`` (for those with
    ``bounds``) where more than ``boundary_fraction`` of the samples lie in the outer 1 % of
    the prior range at either end."""
    table = pd.DataFrame({k: v for k, v in samples.items() if k not in NOT_PARAMETERS})
    quantiles = table.replace([np.inf, -np.inf], np.nan).quantile([0.05, 0.5, 0.95])
    out = {}
    for name in table.columns:
        lower, median, upper = quantiles[name]
        entry = {"median": float(median), "lower_90": float(lower), "upper_90": float(upper)}
        if name in bounds:
            lo, hi = bounds[name]
            edge = 0.01 * (hi - lo)
            values = table[name].to_numpy()
            frac = max(np.mean(values < lo + edge), np.mean(values > hi - edge))
            entry["at_prior_bound"] = bool(frac > boundary_fraction and name not in PERIODIC)
        out[name] = entry
    return out


#: Parameters whose prior range the event's search sets (gwda.gw.event_settings): a window
#: around the trigger's value, which must hold the whole posterior.
WINDOWED = ("chirp_mass", "luminosity_distance")
#: A posterior touches its window when more than EDGE_MASS of its samples lie in the outer
#: EDGE of the range at either end.
EDGE, EDGE_MASS = 0.05, 0.01


def window_edges(samples: dict, bounds: dict[str, tuple[float, float]]) -> dict[str, dict]:
    """Per windowed parameter: the fractions of ``samples`` in the outer EDGE of its range at
    the lower and at the upper end, and whether either exceeds EDGE_MASS."""
    out = {}
    for name in WINDOWED:
        if name in bounds and name in samples:
            lo, hi = bounds[name]
            x = np.asarray(samples[name], dtype=float)
            lower, upper = float(np.mean(x < lo + EDGE * (hi - lo))), float(np.mean(x > hi - EDGE * (hi - lo)))
            out[name] = {"range": [lo, hi], "lower": lower, "upper": upper, "touches": max(lower, upper) > EDGE_MASS}
    return out


def event_summary(analysis: ModelAnalysis, posteriors: dict[str, dict], proxies: dict,
                  boundary_fraction: float) -> dict:
    """``summary.json``'s tables and flags for the posteriors (by label; physical
    parameters as the model infers them) of one event, in the conventions of the posterior
    file (:func:`gwda.gw.conversions.to_release`); warns where a posterior may be cut."""
    trigger = analysis.simulator.trigger_time
    lower, upper = (to_release({n: b[i] for n, b in prior_bounds(analysis.prior).items()}, trigger) for i in (0, 1))
    bounds = {n: (lower[n], upper[n]) for n in lower}
    out = {"analyses": {label: summarise(to_release(s, trigger), bounds, boundary_fraction)
                        for label, s in posteriors.items()}}
    flagged = sorted({name for a in out["analyses"].values() for name, e in a.items() if e.get("at_prior_bound")})
    out["parameters_at_prior_bound"] = flagged
    edges = {label: window_edges(to_release(s, trigger), bounds) for label, s in posteriors.items()}
    out["prior_window_edges"] = edges
    out["prior_window_cut"] = sorted({name for e in edges.values() for name, v in e.items() if v["touches"]})
    if out["prior_window_cut"]:
        log.warning("POSTERIOR CUT BY THE PRIOR WINDOW of %s: more than %g of the samples lie in the outer %g of "
                    "the range; widen it (search.chirp_mass_window, search.distance or an explicit prior)",
                    ", ".join(out["prior_window_cut"]), EDGE_MASS, EDGE)
    if flagged:
        log.warning("posterior piles against the prior bound of %s: the event may lie outside the "
                    "training prior", ", ".join(flagged))
    # Arrival times near the edge of an alignment window: the posterior is cut there.
    out["time_proxies"] = proxies
    fractions = {label: analysis.alignment.window_fractions(analysis.simulator.arrival_times(s), proxies)
                 for label, s in posteriors.items()}
    out["alignment_window_edge_fraction"] = fractions
    out["alignment_window_cut"] = sorted({ifo for f in fractions.values() for ifo, value in f.items()
                                          if value > boundary_fraction})
    if out["alignment_window_cut"]:
        log.warning("posterior arrival times pile against the alignment window of %s: the matched-filter "
                    "proxies may be off; the posterior is cut there", ", ".join(out["alignment_window_cut"]))
    return out

"""The importance-sampling proposal built from the trained flow: mixtures of q(θ | d, τ) over
sets of time proxies τ with their exact density (the time tails), and the flow rebalanced
between cells and tilted by every parameter's bins, drawn in batches until a target effective
sample size (:func:`draw_to_target_ess`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..core import importance
from .posterior import FlowSamples, exact_weights

log = logging.getLogger(__name__)


class MixtureProposal:
    """Σ_k s_k q(θ | d, τ_k) over proxy sets τ_k with shares s_k. Called with n: n samples
    and their exact density. :meth:`draw` and :meth:`log_density` split the two, so that a
    caller who keeps only some draws (rejection sampling) evaluates the K densities of
    those alone."""

    def __init__(self, model, data: dict, proxy_sets: list[dict], shares, rng: np.random.Generator):
        self.model, self.data, self.rng = model, data, rng
        shares = np.asarray(shares, dtype=float) / np.sum(shares)
        self.components = [(tau, s) for tau, s in zip(proxy_sets, shares) if s > 0]

    def draw(self, n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """n samples and the log density of the component each came from (NaN outside the
        flow coordinates' range)."""
        if len(self.components) == 1:
            return self.model.sample(self.data, self.components[0][0], n)
        counts = self.rng.multinomial(n, [s for _, s in self.components])
        parts = [self.model.sample(self.data, tau, int(m)) for (tau, _), m in zip(self.components, counts) if m > 0]
        params = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
        return params, np.concatenate([p[1] for p in parts])

    def log_density(self, params: dict[str, np.ndarray], own: np.ndarray) -> np.ndarray:
        """The mixture's ln density at ``params`` drawn by :meth:`draw` (``own``: its second
        output, for the same rows); with one component, ``own`` itself."""
        if own.size == 0 or len(self.components) == 1:
            return own
        log_q = np.stack([np.log(s) + self.model.log_prob(self.data, tau, params) for tau, s in self.components])
        return np.where(np.isfinite(own), np.logaddexp.reduce(log_q, axis=0), np.nan)

    def __call__(self, n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
        params, own = self.draw(n)
        return params, self.log_density(params, own)


@dataclass
class Rebalancing:
    """Settings of the rebalanced proposal (``inference.rebalance``, :func:`draw_to_target_ess`)."""
    bins: dict[str, int]                # per parameter, bins of equal width across its prior range
    pilot_fraction: float = 0.2         # of the first batch, drawn from the flow alone
    defensive: float = 0.3              # the part of each cell's proposal mass left as the flow's
    time_window: bool = False           # cells also before / within / after the arrival-time window
    mass_samples: int = 100000          # flow draws (at least) that measure the flow's mass in bins
    rounds: int = 1                     # parts the rest of the first batch is drawn in, each re-weighted
    marginal_bins: int = 0              # per inferred parameter, bins at the pilot's quantiles
    max_factor: float = 20.0            # the largest factor on the flow's density (flow draws per sample)

    @classmethod
    def from_settings(cls, settings: dict | None, parameters: list[str]) -> Rebalancing | None:
        """The settings of ``inference.rebalance`` for a model inferring ``parameters``
        (None where they move nothing)."""
        if not settings or not (settings.get("bins") or settings.get("time_window")
                                or settings.get("marginal_bins", 0) > 1):
            return None
        unknown = sorted(set(settings["bins"]) - set(parameters))
        if unknown:
            raise ValueError(f"config key 'inference.rebalance.bins': {unknown} not among the inferred "
                             f"parameters {parameters}")
        return cls(dict(settings["bins"]), float(settings["pilot_fraction"]), float(settings["defensive"]),
                   bool(settings.get("time_window", False)), int(settings.get("mass_samples", cls.mass_samples)),
                   int(settings.get("rounds", cls.rounds)), int(settings.get("marginal_bins", cls.marginal_bins)),
                   float(settings.get("max_factor", cls.max_factor)))


@dataclass
class WeightedDraw:
    """Flow samples with their exact likelihood: ``log_q`` the density of the proposal they
    follow (the sampler's, or the rebalanced mixture's), ``log_flow`` the sampler's."""
    params: dict[str, np.ndarray]
    log_q: np.ndarray
    log_flow: np.ndarray
    log_likelihood: np.ndarray
    overlap: np.ndarray
    rebalancing: dict = field(default_factory=dict)    # bins, the flow's and the proposal's cell masses, sizes


class _FlowDraws:
    """Bin labels of every draw of the flow q, the measure of q's mass: E_q[c] of a tilt c
    is its mean over them."""

    def __init__(self):
        self.parts: list[dict[str, np.ndarray]] = []
        self.size = 0

    def add(self, labels: dict[str, np.ndarray]) -> None:
        self.parts.append({k: v.astype(np.int32) for k, v in labels.items()})
        self.size += len(next(iter(labels.values())))

    @property
    def labels(self) -> dict[str, np.ndarray]:
        if len(self.parts) > 1:
            self.parts = [{k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}]
        return self.parts[0]

    def mean(self, tilt: importance.Tilt | None) -> float:
        return 1.0 if tilt is None else float(np.mean(tilt(self.labels)))


def _draw_rebalanced(proposal, n: int, label, tilt: importance.Tilt, draws: _FlowDraws, min_draws: int,
                     rng: np.random.Generator) -> tuple[dict, np.ndarray]:
    """n samples of q'(θ) ∝ c(θ) q(θ) by rejection from the proposal q
    (:class:`gwda.npe.proposal.MixtureProposal`), its density evaluated for the kept draws
    alone; every draw's labels go into ``draws``, until they hold at least ``min_draws``."""
    top = tilt.maximum
    kept, got = [], 0
    while got < n or draws.size < min_draws:
        m = int(np.clip(1.2 * (n - got) * top, 1000, 200000))
        params, log_flow = proposal.draw(m)
        labels = label(params)
        draws.add(labels)
        keep = np.flatnonzero(rng.random(m) < tilt(labels) / top)[: max(n - got, 0)]
        if keep.size:
            kept.append(({k: v[keep] for k, v in params.items()}, log_flow[keep]))
            got += keep.size
    params = {k: np.concatenate([p[0][k] for p in kept]) for k in kept[0][0]}
    return params, proposal.log_density(params, np.concatenate([p[1] for p in kept]))


def _cells(npe, proxies: dict, rebalance: Rebalancing):
    """The cells of ``rebalance`` and the function giving samples' cell numbers: equal-width
    bins of the named parameters and, with ``time_window``, the reference detector's arrival
    time before, within or after the alignment's common window around its proxy."""
    edges = importance.Cells.equal_width({k: npe.prior.bounds(k) for k in rebalance.bins}, rebalance.bins).edges
    if not rebalance.time_window:
        cells = importance.Cells(edges)
        return cells, cells.label
    ref, kappa = npe.alignment.reference, npe.alignment.common_window
    cells = importance.Cells({**edges, "arrival_offset": np.array([-kappa, kappa])})

    def label(params):
        offset = npe.simulator.arrival_times(npe.with_fixed(params))[ref] - proxies[ref]
        return cells.label({**params, "arrival_offset": offset})
    return cells, label


def _dimensions(npe, proxies: dict, rebalance: Rebalancing, pilot: dict[str, np.ndarray]):
    """The dimensions a proposal is tilted in (name -> number of bins) and the function
    giving samples' bins in each: the cells of ``rebalance`` (:func:`_cells`) as one, and with
    ``marginal_bins`` every parameter the flow draws, cut at the ``pilot``'s quantiles."""
    sizes, cells, cell_label = {}, None, None
    if rebalance.bins or rebalance.time_window:
        cells, cell_label = _cells(npe, proxies, rebalance)
        sizes["cells"] = cells.size
    edges = {}
    if rebalance.marginal_bins > 1:
        levels = np.linspace(0, 1, rebalance.marginal_bins + 1)[1:-1]
        edges = {k: np.unique(np.quantile(v, levels)) for k, v in pilot.items() if np.ptp(v) > 0}
        sizes.update({k: e.size + 1 for k, e in edges.items()})

    def label(params):
        out = {"cells": cell_label(params)} if cells is not None else {}
        out.update({k: np.searchsorted(e, params[k]) for k, e in edges.items()})
        return out
    return sizes, label, cells


class _Part(NamedTuple):
    """One part of a draw: its samples, their exact likelihood and prior, their bins and
    the tilt they were drawn with (None: from the flow unchanged)."""
    params: dict[str, np.ndarray]
    log_flow: np.ndarray
    log_likelihood: np.ndarray
    overlap: np.ndarray
    log_prior: np.ndarray
    labels: dict[str, np.ndarray] | None
    tilt: importance.Tilt | None


def _part_size(batch: int, drawn: int, parts: int, pilot: int, rounds: int) -> int:
    """Size of the next part of a draw: the pilot, then the rest of the first batch in
    ``rounds`` near-equal parts, then whole batches."""
    if parts == 0:
        return pilot
    if drawn < batch:
        return -(-(batch - drawn) // max(1, rounds - parts + 1))
    return batch


def _rebalancing_info(parts: list[_Part], draws: _FlowDraws, sizes: dict, cells, rebalance: Rebalancing) -> dict:
    """What the rebalancing did: the bins, the flow's mass and the last part's proposal mass
    in each cell."""
    tilt = parts[-1].tilt
    info = {"dimensions": sizes, "flow_draws": draws.size, "pilot_samples": parts[0].log_flow.size,
            "defensive": rebalance.defensive, "max_factor": rebalance.max_factor, "parts": len(parts)}
    if cells is not None:
        cell = draws.labels["cells"]
        c = tilt(draws.labels)
        info.update(cells={k: v.tolist() for k, v in cells.edges.items()},
                    flow_mass=(np.bincount(cell, minlength=cells.size) / cell.size).tolist(),
                    proposal_mass=(np.bincount(cell, weights=c, minlength=cells.size) / c.sum()).tolist())
    return info


def draw_to_target_ess(npe, data: dict[str, np.ndarray], proxies: dict, batch: int, target: float, cap: int,
                       threads: int = 1, first: tuple[dict, np.ndarray] | None = None,
                       rebalance: Rebalancing | None = None, rng: np.random.Generator | None = None,
                       proposal=None) -> WeightedDraw:
    """Flow samples drawn in batches of ``batch`` until their importance-sampling effective
    sample size reaches ``target`` or ``cap`` samples are drawn, with their exact ln L and
    overlaps w (as in :func:`exact_weights`). ``first``: a batch (parameters, ln q) already
    drawn for these data and proxies, used as the first. ``proposal``: the flow's proposal
    (:class:`gwda.npe.proposal.MixtureProposal`; by default the flow on ``proxies``
    alone): called with n, n samples and their ln q; its ``draw`` and
    ``log_density`` let the rebalanced parts evaluate the density for the draws they keep.

    ``rebalance``: the first batch begins with a pilot (``pilot_fraction`` of it) from the
    flow q; its importance weights estimate how the posterior's mass is shared between bins
    (cells of ``bins`` of equal width in the named parameters and of the arrival time's
    window; with ``marginal_bins``, each parameter's bins at the pilot's quantiles), and the
    next part is drawn from q'(θ) ∝ c(θ) q(θ), the tilt c that gives q' the posterior's share
    of each bin (:func:`importance.fit_tilt`; with a share λ left as q's): the flow's samples
    moved to where the posterior is (the face-away inclinations, parts of the sky ring, the
    distance's and masses' bulk), unchanged within a bin. The rest of the first batch comes
    in ``rounds`` parts, later batches in whole ones; before each, c is fitted again to all
    samples so far. All samples are weighted with the mixture density Σ_i n_i q_i / n over
    the parts (the balance heuristic), exact but for E_q[c], measured on at least
    ``mass_samples`` flow draws. Adaptive, as AMIS is: consistent, with the earlier parts'
    influence on c a bias that vanishes with the sample size."""
    likelihood = npe.likelihood(data)
    rng = rng if rng is not None else np.random.default_rng(0)
    rebalance = rebalance if batch >= 2 else None
    proposal = proposal or MixtureProposal(npe, data, [proxies], [1.0], rng)
    parts: list[_Part] = []
    pilot, rounds = batch, 1
    if rebalance is not None:
        pilot, rounds = max(1, min(batch - 1, round(rebalance.pilot_fraction * batch))), rebalance.rounds
        draws = _FlowDraws()
    tilt, sizes, label, cells = None, {}, None, None
    while True:
        drawn = sum(p.log_flow.size for p in parts)
        size = min(_part_size(batch, drawn, len(parts), pilot, rounds), cap - drawn)
        if first is not None:
            (params, log_flow), first = first, None
        elif tilt is None:
            params, log_flow = proposal(size)
        else:
            params, log_flow = _draw_rebalanced(proposal, size, label, tilt, draws, rebalance.mass_samples, rng)
        flow = FlowSamples(npe, params, log_flow)
        lnl, overlap, _ = exact_weights(flow, likelihood, threads)
        labels = None
        if rebalance is not None:
            if not parts:
                sizes, label, cells = _dimensions(npe, proxies, rebalance, params)
            labels = label(params)
            if tilt is None:
                draws.add(labels)
        parts.append(_Part(params, log_flow, lnl, overlap, flow.log_prior, labels, tilt))
        params = {k: np.concatenate([p.params[k] for p in parts]) for k in parts[0].params}
        log_flow, lnl, overlap, log_prior = (np.concatenate([getattr(p, f) for p in parts])
                                             for f in ("log_flow", "log_likelihood", "overlap", "log_prior"))
        log_q = log_flow
        if rebalance is not None:
            labels = {k: np.concatenate([p.labels[k] for p in parts]) for k in sizes}
            shares = sum(p.log_flow.size * (1.0 if p.tilt is None else p.tilt(labels) / draws.mean(p.tilt))
                         for p in parts)
            log_q = log_flow + np.log(shares / log_flow.size)
        ev = importance.weights_and_evidence(lnl, log_prior, log_q)
        log.debug("%d flow samples: ESS %.0f (target %.0f), efficiency %.2f %%", log_q.size,
                  ev["effective_sample_size"], target, 100 * ev["sample_efficiency"])
        if ev["effective_sample_size"] >= target or log_q.size >= cap:
            info = (_rebalancing_info(parts, draws, sizes, cells, rebalance)
                    if rebalance is not None and len(parts) > 1 else {})
            return WeightedDraw(params, log_q, log_flow, lnl, overlap, info)
        if rebalance is not None:
            tilt = importance.fit_tilt(labels, ev["log_weights"], draws.labels, sizes, rebalance.defensive,
                                       rebalance.max_factor)

"""Importance-sampling efficiency of a trained event model over sampling seeds: how much it
varies, and how much a single 50 000-sample estimate flatters it. Prints a table and writes
JSON; asserts nothing.

For each seed, ``--samples`` flow samples (the event's stored time proxies) are reweighted
with the exact likelihood: sample efficiency ESS/N, its bootstrap 5–95 % range, ln Z, and
the share of the total weight carried by the ten largest weights. All seeds' samples pooled
give a less biased efficiency (heavy-tailed weights make ESS/N at small N an overestimate);
the ratio of the median single-seed figure to the pooled one is printed beside it.

    python bench/is_efficiency.py --results results/GW150914 [--seeds 10] [--samples 50000] \
        [--threads 2] [--defensive ALPHA TAU] [--proxy-mixture K] [--rebalance theta_jn=2 ra=2] \
        [--rebalance-defensive 0.3] [--rebalance-time-window] [--rebalance-rounds 1] \
        [--rebalance-marginal-bins 0] [--rebalance-max-factor 5] [--time-tails 0.2] \
        [--time-tails-reach 1] [--out FILE.json]

``--rebalance``: the pipeline's rebalanced proposal (``inference.rebalance``: a pilot fifth
of the samples from the flow, the rest moved between cells of equal width in the named parameters
by the pilot's weights; gwda.npe.posterior.draw_to_target_ess). ``--time-tails``: a share of
the samples drawn with every proxy moved by ± the alignment window (``--time-tails-reach K``:
by ±1, …, ±K windows; TrainedModel.time_tails, ``inference.time_tails``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from gwda.core import importance
from gwda.io.samples import read_flow_samples
from gwda.npe.model import TrainedModel
from gwda.npe.posterior import FlowSamples, exact_weights
from gwda.npe.proposal import Rebalancing, draw_to_target_ess
from recording import event_files, save


def efficiency(log_w: np.ndarray) -> float:
    w = np.exp(log_w - log_w[np.isfinite(log_w)].max())
    return float(w.sum() ** 2 / np.sum(w**2) / w.size)


def bootstrap(log_w: np.ndarray, rng: np.random.Generator, n: int = 200) -> tuple[float, float]:
    values = [efficiency(log_w[rng.integers(0, log_w.size, log_w.size)]) for _ in range(n)]
    return tuple(float(q) for q in np.percentile(values, [5, 95]))


def measure(res: Path, seeds: int = 10, samples: int = 50000, threads: int = 2,
            defensive: tuple[float, float] = (0.0, 1.0), proxy_mixture: int = 0,
            rebalance: Rebalancing | None = None, time_tails: float = 0.0, first_seed: int = 0,
            time_tails_reach: int = 1) -> dict:
    """The table of the module doc for the event whose results directory is ``res``."""
    torch.set_num_threads(threads)
    ifos = json.loads((res / "model/model.json").read_text())["data"]["detectors"]
    npe = TrainedModel.load(res / "model/model.json", [res / f"psd/{i}_psd.hdf5" for i in ifos],
                            res / "model/network.pt")
    data = npe.whitened_data([res / f"strain/{i}.hdf5" for i in ifos])
    likelihood = npe.likelihood(data)
    proxies = json.loads(read_flow_samples(res / "posterior/npe_samples.hdf5")[2]["proxies"])
    rng = np.random.default_rng(0)
    rows, pooled = [], []
    print(f"{'seed':>4} {'eff %':>7} {'bootstrap 5-95 %':>18} {'ln BF':>9} {'top-10 share':>12} {'s':>6}")
    for seed in range(first_seed, first_seed + seeds):
        t0 = time.time()
        torch.manual_seed(seed)
        seed_rng = np.random.default_rng(seed)
        if rebalance or time_tails:
            draw = draw_to_target_ess(npe, data, proxies, samples, np.inf, samples, threads, rebalance=rebalance,
                                      rng=seed_rng,
                                      proposal=npe.time_tails(data, proxies, time_tails, seed_rng, time_tails_reach))
            log_prior = FlowSamples(npe, draw.params, draw.log_q).log_prior
            ev = importance.weights_and_evidence(draw.log_likelihood, log_prior, draw.log_q)
        else:
            if proxy_mixture:
                params, log_q = npe.sample_proxy_mixture(data, proxies, samples, proxy_mixture,
                                                         np.random.default_rng(seed))
            else:
                params, log_q = npe.sample(data, proxies, samples, defensive=defensive)
            _, _, ev = exact_weights(FlowSamples(npe, params, log_q), likelihood, threads)
        log_w = ev["log_weights"]
        pooled.append(log_w)
        top = np.sort(ev["weights"])[-10:].sum()
        lo, hi = bootstrap(log_w, rng)
        row = {"seed": seed, "efficiency": ev["sample_efficiency"], "bootstrap_5_95": [lo, hi],
               "log_bayes_factor": ev["log_evidence"] - likelihood.noise_log_likelihood(),
               "top10_weight_share": float(top), "seconds": time.time() - t0}
        rows.append(row)
        print(f"{seed:>4} {100 * row['efficiency']:>7.2f} {100 * lo:>8.2f}–{100 * hi:<8.2f} "
              f"{row['log_bayes_factor']:>9.2f} {100 * top:>11.1f}% {row['seconds']:>6.1f}")
    effs = np.array([r["efficiency"] for r in rows])
    all_w = np.concatenate(pooled)
    pooled_eff = efficiency(all_w)
    summary = {"event_results": str(res), "samples_per_seed": samples, "seeds": seeds, "first_seed": first_seed,
               "defensive": list(defensive), "proxy_mixture": proxy_mixture,
               "rebalance": rebalance.__dict__ if rebalance else None, "time_tails": time_tails,
               "time_tails_reach": time_tails_reach,
               "median_efficiency": float(np.median(effs)), "min_efficiency": float(effs.min()),
               "max_efficiency": float(effs.max()), "pooled_efficiency": pooled_eff,
               "pooled_samples": int(all_w.size),
               "median_over_pooled": float(np.median(effs) / pooled_eff),
               "log_bayes_factor_spread": float(np.std([r["log_bayes_factor"] for r in rows])),
               "rows": rows}
    print(f"median {100 * summary['median_efficiency']:.2f} %, min {100 * effs.min():.2f} %, "
          f"max {100 * effs.max():.2f} % over {seeds} seeds of {samples}; pooled "
          f"{all_w.size} samples: {100 * pooled_eff:.2f} % (median/pooled {summary['median_over_pooled']:.2f}); "
          f"ln BF scatter {summary['log_bayes_factor_spread']:.3f}")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, help="the event's results directory (results/GW150914)")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed, first-seed + 1, ...")
    parser.add_argument("--samples", type=int, default=50000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--defensive", type=float, nargs=2, default=(0.0, 1.0), metavar=("ALPHA", "TAU"),
                        help="defensive mixture: a fraction ALPHA of base draws from N(0, TAU²)")
    parser.add_argument("--proxy-mixture", type=int, default=0, metavar="K",
                        help="sample the mixture over K time-proxy sets (TrainedModel.sample_proxy_mixture)")
    parser.add_argument("--rebalance", nargs="*", default=None, metavar="NAME=BINS",
                        help="rebalance the proposal over equal-width bins of these parameters (inference.rebalance)")
    parser.add_argument("--rebalance-defensive", type=float, default=0.3)
    parser.add_argument("--time-tails", type=float, default=0.0, metavar="SHARE",
                        help="share of samples with the proxies moved by ± the window (inference.time_tails)")
    parser.add_argument("--time-tails-reach", type=int, default=1, metavar="K",
                        help="the time tails' proxies moved by ±1..K windows, the share split evenly")
    parser.add_argument("--rebalance-pilot", type=float, default=0.2)
    parser.add_argument("--rebalance-rounds", type=int, default=1,
                        help="parts the rest of the first batch is drawn in, the cells re-weighted before each")
    parser.add_argument("--rebalance-time-window", action="store_true",
                        help="cells also before / within / after the arrival-time window (rebalance.time_window)")
    parser.add_argument("--rebalance-marginal-bins", type=int, default=0, metavar="K",
                        help="also K bins per inferred parameter at the pilot's quantiles (rebalance.marginal_bins)")
    parser.add_argument("--rebalance-max-factor", type=float, default=5.0,
                        help="the largest factor on the flow's density (rebalance.max_factor)")
    parser.add_argument("--out", default=None, help="the measurement file the run is appended to "
                        "(default bench/results/is_efficiency_<event>.json)")
    args = parser.parse_args()
    rebalance = (Rebalancing({k: int(v) for k, v in (item.split("=") for item in args.rebalance)},
                             args.rebalance_pilot, args.rebalance_defensive, args.rebalance_time_window,
                             rounds=args.rebalance_rounds, marginal_bins=args.rebalance_marginal_bins,
                             max_factor=args.rebalance_max_factor)
                 if args.rebalance is not None else None)
    summary = measure(Path(args.results), args.seeds, args.samples, args.threads, tuple(args.defensive),
                      args.proxy_mixture, rebalance, args.time_tails, args.first_seed, args.time_tails_reach)
    inputs, networks = event_files(args.results)
    save(f"is_efficiency_{Path(args.results).name}", summary, out=args.out, inputs=inputs, networks=networks)


if __name__ == "__main__":
    main()

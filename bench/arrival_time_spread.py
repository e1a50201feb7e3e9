"""How well an event's posterior measures its arrival time: the first detector's arrival
time of the merger (the time the alignment windows are placed on) against the arrival
times of fixed gravitational-wave frequencies, over the importance-sampled posterior.

The time at which the signal passes frequency f is t_merger + t(f; θ), with t(f) =
-(1/2π) dΨ/df from the phase Ψ of the frequency-domain waveform h+(f; θ) (stationary phase;
gwda.gw.waveforms.time_before_merger).
The merger's arrival time trades against the masses and spins; the passage of a frequency
where the signal is loud is what the data pin down.

    python bench/arrival_time_spread.py --results results/GW150914 [results/SIM-SNR20 ...] \
        [--frequencies 30 40 60 80 120] [--samples 1500] [--out FILE.json]

Needs the pipeline's flow samples with their exact log likelihoods (``inference.time_tails``
or ``inference.rebalance`` on, as by default). Prints a table and writes JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from gwda.core import importance
from gwda.gw.waveforms import time_before_merger
from gwda.io.samples import read_flow_samples
from gwda.npe.analysis import ModelAnalysis
from gwda.npe.posterior import FlowSamples
from recording import event_files, save


def posterior_draws(res: Path, n: int, rng: np.random.Generator):
    """``n`` draws (by importance weight) of the event's NPE-IS posterior, and its proxies."""
    ifos = json.loads((res / "model/model.json").read_text())["data"]["detectors"]
    analysis = ModelAnalysis.load(res / "model/model.json", [res / f"psd/{i}_psd.hdf5" for i in ifos])
    params, log_q, attrs = read_flow_samples(res / "posterior/npe_samples.hdf5")
    if "log_likelihood" not in params:
        raise SystemExit(f"{res}: the flow samples carry no exact log likelihoods (see the module doc)")
    log_likelihood = params.pop("log_likelihood")
    flow = FlowSamples(analysis, params, log_q)
    weights = importance.weights_and_evidence(log_likelihood, flow.log_prior, log_q)["weights"]
    rows = rng.choice(weights.size, size=n, p=weights)
    return analysis, {k: v[rows] for k, v in flow.full.items()}, json.loads(attrs["proxies"])


def spread(x: np.ndarray) -> dict:
    lo, mid, hi = np.percentile(x, [5, 50, 95])
    return {"median_ms": 1e3 * mid, "width_90_ms": 1e3 * (hi - lo)}


def measure(res: Path, frequencies: list[float], n: int, seed: int = 1) -> dict:
    analysis, params, proxies = posterior_draws(res, n, np.random.default_rng(seed))
    ref = analysis.alignment.reference
    offset = analysis.simulator.arrival_times(params)[ref] - proxies[ref]
    before = time_before_merger(params, analysis.simulator.waveform, frequencies,
                                sample_rate=analysis.simulator.domain.sample_rate)
    return {"detector": ref, "samples": n, "window_ms": 1e3 * analysis.alignment.common_window,
            "merger": spread(offset),
            "frequencies": {str(f): spread(offset + before[:, j]) for j, f in enumerate(frequencies)}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", nargs="+", required=True, help="event results directories")
    parser.add_argument("--frequencies", type=float, nargs="+", default=[30, 40, 60, 80, 120])
    parser.add_argument("--samples", type=int, default=1500)
    parser.add_argument("--out", default=None,
                        help="the measurement file the run is appended to (default bench/results/arrival_time_spread.json)")
    args = parser.parse_args()
    rows = []
    print(f"{'event':<12} {'window':>7} {'merger':>8} " + " ".join(f"{f:>6.0f} Hz" for f in args.frequencies))
    for res in args.results:
        row = {"event": Path(res).name, **measure(Path(res), args.frequencies, args.samples)}
        rows.append(row)
        print(f"{row['event']:<12} ±{row['window_ms']:>4.1f} ms {row['merger']['width_90_ms']:>5.2f} ms "
              + " ".join(f"{row['frequencies'][str(f)]['width_90_ms']:>6.2f} ms" for f in args.frequencies))
    print("(widths of the 5-95 % range of the posterior's arrival time at the first detector)")
    inputs, networks = {}, {}
    for res in args.results:
        i, n = event_files(res)
        inputs.update({f"{Path(res).name}/{k}": v for k, v in i.items()})
        networks.update({f"{Path(res).name}/{k}": v for k, v in n.items()})
    save("arrival_time_spread", {"rows": rows}, out=args.out, inputs=inputs, networks=networks)


if __name__ == "__main__":
    main()

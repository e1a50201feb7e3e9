"""Simulated events analysed exactly as a real event is: GWOSC-format files with a
binary-black-hole injection at a chosen network SNR in Gaussian noise coloured like an analysed
event's PSDs (gwda.io.simulated_event), then the whole workflow from `data.source: local`.
Answers whether the posterior's importance-sampling efficiency and accuracy hold beyond the one
event the settings were chosen on.

1. Write the events (one per SNR; the trigger handed to the workflow is a few ms off the true
   coalescence time) and a config that analyses them:

    python bench/simulated_events.py write --psd-from results/GW150914 [--snr 15 20 25] \
        [--config config/local_gw150914.yaml] [--out results/simulated] [--seed 1]

2. Run the workflow on them (the command is printed; `--` then the targets, e.g. each event's
   results/SIM-SNR20/summary.json, or nothing for everything):

    snakemake --cores all --configfile results/simulated/config.yaml

3. Summarise: per event the injected and matched-filter SNR, the pipeline's efficiency, its
   spread over sampling seeds (bench/is_efficiency.py's measurement), and where the injected
   values fall in the importance-sampled posterior:

    python bench/simulated_events.py summarise [--out results/simulated] [--seeds 10] \
        [--config config/local_gw150914.yaml] [--plain] [--out-json bench/results/simulated_events.json]

   Sampling follows the config's ``inference.time_tails`` (and ``time_tails_reach``) and
   ``inference.rebalance`` (as the pipeline does), or samples the flow alone with ``--plain``.

Prints tables and writes JSON; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml
from gwda.config import load_config
from gwda.gw.priors import Prior
from gwda.gw.waveforms import WaveformSettings
from gwda.io import psd_files
from gwda.io.layout import SIMULATED_EVENTS, event_dir, event_file
from gwda.io.samples import read_flow_samples, read_weighted_samples
from gwda.io.simulated_event import SimulatedEvent, write_event
from recording import event_files, save

#: Trigger times handed to the workflow: on the 4096 Hz sample grid, 1000 s apart.
FIRST_TRIGGER = 1126400000.25
CHECKED = ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn", "ra", "dec")


def write(args) -> None:
    config = load_config(args.config)
    source = Path(args.psd_from)
    psds = [psd_files.read(path) for path in sorted((source / "psd").glob("*_psd.hdf5"))]
    prior = Prior(config["prior"], config["prior_constraints"])
    waveform = WaveformSettings.from_settings(config["waveform"])
    band = (config["data"]["frequency"]["f_min"], config["data"]["frequency"]["f_max"])
    out = Path(args.out)
    records = []
    for k, snr in enumerate(args.snr):
        event = SimulatedEvent(f"SIM-SNR{snr:g}", FIRST_TRIGGER + 1000 * k, float(snr), seed=args.seed + k)
        record = write_event(out / "gwosc", event, prior, waveform, psds, band, config["data"]["sample_rate"])
        records.append(record)
        p = record["parameters"]
        print(f"{event.name}: trigger {event.trigger_time}, true time {1000 * p['geocent_time']:+.2f} ms, "
              f"Mc {p['chirp_mass']:.2f}, q {p['mass_ratio']:.2f}, d_L {p['luminosity_distance']:.0f} Mpc, "
              f"SNR " + ", ".join(f"{i} {s:.1f}" for i, s in record["optimal_snr"].items()))
    (out / "injections.json").write_text(json.dumps(records, indent=1))
    overlay = {
        "events": [{"name": r["name"], "gps_time": r["trigger_time"], "detectors": list(r["optimal_snr"])}
                   for r in records],
        "data": {"source": "local", "local": {"directory": str(out / "gwosc")},
                 "psd": {"duration": 24, "placement": "around"}},
        "validation": {"references": []},
    }
    header = (f"# Simulated events written by bench/simulated_events.py (noise coloured like {source}),\n"
              f"# analysed from local GWOSC-format files. Extends {args.config}.\n")
    (out / "config.yaml").write_text(header + yaml.safe_dump(overlay, sort_keys=False))
    targets = " ".join(str(event_file(r["name"], "summary")) for r in records)
    print(f"\nwrote {out}/gwosc, {out}/injections.json, {out}/config.yaml; analyse with\n"
          f"  snakemake --cores all --configfile {args.config} {out}/config.yaml -- {targets}")


def credible_levels(posterior: Path, truth: dict) -> dict:
    """Weighted fraction of NPE-IS posterior samples below each injected value."""
    samples = read_weighted_samples(posterior)
    w = samples["weights"] / samples["weights"].sum()
    samples["chi_eff"] = (samples["spin_1z"] + samples["mass_ratio"] * samples["spin_2z"]) / (1 + samples["mass_ratio"])
    t = dict(truth)
    t["chi_eff"] = (t["chi_1"] + t["mass_ratio"] * t["chi_2"]) / (1 + t["mass_ratio"])
    return {k: float(np.sum(w[samples[k] < t[k]])) for k in CHECKED if k in samples}


def flow_against_reweighted(summary: dict) -> dict:
    """Per parameter, the flow's 90 % interval width over the importance-sampled one's, and
    the shift of its median in units of that width: where the proposal is too broad, too
    narrow or off centre (what the efficiency pays for)."""
    npe, npe_is = summary["analyses"]["NPE"], summary["analyses"].get("NPE-IS", {})
    out = {}
    for k in CHECKED:
        if k in npe and k in npe_is:
            # an NPE-IS of a handful of effective samples may have no width at all
            width = (npe_is[k]["upper_90"] - npe_is[k]["lower_90"]) or float("nan")
            out[k] = {"width_ratio": (npe[k]["upper_90"] - npe[k]["lower_90"]) / width,
                      "median_shift": (npe[k]["median"] - npe_is[k]["median"]) / width}
    return out


def summarise(args) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from is_efficiency import measure

    from gwda.npe.proposal import Rebalancing

    inference = load_config(args.config)["inference"]
    time_tails = 0.0 if args.plain else inference["time_tails"]
    print(f"sampling as the pipeline does with {args.config}: time_tails {time_tails} "
          f"(reach {inference['time_tails_reach']}), "
          f"rebalance {inference['rebalance']}" if not args.plain else "sampling the flow alone (--plain)")
    out = Path(args.out)
    records = json.loads((out / "injections.json").read_text())
    rows = []
    for record in records:
        name = record["name"]
        summary_file = event_file(name, "summary")
        if not summary_file.exists():
            print(f"\n{name}: not analysed yet ({summary_file} missing), left out")
            continue
        summary = json.loads(summary_file.read_text())
        print(f"\n{name}: {args.seeds} sampling seeds of {args.samples}")
        parameters = json.loads(event_file(name, "model").read_text())["parameters"]
        rebalance = None if args.plain else Rebalancing.from_settings(inference["rebalance"], parameters)
        spread = measure(event_dir(name), args.seeds, args.samples, args.threads, rebalance=rebalance, time_tails=time_tails,
                         time_tails_reach=inference["time_tails_reach"])
        rows.append({"event": name, "network_optimal_snr": record["network_optimal_snr"],
                     "trigger_snr": json.loads(str(read_flow_samples(event_file(name, "flow_samples"))[2]
                                                   .get("trigger_snr", "null"))),
                     "summary": {k: summary.get(k) for k in ("sample_efficiency", "effective_sample_size",
                                                              "log_bayes_factor", "alignment_window_edge_fraction")},
                     "efficiency_over_seeds": {k: spread[k] for k in (
                         "median_efficiency", "min_efficiency", "max_efficiency", "pooled_efficiency",
                         "median_over_pooled", "log_bayes_factor_spread")},
                     "credible_levels": credible_levels(event_file(name, "posterior"), record["parameters"]),
                     "flow_against_reweighted": flow_against_reweighted(summary)})
    print(f"\n{'event':<12} {'SNR':>5} {'eff. (pipeline)':>15} {'median':>7} {'min':>6} {'pooled':>7}  "
          + " ".join(f"{k[:6]:>6}" for k in CHECKED))
    for r in rows:
        e = r["efficiency_over_seeds"]
        levels = " ".join(f"{r['credible_levels'].get(k, float('nan')):>6.2f}" for k in CHECKED)
        pipeline = r["summary"]["sample_efficiency"]
        print(f"{r['event']:<12} {r['network_optimal_snr']:>5.1f} "
              f"{100 * pipeline if pipeline is not None else float('nan'):>14.2f}% "
              f"{100 * e['median_efficiency']:>6.2f}% {100 * e['min_efficiency']:>5.2f}% "
              f"{100 * e['pooled_efficiency']:>6.2f}%  {levels}")
    print(f"\nthe flow against NPE-IS: 90 % width ratio / median shift in NPE-IS widths\n{'event':<12} "
          + " ".join(f"{k[:11]:>11}" for k in CHECKED))
    for r in rows:
        f = r["flow_against_reweighted"]
        print(f"{r['event']:<12} " + " ".join(f"{f[k]['width_ratio']:>5.2f}/{f[k]['median_shift']:>+5.2f}"
                                              if k in f else f"{'':>11}" for k in CHECKED))
    inputs, networks = {}, {}
    for r in rows:
        i, n = event_files(event_dir(r["event"]))
        inputs.update({f"{r['event']}/{k}": v for k, v in i.items()})
        networks.update({f"{r['event']}/{k}": v for k, v in n.items()})
    save("simulated_events", {"events": rows}, out=args.out_json, inputs=inputs, networks=networks,
         settings={"seeds": args.seeds, "samples": args.samples, "plain": args.plain, "config": args.config})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the events' GWOSC-format files and their config")
    w.add_argument("--psd-from", required=True, help="an analysed event's results directory (its psd/*.hdf5)")
    w.add_argument("--snr", type=float, nargs="+", default=[15, 20, 25])
    w.add_argument("--config", default="config/local_gw150914.yaml", help="the analysis config (prior, waveform, band)")
    w.add_argument("--out", default=str(SIMULATED_EVENTS))
    w.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("summarise", help="efficiency and injection recovery of the analysed events")
    s.add_argument("--out", default=str(SIMULATED_EVENTS))
    s.add_argument("--seeds", type=int, default=10)
    s.add_argument("--samples", type=int, default=50000)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--out-json", default=None,
                   help="the measurement file the run is appended to (default bench/results/simulated_events.json)")
    s.add_argument("--config", default="config/local_gw150914.yaml",
                   help="the config whose inference settings (time_tails, rebalance) sampling follows")
    s.add_argument("--plain", action="store_true", help="sample the flow alone on the event's proxies")
    args = parser.parse_args()
    write(args) if args.command == "write" else summarise(args)


if __name__ == "__main__":
    main()

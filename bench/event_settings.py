"""The first search and the settings it gives each event of a config, against the event's
published posterior: does the chirp-mass window hold the published 90 % interval, and the
distance bound the published 95th percentile?

    python bench/event_settings.py [--config config/o1_bbh.yaml] [--events GW151012 ...] [--out FILE.json]

Runs the search stage's two rules (fetch_search_strain, search_event) on each event in a
scratch directory, with the config as the workflow reads it; the published posteriors are the
config's ``validation.references`` of a local ``path``. Prints a table and appends it to
``bench/results/event_settings.json``; asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from recording import ROOT, save

from gwda.config import config_sections, load_config, resolve_events  # noqa: E402  (recording puts gwda on the path)
from gwda.io.reference import read_reference  # noqa: E402
from gwda.stages import CONFIG  # noqa: E402
from gwda.stages.references import references_of  # noqa: E402
from gwda.stages.search import fetch_search_strain, search_event  # noqa: E402


def published(config: dict, event: str, trigger_time: float) -> dict | None:
    """The detector-frame chirp mass's 5/50/95th and the distance's 95th percentiles of the
    first local reference of the event."""
    for spec in references_of(config, event):
        if spec.get("path"):
            samples, _ = read_reference(Path(str(spec["path"]).format(event=event)), trigger_time)
            return {"label": spec["label"], "path": str(spec["path"]),
                    "chirp_mass": [float(x) for x in np.percentile(samples["chirp_mass"], [5, 50, 95])],
                    "luminosity_distance_95": float(np.percentile(samples["luminosity_distance"], 95))}
    return None


def measure(config: dict, event, workdir: Path) -> dict:
    t0 = time.time()
    fetch_cfg = config_sections(config, CONFIG["fetch_search_strain"])
    strain = []
    for ifo in event.detectors:
        strain.append(str(workdir / f"{event.name}_{ifo}.hdf5"))
        fetch_search_strain(strain[-1], event.name, event.gps_time, ifo, fetch_cfg)
    settings = search_event(strain, str(workdir / f"{event.name}_settings.json"), event.name, event.gps_time,
                            config_sections(config, CONFIG["search_event"]), threads=1)
    found, rules = settings["search"], settings["rules"]
    row = {"event": event.name, "network_snr": found["network_snr"], "snr": found["snr"],
           "chirp_mass": found["chirp_mass"], "loudest_template": found["loudest_template"],
           "in_band_time": found["in_band_time"], "segment": rules["segment"]["duration"],
           "chirp_mass_window": rules["chirp_mass"]["window"], "distance_maximum": rules["luminosity_distance"]["maximum"],
           "config": settings["config"], "warnings": settings["warnings"], "seconds": round(time.time() - t0, 1)}
    reference = published(config, event.name, event.gps_time)
    if reference:
        lo, hi = row["chirp_mass_window"]
        row["published"] = reference
        row["window_holds_published_90"] = bool(lo <= reference["chirp_mass"][0] and reference["chirp_mass"][2] <= hi)
        row["bound_above_published_d95"] = bool(row["distance_maximum"] >= reference["luminosity_distance_95"])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config" / "o1_bbh.yaml"))
    parser.add_argument("--events", nargs="*", help="a subset of the config's events")
    parser.add_argument("--out", help="JSON file to append to (default bench/results/event_settings.json)")
    args = parser.parse_args()
    config = load_config(args.config)
    events = [e for e in resolve_events(config) if not args.events or e.name in args.events]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for event in events:
            rows.append(measure(config, event, Path(tmp)))
            r = rows[-1]
            ref = r.get("published")
            print(f"{r['event']:10s} SNR {r['network_snr']:5.1f}  Mc {r['chirp_mass']['chirp_mass']:6.2f}  "
                  f"window [{r['chirp_mass_window'][0]:.2f}, {r['chirp_mass_window'][1]:.2f}]  "
                  f"segment {r['segment']:g} s  d_max {r['distance_maximum']:g} Mpc"
                  + (f"  | published Mc 90% [{ref['chirp_mass'][0]:.2f}, {ref['chirp_mass'][2]:.2f}] "
                     f"held {r['window_holds_published_90']}, d95 {ref['luminosity_distance_95']:.0f} "
                     f"below bound {r['bound_above_published_d95']}" if ref else "")
                  + f"  ({r['seconds']:.0f} s)")
    save("event_settings", {"rows": rows}, out=args.out, config=config, command_config=str(args.config))


if __name__ == "__main__":
    main()

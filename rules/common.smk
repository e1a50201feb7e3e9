# Configuration validation, event table and input functions shared by all rules.

import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow_scripts"))

from gwda.config import ConfigError, resolve_events, validate_config  # noqa: E402

try:
    _validated = validate_config(config, Path(workflow.basedir) / "config" / "schema.yaml")
except ConfigError as exc:
    raise WorkflowError(str(exc)) from None
config.clear()
config.update(_validated)

EVENTS = {event.name: event for event in resolve_events(config)}


wildcard_constraints:
    event="|".join(EVENTS),
    ifo="H1|L1|V1|K1|G1",
    reference="[A-Za-z0-9_.+-]+",


def stage_config(*sections):
    """The config sections a rule depends on (passed as params so a change re-runs it);
    "a.b" takes only key b of section a."""
    out = {}
    for key in sections:
        section, _, sub = key.partition(".")
        if sub:
            out.setdefault(section, {})[sub] = config[section][sub]
        else:
            out[section] = config[section]
    return out


def detectors(wildcards):
    return EVENTS[wildcards.event].detectors


def per_detector(pattern):
    """Input function: ``pattern`` expanded over the event's detectors."""

    def inputs(wildcards):
        return expand(pattern, event=wildcards.event, ifo=detectors(wildcards))

    return inputs


def references(event):
    """Labels of the published posteriors configured for ``event``."""
    return [
        r["label"]
        for r in config["validation"]["references"]
        if r.get("events") is None or event in r["events"]
    ]


def reference_files(wildcards):
    return expand(
        "results/{event}/reference/{reference}.hdf5",
        event=wildcards.event,
        reference=references(wildcards.event),
    )


def all_outputs():
    outputs = []
    for name, event in EVENTS.items():
        outputs += expand("results/{event}/figures/asd_{ifo}.png", event=name, ifo=event.detectors)
        outputs += [
            f"results/{name}/noise/noise_summary.json",
            f"results/{name}/figures/noise_comparison.png",
            f"results/{name}/posterior.hdf5",
            f"results/{name}/summary.json",
            f"results/{name}/validation/pp_test.json",
            f"results/{name}/validation/comparison.json",
            f"results/{name}/figures/loss.png",
            f"results/{name}/figures/whitened_strain.png",
        ]
    return outputs

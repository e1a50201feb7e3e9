# Configuration validation, event table and input functions shared by all rules.

import copy
import os
import sys
from pathlib import Path

# The workflow runs its own gwda, whatever else is installed: first on the path of this process
# and of every job it starts (Snakemake appends a script's search paths after site-packages,
# where another checkout installed in editable mode would win).
LIBRARY = str(Path(workflow.basedir) / "workflow_scripts")
sys.path.insert(0, LIBRARY)
# (PYTHONPATH is set here, not required of the user, so it is no case for `envvars:`.)
_environment = os.environ
_search_path = "PYTHONPATH"
_environment[_search_path] = os.pathsep.join(
    [LIBRARY] + [p for p in _environment.get(_search_path, "").split(os.pathsep) if p and p != LIBRARY])

from gwda.config import ConfigError, config_sections, read_yaml, resolve_events, validate_config  # noqa: E402
from gwda.config import section as config_section  # noqa: E402
from gwda.gw.detectors import DETECTORS  # noqa: E402
from gwda.stages import CONFIG  # noqa: E402

# config/config.yaml is the base that --configfile/--config extend (with the prior merged entry
# by entry, which snakemake's own configfile merging cannot do).
try:
    _validated = validate_config(config, Path(workflow.basedir) / "config" / "schema.yaml",
                                 base=read_yaml(Path(workflow.basedir) / "config" / "config.yaml"))
except ConfigError as exc:
    raise WorkflowError(str(exc)) from None
config.clear()
config.update(_validated)

EVENTS = {event.name: event for event in resolve_events(config)}
#: The event's settings from its first search (rule search_event), which every rule reading
#: the data or prior sections takes as input ``event_settings`` (gwda.config.apply_event_settings).
EVENT_SETTINGS = "results/{event}/search/settings.json"


wildcard_constraints:
    event="|".join(EVENTS),
    ifo="|".join(DETECTORS),
    reference="[A-Za-z0-9_.+-]+",


def stage_config(stage):
    """The config sections the stage reads (gwda.stages.CONFIG), passed as params so that a
    change to them, and only to them, re-runs it."""
    return config_sections(config, CONFIG[stage])


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


def all_reference_files():
    """Every event's published posterior files."""
    return [f"results/{name}/reference/{label}.hdf5" for name in EVENTS for label in references(name)]


def glitch_table(wildcards):
    """The table of real glitches, when the GAN trains on them (glitches.source: gwosc)."""
    return [config["glitches"]["gwosc"]["table"]] if config["glitches"]["source"] == "gwosc" else []


def glitch_gan(section, injects=True):
    """Input function: the trained glitch GAN, for a rule injecting the glitches of config
    section ``section`` (one of gwda.config.GLITCH_INJECTIONS) when they come from it and
    ``injects`` (the rule injects any)."""
    needed = injects and config_section(config, section)["source"] == "gan"
    return lambda wildcards: ["results/glitches/gan/network.pt"] if needed else []


def glitch_trained_config(stage):
    """The stage's config sections for the comparison model trained with glitches:
    training.glitches.rate set to validation.glitch_robustness.trained_rate."""
    out = copy.deepcopy(stage_config(stage))
    out["training"]["glitches"]["rate"] = config["validation"]["glitch_robustness"]["trained_rate"]
    return out


def gengli_robustness_config(stage):
    """The stage's config sections with gengli's blips as the robustness test's glitches."""
    out = copy.deepcopy(stage_config(stage))
    out["validation"]["glitch_robustness"].update(source="gengli", classes=None)
    return out


def exact_reference_files(event, name):
    """File ``name`` of the event's stored exact-posterior reference (validation.exact_reference,
    relative to the repository), or nothing where none is stored."""
    template = config["validation"]["exact_reference"]
    if not template:
        return []
    directory = Path(workflow.basedir) / template.format(event=event)
    stored = all((directory / f).is_file() for f in ("posterior.hdf5", "summary.json"))
    return [str(directory / name)] if stored else []


def all_outputs(summary=True):
    """The default target: every event's results, the glitch GAN's and (with ``summary``) the
    whole run's summary, which is made from all the others."""
    outputs = ["results/glitches/gan_metrics.json", "results/catalogue/catalogue.csv"]
    outputs += ["results/summary.json"] if summary else []
    for name, event in EVENTS.items():
        outputs += expand("results/{event}/figures/asd_{ifo}.png", event=name, ifo=event.detectors)
        outputs += [
            f"results/{name}/noise/noise_summary.json",
            f"results/{name}/figures/noise_comparison.png",
            f"results/{name}/figures/noise_glitches.png",
            f"results/{name}/posterior.hdf5",
            f"results/{name}/summary.json",
            f"results/{name}/validation/pp_test.json",
            f"results/{name}/validation/comparison.json",
            f"results/{name}/figures/loss.png",
            f"results/{name}/figures/whitened_strain.png",
        ]
        if config["validation"]["glitch_robustness"]["enabled"]:
            outputs.append(f"results/{name}/validation/glitch_robustness.json")
            if config["validation"]["glitch_robustness"]["trained_comparison"]:
                outputs.append(f"results/{name}/validation/glitch_robustness_summary.csv")
        if exact_reference_files(name, "summary.json"):
            outputs.append(f"results/{name}/validation/exact_comparison.json")
        if config["denoiser"]["enabled"]:
            outputs += [
                f"results/{name}/denoiser/metrics.json",
                f"results/{name}/figures/denoised_strain.png",
            ]
    return outputs

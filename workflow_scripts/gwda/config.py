"""Load and validate the workflow configuration against config/schema.yaml.

Validation fills in every default from the schema, rejects unknown keys, and then checks
what a schema cannot express (known event names and detectors, a band below Nyquist, ...).
Every error names the offending key. A ``prior`` block in a config file is merged with the
default prior entry by entry. ``config/config.yaml`` is the schema's defaults written out
with their descriptions (:func:`default_config_text`; ``python -m gwda.config`` prints it).
"""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import jsonschema
import yaml

from .gw.approximants import ALIGNED_SPIN_APPROXIMANTS
from .gw.detectors import DETECTORS
from .gw.events import EVENTS, Event

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "config" / "schema.yaml"
DEFAULT_CONFIG_PATH = SCHEMA_PATH.with_name("config.yaml")


class ConfigError(ValueError):
    """The configuration does not match the schema or is inconsistent."""


def _validator_with_defaults(cls):
    """A jsonschema validator class that inserts schema defaults while validating."""
    validate_properties = cls.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" not in sub:
                    continue
                if name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
                elif "$ref" in sub and isinstance(sub["default"], dict) and isinstance(instance[name], dict):
                    # A shared definition used with its own defaults: a partial value is
                    # completed from the use site's default.
                    for key, value in sub["default"].items():
                        instance[name].setdefault(key, copy.deepcopy(value))
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(cls, {"properties": set_defaults})


_Validator = _validator_with_defaults(jsonschema.Draft202012Validator)


def load_schema(path: Path | str = SCHEMA_PATH) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)


def _key(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def validate_config(config: dict, schema_path: Path | str = SCHEMA_PATH, base: dict | None = None,
                    _defaults: bool = False) -> dict:
    """Return a validated copy of ``config`` with every default filled in. Keys it leaves
    out come from ``base`` (a config it extends: the workflow's config/config.yaml) where
    that has them, else from the schema; its ``prior`` replaces the base prior entry by entry.
    ``search.adapt`` loses the keys ``config`` sets to other values than the defaults."""
    schema = load_schema(schema_path)
    for key in ("embedding", "transformer"):
        if isinstance(config.get("model"), dict) and key in config["model"]:
            raise ConfigError(f"config key 'model.{key}': removed; the embedding is the residual MLP "
                              "(model.embedding_hidden), and the Transformer now denoises strain (denoiser)")
    config = _extend(copy.deepcopy(base or {}), coerce_strings(dict(config), schema), schema)
    validator = _Validator(schema)
    # Two passes: the first fills defaults of nested objects, the second reports errors on
    # the completed document (so an error in a default-filled branch is still found).
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if not errors:
        errors = list(validator.iter_errors(config))
    if errors:
        lines = []
        for err in errors:
            best = jsonschema.exceptions.best_match([err])
            lines.append(f"config key '{_key(best.absolute_path)}': {best.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))
    _check_consistency(config)
    if not _defaults:
        defaults = validate_config({}, schema_path, base, _defaults=True)
        config["search"]["adapt"] = [a for a in config["search"]["adapt"]
                                     if section(config, ADAPTABLE[a]) == section(defaults, ADAPTABLE[a])]
    return config


#: What the search can set for an event (``search.adapt``), by its config key: a key a config
#: sets to another value than the default is left as set.
ADAPTABLE = {"segment": "data.segment.duration", "chirp_mass": "prior.chirp_mass",
             "luminosity_distance": "prior.luminosity_distance"}


def apply_event_settings(config: dict, settings: str | Path | None) -> dict:
    """``config`` (a stage's sections) with the entries of an event's settings file (the
    search stage's ``results/{event}/search/settings.json``, its ``config``: dotted keys) in
    place of its own, where the stage has the section they belong to."""
    if not settings:
        return config
    import json

    config = copy.deepcopy(config)
    for key, value in json.loads(Path(settings).read_text())["config"].items():
        *path, last = key.split(".")
        target = config
        for part in path:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict) and last in target:
            target[last] = value
    return config


_SCALAR_TYPES = ("number", "integer", "boolean", "null")


def coerce_strings(config: dict, schema: dict) -> dict:
    """A copy of ``config`` in which strings where the schema expects a number, an integer, a
    boolean or null are read as YAML scalars: ``snakemake --config key="{'a': {'b': 0.25}}"``
    passes every nested value as a string. A string that does not read as an allowed type is
    left as it is, for the schema to report."""
    return _coerce(copy.deepcopy(config), schema, schema)


def resolve_ref(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        target = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema if isinstance(schema, dict) else {}


def _alternatives(schema: dict, root: dict) -> list[dict]:
    schema = resolve_ref(schema, root)
    alternatives = schema.get("oneOf", []) + schema.get("anyOf", [])
    return [schema] + [a for alt in alternatives for a in _alternatives(alt, root)]


def _types(schema: dict, root: dict) -> set[str]:
    types: set[str] = set()
    for alt in _alternatives(schema, root):
        t = alt.get("type")
        types |= {t} if isinstance(t, str) else set(t or [])
    return types


def _has_type(value, types: set[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types
    return value is None and "null" in types


def _coerce(value, schema: dict, root: dict):
    alternatives = _alternatives(schema, root)
    if isinstance(value, str):
        types = _types(schema, root)
        if "string" in types or not types & set(_SCALAR_TYPES):
            return value
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        if isinstance(parsed, str) and "number" in types:     # YAML 1.1 reads 1e-3 as a string
            try:
                parsed = float(value)
            except ValueError:
                return value
        return parsed if _has_type(parsed, types) else value
    if isinstance(value, dict):
        objects = [a for a in alternatives if "properties" in a or isinstance(a.get("additionalProperties"), dict)]
        if not objects:
            return value
        properties, extra = objects[0].get("properties", {}), objects[0].get("additionalProperties")
        return {k: _coerce(v, properties.get(k, extra if isinstance(extra, dict) else {}), root)
                for k, v in value.items()}
    if isinstance(value, list):
        items = next((a["items"] for a in alternatives if isinstance(a.get("items"), dict)), None)
        return [_coerce(v, items, root) for v in value] if items is not None else value
    return value


def _extend(base: dict, config: dict, schema: dict) -> dict:
    """``config`` over ``base`` (recursively), the prior entry by entry over the base prior
    (the schema's default without one). The default's aligned spins (chi_1, chi_2) are left
    out for precessing approximants, whose spin priors (a_1, a_2, tilt_1, tilt_2, phi_12,
    phi_jl) must then be given. Malformed sections are left for the schema to report."""
    out = merge({k: v for k, v in base.items() if k != "prior"}, {k: v for k, v in config.items() if k != "prior"})
    given = config.get("prior", {})
    default = base.get("prior", schema["properties"]["prior"]["default"])
    if not isinstance(given, dict) or not isinstance(default, dict):
        out["prior"] = config.get("prior", default)
        return out
    waveform = out.get("waveform")
    approximant = (waveform.get("approximant") if isinstance(waveform, dict) else None) or \
        schema["properties"]["waveform"]["properties"]["approximant"]["default"]
    if approximant not in ALIGNED_SPIN_APPROXIMANTS:
        default = {k: v for k, v in default.items() if k not in ALIGNED_SPINS}
    out["prior"] = {**default, **given}
    return out


def _check_detectors(names, key: str) -> None:
    for i, name in enumerate(names or []):
        if name not in DETECTORS:
            raise ConfigError(f"config key '{key}[{i}]': unknown detector '{name}' (known: {', '.join(DETECTORS)})")


def resolve_events(config: dict) -> list[Event]:
    """The events of a validated config as :class:`Event` objects with their detectors."""
    default_dets = config["data"]["detectors"]
    _check_detectors(default_dets, "data.detectors")
    events = []
    for i, entry in enumerate(config["events"]):
        if isinstance(entry, str):
            if entry not in EVENTS:
                raise ConfigError(
                    f"config key 'events[{i}]': unknown event '{entry}'. Known events: "
                    f"{', '.join(EVENTS)}; for any other GPS time give "
                    "{name: ..., gps_time: ..., detectors: [...]}."
                )
            event = EVENTS[entry]
            if default_dets is not None:
                missing = sorted(set(default_dets) - set(event.detectors))
                if missing:
                    raise ConfigError(
                        f"config key 'data.detectors': {', '.join(missing)} did not observe "
                        f"{event.name} (available: {', '.join(event.detectors)})"
                    )
                event = Event(event.name, event.gps_time, tuple(default_dets))
        else:
            _check_detectors(entry.get("detectors"), f"events[{i}].detectors")
            dets = entry.get("detectors") or default_dets or ["H1", "L1"]
            event = Event(entry["name"], float(entry["gps_time"]), tuple(dets))
        events.append(event)
    names = [e.name for e in events]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"config key 'events': duplicate event name(s) {', '.join(dupes)}")
    return events


def _check_consistency(config: dict) -> None:
    data = config["data"]
    resolve_events(config)
    nyquist = data["sample_rate"] / 2
    band = data["frequency"]
    if band["f_max"] > nyquist:
        raise ConfigError(
            f"config key 'data.frequency.f_max': {band['f_max']} Hz exceeds the Nyquist "
            f"frequency {nyquist} Hz of data.sample_rate {data['sample_rate']}"
        )
    if band["f_min"] >= band["f_max"]:
        raise ConfigError(
            f"config key 'data.frequency.f_min': {band['f_min']} Hz is not below f_max {band['f_max']} Hz"
        )
    seg = data["segment"]
    if seg["post_trigger"] >= seg["duration"]:
        raise ConfigError(
            f"config key 'data.segment.post_trigger': {seg['post_trigger']} s leaves no data "
            f"before the trigger in a {seg['duration']} s segment"
        )
    if 2 * data["window"]["roll_off"] > seg["duration"]:
        raise ConfigError(
            f"config key 'data.window.roll_off': two roll-offs of {data['window']['roll_off']} s "
            f"do not fit in the {seg['duration']} s segment"
        )
    psd = data["psd"]
    welch = psd["welch_segment"] or seg["duration"]
    chunk = psd["duration"] / (2 if psd["placement"] == "around" else 1)
    if welch > chunk:
        raise ConfigError(
            f"config key 'data.psd.welch_segment': a {welch} s Welch segment does not fit in "
            f"the {chunk} s of contiguous off-source data ({psd['placement']} placement of "
            f"data.psd.duration {psd['duration']} s)"
        )
    if 2 * data["window"]["roll_off"] > welch:
        raise ConfigError(
            f"config key 'data.window.roll_off': two roll-offs of {data['window']['roll_off']} s "
            f"do not fit in a {welch} s Welch segment"
        )
    _check_prior(config)
    _check_alignment(config)
    _check_glitches(config)
    _check_glitch_injections(config)
    _check_denoiser(config)
    for i, ref in enumerate(config["validation"]["references"]):
        if not (ref.get("path") or ref.get("url")):
            raise ConfigError(f"config key 'validation.references[{i}]': give a path or a url for '{ref['label']}'")
    for event in resolve_events(config):
        labels = [r["label"] for r in config["validation"]["references"]
                  if r.get("events") is None or event.name in r["events"]]
        if len(set(labels)) < len(labels):
            raise ConfigError(f"config key 'validation.references': labels must be unique for each event "
                              f"({event.name} has {', '.join(sorted(labels))})")
    if data["source"] == "local" and not data["local"]["directory"]:
        raise ConfigError(
            "config key 'data.local.directory': required when data.source is 'local'"
        )


def _check_alignment(config: dict) -> None:
    """The time-alignment windows lie inside the time prior: a proxy drawn within ± the
    window of an arrival time must be able to differ from it by less than the prior allows."""
    time = config["prior"]["geocent_time"]
    if time["type"] == "fixed":
        return
    half_width = 0.5 * (time["maximum"] - time["minimum"])
    for key in ("common_window", "relative_window"):
        window = config["model"]["alignment"][key]
        if window > half_width:
            raise ConfigError(f"config key 'model.alignment.{key}': ±{window:g} s is wider than the time prior "
                              f"(config key 'prior.geocent_time': [{time['minimum']:g}, {time['maximum']:g}] s, "
                              f"half-width {half_width:g} s)")


def _check_glitches(config: dict) -> None:
    data, glitches = config["data"], config["glitches"]
    if glitches["source"] == "gwosc":
        if not glitches["gwosc"]["table"]:
            raise ConfigError("config key 'glitches.gwosc.table': required when glitches.source is 'gwosc'")
        if glitches["gan"]["conditional_parameters"] or glitches["gan"]["stft_loss"] > 0:
            raise ConfigError("config key 'glitches.gan.conditional_parameters': real glitches have no true "
                              "parameters to condition on; set it to false and glitches.gan.stft_loss to 0")
        if glitches["gwosc"]["psd_duration"] < 2 * data["segment"]["duration"]:
            raise ConfigError(f"config key 'glitches.gwosc.psd_duration': {glitches['gwosc']['psd_duration']} s "
                              f"holds fewer than two {data['segment']['duration']} s segments")
    window, duration = glitches["window"], data["segment"]["duration"]
    if window > duration:
        raise ConfigError(f"config key 'glitches.window': a {window} s window is longer than the "
                          f"{duration} s segment (data.segment.duration)")
    n = window * data["sample_rate"]
    if abs(n - round(n)) > 1e-6:
        raise ConfigError(f"config key 'glitches.window': {window} s is not a whole number of samples "
                          f"at data.sample_rate {data['sample_rate']} Hz")
    if glitches["peak_jitter"] >= window / 2:
        raise ConfigError(f"config key 'glitches.peak_jitter': {glitches['peak_jitter']} s moves peaks out of "
                          f"the {window} s window (must be below half of it)")
    for cls, params in glitches["ranges"].items():
        for name, (lo, hi) in params.items():
            if not lo < hi:
                raise ConfigError(f"config key 'glitches.ranges.{cls}.{name}': needs minimum < maximum")
    factor = max(int(data["sample_rate"] // (2 * data["frequency"]["f_max"])), 1)
    blocks = len(glitches["gan"]["generator_channels"])
    if round(n) % (factor * 2 ** blocks):
        raise ConfigError(f"config key 'glitches.gan.generator_channels': {blocks} blocks (each doubling the "
                          f"length) do not divide the window's {round(n)} samples (GAN rate: every {factor}th)")
    if round(n) // factor % 2 ** len(glitches["gan"]["critic_channels"]):
        raise ConfigError(f"config key 'glitches.gan.critic_channels': {len(glitches['gan']['critic_channels'])} "
                          f"halvings do not divide the window's {round(n) // factor} samples at the GAN rate")
    gan = glitches["gan"]
    if max(gan["stft_sizes"]) > round(n) // factor:
        raise ConfigError(f"config key 'glitches.gan.stft_sizes': {max(gan['stft_sizes'])} exceeds the window's "
                          f"{round(n) // factor} samples at the GAN rate")
    if gan["stft_loss"] > 0 and not gan["conditional_parameters"]:
        raise ConfigError("config key 'glitches.gan.stft_loss': pairs each generated burst with the training burst "
                          "of its condition, so it needs glitches.gan.conditional_parameters: true (or set it to 0)")
    injected = config["noise"]["glitches"]
    if window > injected["duration"]:
        raise ConfigError(f"config key 'noise.glitches.duration': {injected['duration']} s is shorter than "
                          f"a glitch window (glitches.window {window} s)")


#: The config sections that inject glitches; each uses the schema's shared definitions
#: (``$defs``: glitch_snr, glitch_classes, glitch_source).
GLITCH_INJECTIONS = ("noise.glitches", "training.glitches", "denoiser.glitches", "validation.glitch_robustness")


def section(config: dict, key: str) -> dict:
    """The config section (or value) at dotted ``key`` (e.g. ``validation.glitch_robustness``)."""
    for part in key.split("."):
        config = config[part]
    return config


def _check_glitch_injections(config: dict) -> None:
    """Every section that injects glitches: an SNR range that is one, classes the GAN knows,
    and a source that exists for the GAN's training data."""
    known = set(config["glitches"]["classes"])
    for key in GLITCH_INJECTIONS:
        settings = section(config, key)
        if not settings["snr"]["minimum"] < settings["snr"]["maximum"]:
            raise ConfigError(f"config key '{key}.snr.minimum': must be below {key}.snr.maximum")
        unknown = set(settings["classes"] or []) - known
        if unknown:
            raise ConfigError(f"config key '{key}.classes': {', '.join(sorted(unknown))} not in "
                              f"glitches.classes (the GAN's classes)")
        if settings["source"] == "simulated" and config["glitches"]["source"] == "gwosc":
            raise ConfigError(f"config key '{key}.source': 'simulated' draws the burst families, which "
                              "glitches.source 'gwosc' does not train on; use 'gan'")


def _check_denoiser(config: dict) -> None:
    """The denoiser's window fits the analysis segment's untapered part and holds whole tokens;
    the robustness test's glitches fit after the merger."""
    data, d = config["data"], config["denoiser"]
    lo, hi = d["merger_range"]
    if not lo < hi:
        raise ConfigError(f"config key 'denoiser.merger_range': {d['merger_range']} must be increasing")
    duration, roll_off = data["segment"]["duration"], data["window"]["roll_off"]
    trigger = duration - data["segment"]["post_trigger"]
    first = trigger - 0.5 * (lo + hi) * d["window"]
    if first < roll_off - 1e-9 or first + d["window"] > duration - roll_off + 1e-9:
        raise ConfigError(f"config key 'denoiser.window': {d['window']} s with the trigger at "
                          f"{0.5 * (lo + hi):g} of it reaches outside the untapered part of the analysis segment "
                          f"({roll_off:g}–{duration - roll_off:g} s; the trigger at {trigger:g} s)")
    factor = max(int(data["sample_rate"] // (2 * data["frequency"]["f_max"])), 1)
    n = d["window"] * data["sample_rate"] / factor
    patch = d["network"]["patch"]
    if abs(n - round(n)) > 1e-6 or round(n) % patch:
        raise ConfigError(f"config key 'denoiser.network.patch': the {d['window']} s window is {n:g} samples at the "
                          f"denoiser's rate ({data['sample_rate'] / factor:g} Hz), not a whole number of "
                          f"{patch}-sample tokens")
    if d["network"]["d_model"] % d["network"]["heads"]:
        raise ConfigError(f"config key 'denoiser.network.heads': {d['network']['heads']} does not divide "
                          f"denoiser.network.d_model {d['network']['d_model']}")
    if not d["snr"]["minimum"] < d["snr"]["maximum"]:
        raise ConfigError("config key 'denoiser.snr.minimum': must be below denoiser.snr.maximum")
    robust = config["validation"]["glitch_robustness"]
    if robust["offset"] + config["glitches"]["window"] / 2 > data["segment"]["post_trigger"] - roll_off:
        raise ConfigError(f"config key 'validation.glitch_robustness.offset': glitches {robust['offset']} s after "
                          "the merger would reach past the untapered end of the analysis segment")
    edges = d["evaluation"]["snr_bins"]
    if any(a >= b for a, b in zip(edges, edges[1:])):
        raise ConfigError(f"config key 'denoiser.evaluation.snr_bins': {edges} must be increasing")


REQUIRED_PRIOR = ("chirp_mass", "mass_ratio", "luminosity_distance", "theta_jn", "phase", "psi",
                  "ra", "dec", "geocent_time")
ALIGNED_SPINS = ("chi_1", "chi_2")
PRECESSING_SPINS = ("a_1", "a_2", "tilt_1", "tilt_2", "phi_12", "phi_jl")


def _check_prior(config: dict) -> None:
    prior = config["prior"]
    aligned = config["waveform"]["approximant"] in ALIGNED_SPIN_APPROXIMANTS
    missing = [n for n in REQUIRED_PRIOR + (ALIGNED_SPINS if aligned else PRECESSING_SPINS) if n not in prior]
    if missing:
        raise ConfigError(f"config key 'prior': no prior for {', '.join(missing)} (use type: fixed to pin one)")
    wrong = [n for n in (PRECESSING_SPINS if aligned else ALIGNED_SPINS) if n in prior]
    if wrong:
        kind = "aligned-spin" if aligned else "precessing"
        raise ConfigError(f"config key 'prior': {', '.join(wrong)} do not apply to the {kind} approximant "
                          f"{config['waveform']['approximant']} (use "
                          f"{', '.join(ALIGNED_SPINS if aligned else PRECESSING_SPINS)})")
    proposal = config["training"]["proposal"]
    for name, given in proposal.items():
        base, key = prior.get(name), f"config key 'training.proposal.{name}'"
        if base is None or base["type"] == "fixed":
            raise ConfigError(f"{key}: the prior of {name} is {'fixed' if base else 'missing'}; nothing to replace")
        spec = {**base, **given}
        if spec["type"] == "fixed":
            raise ConfigError(f"{key}: a proposal cannot be fixed")
        if spec["minimum"] > base["minimum"] or spec["maximum"] < base["maximum"]:
            raise ConfigError(f"{key}: [{spec['minimum']}, {spec['maximum']}] must contain the prior's range "
                              f"[{base['minimum']}, {base['maximum']}] (the flow must cover the posterior)")
    entries = [(f"prior.{n}", spec) for n, spec in prior.items()]
    entries += [(f"training.proposal.{n}", {**prior[n], **given}) for n, given in proposal.items()]
    for key, spec in entries:
        if spec["type"] == "fixed":
            if "value" not in spec:
                raise ConfigError(f"config key '{key}': a fixed prior needs 'value'")
        elif "minimum" not in spec or "maximum" not in spec or spec["minimum"] >= spec["maximum"]:
            raise ConfigError(f"config key '{key}': needs minimum < maximum")
        elif spec["type"] in ("power_law", "uniform_comoving_volume") and spec["minimum"] <= 0:
            raise ConfigError(f"config key '{key}': minimum must be positive for {spec['type']}")


def read_yaml(path: Path | str) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh) or {}


def load_config(path: Path | str, overrides: dict | None = None) -> dict:
    """Read a YAML config file, merge ``overrides`` into it, and validate it as the workflow
    does: over config/config.yaml."""
    config = read_yaml(path)
    if overrides:
        config = merge(config, overrides)
    return validate_config(config, base=read_yaml(DEFAULT_CONFIG_PATH))


def merge(base: dict, update: dict) -> dict:
    """Recursive dict merge (the way snakemake merges --config into a configfile)."""
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def event_by_name(config: dict, name: str) -> Event:
    for event in resolve_events(config):
        if event.name == name:
            return event
    raise ConfigError(f"event '{name}' is not in config key 'events'")


def config_sections(config: dict, sections: tuple[str, ...]) -> dict:
    """The parts of ``config`` named by ``sections`` ("a" a whole section, "a.b" key b of
    section a, and so on): what a stage reads (:data:`gwda.stages.CONFIG`)."""
    out: dict = {}
    for key in sections:
        *path, last = key.split(".")
        source, target = config, out
        for part in path:
            source, target = source[part], target.setdefault(part, {})
        target[last] = copy.deepcopy(source[last])
    return out


# -- config/config.yaml, written from the schema -------------------------------------------

HEADER = """\
# The default configuration of the gwda workflow: GW150914 (H1 + L1) from GWOSC, sized for
# a CPU. Every key is shown with its default and its description from config/schema.yaml,
# which types and checks them all (this file is written from it: python -m gwda.config).
# To change something, copy this file, or write a file with only the keys you change
# (snakemake --configfile my.yaml): keys it leaves out keep these defaults, and a prior
# block replaces the default prior parameter by parameter.
"""


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(" ".join(str(text).split()), width=92 - len(indent),
                         initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# ")


def _flow(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6)
    return text.removesuffix("...\n").strip()       # a bare scalar ends its document with "..."


def _render(schema: dict, indent: str, root: dict, defaults: dict | None = None) -> list[str]:
    """YAML lines of ``schema``'s properties: each with its description and its default (the
    use site's, where a shared definition of ``$defs`` is used with its own)."""
    lines: list[str] = []
    for name, sub in schema.get("properties", {}).items():
        sub = resolve_ref(sub, root)
        lines += _comment(sub["description"], indent)
        value = defaults[name] if defaults and name in defaults else sub["default"]
        if sub.get("type") == "object" and "properties" in sub:
            lines.append(f"{indent}{name}:")
            lines += _render(sub, indent + "  ", root, value if isinstance(value, dict) else None)
        elif isinstance(value, dict) and value:
            lines.append(f"{indent}{name}:")
            lines += [f"{indent}  {k}: {_flow(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{indent}{name}:")
            lines += [f"{indent}  - {_flow(v)}" for v in value]
        else:
            lines.append(f"{indent}{name}: {_flow(value)}")
        if not indent:
            lines.append("")
    return lines


def default_config_text(schema_path: Path | str = SCHEMA_PATH) -> str:
    """``config/config.yaml``: every key of the schema with its default and description."""
    schema = load_schema(schema_path)
    return HEADER + "\n" + "\n".join(_render(schema, "", schema)).rstrip() + "\n"


if __name__ == "__main__":
    print(default_config_text(), end="")

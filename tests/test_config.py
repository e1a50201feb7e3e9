import pytest
import yaml
from gwda.config import (GLITCH_INJECTIONS, ConfigError, load_config, merge, resolve_events, resolve_ref,
                         validate_config)
from gwda.config import section as config_section

PRECESSING = {name: {"type": "uniform", "minimum": 0.0, "maximum": 0.9}
              for name in ("a_1", "a_2", "tilt_1", "tilt_2", "phi_12", "phi_jl")}


def test_defaults_fill_every_key(root):
    config = validate_config({})
    assert config["events"] == ["GW150914"]
    assert config["data"]["source"] == "gwosc"
    assert config["data"]["psd"]["duration"] == 1024
    assert config["data"]["window"]["roll_off"] == 0.4
    # The shipped default config is exactly the schema defaults plus comments.
    assert load_config(root / "config" / "config.yaml") == config


def test_default_config_file_is_the_schema_written_out(root):
    from gwda.config import default_config_text

    assert (root / "config" / "config.yaml").read_text() == default_config_text(), (
        "config/config.yaml is out of date with config/schema.yaml: "
        "python -m gwda.config > config/config.yaml (from workflow_scripts/)")


@pytest.mark.parametrize("name", ["full.yaml", "local_gw150914.yaml", "test.yaml"])
def test_shipped_configs_extend_the_default_file(root, name):
    """As the workflow reads them: over config/config.yaml (whose prior holds aligned spins,
    which a precessing full.yaml replaces by its own spin priors)."""
    from gwda.config import read_yaml

    given = read_yaml(root / "config" / name)
    config = validate_config(given, base=read_yaml(root / "config" / "config.yaml"))
    if name == "full.yaml":
        assert config["waveform"]["approximant"] == "IMRPhenomPv2"
        assert config["prior"] == given["prior"] and "chi_1" not in config["prior"]
    else:
        assert config["prior"] == validate_config({})["prior"]


def test_partial_prior_block_keeps_the_other_defaults():
    default = validate_config({})["prior"]
    narrow = {"type": "uniform", "minimum": 25.0, "maximum": 35.0}
    config = validate_config({"prior": {"chirp_mass": narrow}})
    assert config["prior"] == {**default, "chirp_mass": narrow}
    assert list(config["prior"]) == list(default)
    # Precessing approximants take the six spin angles instead of the default aligned spins.
    precessing = validate_config({"waveform": {"approximant": "IMRPhenomPv2"}, "prior": PRECESSING})["prior"]
    assert set(precessing) == (set(default) - {"chi_1", "chi_2"}) | set(PRECESSING)


def test_every_schema_property_is_described_and_defaulted(root):
    schema = yaml.safe_load((root / "config" / "schema.yaml").read_text())

    def walk(node, path, use_site_default=None):
        for name, sub in node.get("properties", {}).items():
            key = f"{path}.{name}" if path else name
            # A shared definition ($defs) takes its default where it is used.
            assert "default" in sub or name in (use_site_default or {}), f"{key} has no default"
            default = sub.get("default")
            sub = resolve_ref(sub, schema)
            assert "description" in sub, f"{key} has no description"
            walk(sub, key, default if "$ref" in node.get("properties", {}).get(name, {}) else None)

    walk(schema, "")


@pytest.mark.parametrize(
    "config, key, text",
    [
        ({"data": {"sample_rate": "fast"}}, "data.sample_rate", "is not one of"),
        ({"data": {"psd": {"overlap": 1.5}}}, "data.psd.overlap", "1.5"),
        ({"data": {"segment": {"durations": 4}}}, "data.segment", "durations"),
        ({"data": {"detectors": ["H1", "X9"]}}, "data.detectors[1]", "X9"),
        ({"events": [{"name": "S1", "gps_time": 1e9, "detectors": ["Q1"]}]}, "events[0].detectors[0]", "Q1"),
        ({"seed": -1}, "seed", "minimum"),
        ({"glitches": {"classes": ["sine_gaussian", "blip"]}}, "glitches.classes[1]", "blip"),
        ({"noise": {"glitches": {"rate": -0.1}}}, "noise.glitches.rate", "minimum"),
        ({"glitches": {"ranges": {"ringdown": {"f0": [70.0]}}}}, "glitches.ranges.ringdown.f0", "too short"),
    ],
)
def test_schema_errors_name_the_key(config, key, text):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert f"config key '{key}'" in str(err.value)
    assert text in str(err.value)


@pytest.mark.parametrize(
    "config, key, text",
    [
        ({"events": ["GW150914", "GW999999"]}, "events[1]", "unknown event 'GW999999'"),
        ({"events": ["GW150914", "GW150914"]}, "events", "duplicate"),
        ({"data": {"detectors": ["V1"]}}, "data.detectors", "V1 did not observe GW150914"),
        ({"data": {"frequency": {"f_max": 4096}}}, "data.frequency.f_max", "Nyquist"),
        ({"data": {"source": "local"}}, "data.local.directory", "required"),
        ({"data": {"psd": {"duration": 24, "placement": "around", "welch_segment": 16}}},
         "data.psd.welch_segment", "does not fit"),
        ({"data": {"segment": {"duration": 4, "post_trigger": 5}}}, "data.segment.post_trigger", ""),
        ({"waveform": {"approximant": "IMRPhenomPv2"}}, "prior",
         "no prior for a_1, a_2, tilt_1, tilt_2, phi_12, phi_jl"),
        ({"waveform": {"approximant": "IMRPhenomPv2"},
          "prior": {**PRECESSING, "chi_1": {"type": "uniform", "minimum": -0.5, "maximum": 0.5}}},
         "prior", "chi_1 do not apply"),
        ({"prior": {**validate_config({})["prior"], "psi": {"type": "uniform", "minimum": 1, "maximum": 0}}},
         "prior.psi", "minimum < maximum"),
        ({"glitches": {"window": 8.0}}, "glitches.window", "longer than the 4 s segment"),
        ({"glitches": {"peak_jitter": 0.2}}, "glitches.peak_jitter", "out of the 0.25 s window"),
        ({"glitches": {"ranges": {"sine_gaussian": {"f0": [250.0, 70.0]}}}}, "glitches.ranges.sine_gaussian.f0",
         "minimum < maximum"),
        ({"glitches": {"gan": {"generator_channels": [8] * 12}}}, "glitches.gan.generator_channels", "do not divide"),
        ({"glitches": {"classes": ["ringdown"]}, "noise": {"glitches": {"classes": ["bbh"]}}},
         "noise.glitches.classes", "bbh not in glitches.classes"),
        ({"noise": {"glitches": {"snr": {"minimum": 60.0}}}}, "noise.glitches.snr.minimum", "below"),
        ({"glitches": {"source": "gwosc", "classes": ["blip"]}}, "glitches.gwosc.table", "required"),
        ({"glitches": {"source": "gwosc", "classes": ["blip"], "gwosc": {"table": "g.csv"}}},
         "glitches.gan.conditional_parameters", "no true parameters"),
    ],
)
def test_consistency_errors_name_the_key(config, key, text):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert f"config key '{key}'" in str(err.value)
    assert text in str(err.value)


def _section(section: str, value: dict) -> dict:
    out = value
    for part in reversed(section.split(".")):
        out = {part: out}
    return out


@pytest.mark.parametrize("section", GLITCH_INJECTIONS)
def test_every_glitch_injection_is_checked_alike(section):
    """One schema definition and one check for the four sections that inject glitches."""
    for value, key, text in (({"snr": {"minimum": 60.0, "maximum": 30.0}}, "snr.minimum", "below"),
                             ({"classes": ["ringdown", "tomte"]}, "classes", "tomte not in glitches.classes"),
                             ({"source": "noise"}, "source", "is not one of")):
        with pytest.raises(ConfigError) as err:
            validate_config(_section(section, value))
        assert f"config key '{section}.{key}'" in str(err.value) and text in str(err.value)
    real = {"glitches": {"source": "gwosc", "classes": ["blip"], "gwosc": {"table": "g.csv"},
                         "gan": {"conditional_parameters": False, "stft_loss": 0.0}}}
    with pytest.raises(ConfigError, match=f"config key '{section}.source': 'simulated' draws the burst families"):
        validate_config(merge(real, _section(section, {"source": "simulated"})))


@pytest.mark.parametrize("section", GLITCH_INJECTIONS)
def test_a_partial_glitch_snr_is_completed_from_its_sections_defaults(section):
    default = config_section(validate_config({}), section)
    config = config_section(validate_config(_section(section, {"snr": {"maximum": 40.0}})), section)
    assert config["snr"] == {**default["snr"], "maximum": 40.0}


def test_the_robustness_glitch_snr_is_uniform_by_default():
    assert validate_config({})["validation"]["glitch_robustness"]["snr"]["alpha"] == 0.0


def test_events_by_name_and_by_gps_time():
    config = validate_config({
        "events": ["GW150914", "GW170814", {"name": "S200101", "gps_time": 1262304018.0, "detectors": ["L1"]}],
    })
    events = {e.name: e for e in resolve_events(config)}
    assert events["GW150914"].gps_time == pytest.approx(1126259462.4)
    assert events["GW170814"].detectors == ("H1", "L1", "V1")
    assert events["S200101"].detectors == ("L1",)


@pytest.mark.parametrize("proposal, text", [
    ({"luminosity_distance": {"type": "uniform", "minimum": 200.0}}, "must contain the prior's range"),
    ({"geocent_time": {"type": "uniform", "maximum": 0.05}}, "must contain the prior's range"),
    ({"phase": {"type": "power_law", "minimum": 0.0}}, "minimum must be positive"),
])
def test_training_proposal_must_cover_the_prior(proposal, text):
    with pytest.raises(ConfigError, match=text):
        validate_config({"training": {"proposal": proposal}})


def test_training_proposal_inherits_the_prior_bounds():
    from gwda.gw.priors import Prior

    config = validate_config({"training": {"proposal": {"luminosity_distance": {"type": "uniform"}}}})
    prior = Prior(config["prior"], config["prior_constraints"])
    proposal = prior.replaced(config["training"]["proposal"])
    p, q = prior.priors["luminosity_distance"], proposal.priors["luminosity_distance"]
    assert (q.kind, q.minimum, q.maximum) == ("uniform", p.minimum, p.maximum) and p.kind == "power_law"
    assert proposal.priors["chirp_mass"] == prior.priors["chirp_mass"]


def test_the_removed_transformer_embedding_is_named():
    with pytest.raises(ConfigError, match="model.embedding': removed.*denoiser"):
        validate_config({"model": {"embedding": "transformer"}})


def test_nested_command_line_values_are_read_by_the_schema_types():
    """snakemake --config passes nested values as strings (YAML BaseLoader): the schema's types
    read them, and a value of the wrong sign then gets the minimum's message."""
    config = validate_config({"noise": {"glitches": {"rate": "0.5", "snr": {"minimum": "10", "maximum": "40"}}},
                              "training": {"glitches": {"rate": "1e-1"}}, "denoiser": {"enabled": "false"},
                              "prior": {"chirp_mass": {"type": "uniform", "minimum": "25", "maximum": "35"}},
                              "seed": "7", "data": {"detectors": "null"}})
    assert config["noise"]["glitches"]["rate"] == 0.5 and config["noise"]["glitches"]["snr"]["minimum"] == 10
    assert config["training"]["glitches"]["rate"] == 0.1 and config["denoiser"]["enabled"] is False
    assert config["prior"]["chirp_mass"]["minimum"] == 25 and config["seed"] == 7
    assert config["data"]["detectors"] is None
    with pytest.raises(ConfigError, match=r"config key 'noise.glitches.rate': -0.25 is less than the minimum of 0"):
        validate_config({"noise": {"glitches": {"rate": "-0.25"}}})
    with pytest.raises(ConfigError, match=r"config key 'seed': 'seven' is not of type 'integer'"):
        validate_config({"seed": "seven"})
    # a string where a string is expected stays one
    assert validate_config({"data": {"local": {"directory": "123"}}})["data"]["local"]["directory"] == "123"


def test_alignment_window_must_fit_the_time_prior():
    with pytest.raises(ConfigError, match=r"config key 'model.alignment.common_window': ±0.5 s is wider than the "
                                          r"time prior \(config key 'prior.geocent_time': \[-0.1, 0.1\] s"):
        validate_config({"model": {"alignment": {"common_window": 0.5}}})
    wide = {"geocent_time": {"type": "uniform", "minimum": -0.6, "maximum": 0.6}}
    assert validate_config({"model": {"alignment": {"common_window": 0.5}}, "prior": wide})

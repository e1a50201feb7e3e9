"""The analysis of one event: its simulator, prior and whitened data, as the trained model
and the configuration describe them; the guard against applying a model to other data."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from . import psd as psd_mod
from . import strain as strain_mod
from .alignment import TimeAlignment
from .domain import domain_from_config
from .priors import Prior
from .segments import Span, analysis_spans
from .simulator import Simulator
from .waveforms import WaveformSettings


class ModelMismatchError(ValueError):
    """A trained model applied to data with other settings than it was trained for."""


def waveform_settings(config: dict) -> WaveformSettings:
    return WaveformSettings(config["waveform"]["approximant"], float(config["waveform"]["reference_frequency"]))


def make_prior(config: dict) -> Prior:
    """The prior of the analysis (importance sampling, P–P injections, summaries)."""
    return Prior(config["prior"], config["prior_constraints"])


def training_prior(config: dict) -> Prior:
    """The distribution the flow is trained on: the prior, with ``training.proposal``
    replacing it for the parameters listed there (bounds not given are the prior's)."""
    return Prior(proposal_spec(config["prior"], config["training"]["proposal"]), config["prior_constraints"])


def proposal_spec(prior: dict, proposal: dict) -> dict:
    return {name: {**spec, **proposal.get(name, {})} for name, spec in prior.items()}


def make_simulator(psd_paths: list, trigger_time: float, config: dict) -> Simulator:
    domain = domain_from_config(config["data"])
    psds = {}
    for path in psd_paths:
        p = psd_mod.read(path)
        if p.frequencies.size != domain.frequencies.size or not np.isclose(p.delta_f, domain.delta_f):
            raise ModelMismatchError(f"{path}: PSD grid (Δf = {p.delta_f} Hz) does not match the "
                                     f"analysis domain (Δf = {domain.delta_f} Hz)")
        psds[p.detector] = p.values
    spans = analysis_spans(trigger_time, config["data"])
    return Simulator(domain, psds, trigger_time, spans.segment.start, waveform_settings(config))


def inferred_parameters(config: dict) -> list[str]:
    names = make_prior(config).sampled_names
    if config["model"]["marginalize_phase"] and waveform_settings(config).separable:
        names = [n for n in names if n != "phase"]
    return names


def phase_marginalized(prior: Prior, parameters: list[str]) -> tuple[str, ...]:
    """``("phase",)`` where the prior samples the phase but the flow does not infer it (22-mode
    models: the likelihood marginalises it analytically), else ``()``."""
    return ("phase",) if "phase" in prior.sampled_names and "phase" not in parameters else ()


def with_fixed(prior: Prior, samples: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``samples`` and every parameter the prior fixes, at its value."""
    n = len(next(iter(samples.values())))
    return {**samples, **{k: np.full(n, p.minimum) for k, p in prior.priors.items()
                          if p.kind == "fixed" and k not in samples}}


def make_alignment(config: dict, ifos: list[str]) -> TimeAlignment:
    a = config["model"]["alignment"]
    return TimeAlignment(tuple(ifos), float(a["common_window"]), float(a["relative_window"]))


def data_fingerprint(simulator: Simulator) -> dict:
    """The data settings a model is tied to (checked before a model is applied)."""
    d = simulator.domain
    psd_hash = hashlib.sha256(b"".join(simulator.psds[i].tobytes() for i in simulator.ifos)).hexdigest()[:16]
    return {"duration": d.duration, "sample_rate": d.sample_rate, "f_min": d.f_min, "f_max": d.f_max,
            "roll_off": d.roll_off, "detectors": simulator.ifos, "psd_sha256": psd_hash,
            "trigger_time": simulator.trigger_time, "segment_start": simulator.segment_start}


def model_config(config: dict, metadata: dict) -> dict:
    """``config`` with the sections that describe a trained model taken from its file."""
    trained = metadata["config"]
    return {**config, "waveform": metadata["waveform"], "prior": metadata["prior"],
            "prior_constraints": metadata["prior_constraints"], "model": trained["model"],
            "training": {**config.get("training", {}), "proposal": trained["training"].get("proposal", {})}}


def check_model_matches(metadata: dict, sim: Simulator, model_path) -> None:
    expected, actual = metadata["data"], data_fingerprint(sim)
    diffs = [f"{k}: model {expected[k]!r}, data {actual[k]!r}" for k in expected
             if (not np.isclose(expected[k], actual[k]) if isinstance(expected[k], float) else expected[k] != actual[k])]
    if diffs:
        raise ModelMismatchError(f"model {model_path} was trained for other data settings: " + "; ".join(diffs))


def event_data(strain_paths: list, sim: Simulator) -> dict[str, np.ndarray]:
    """Whitened in-band data of the analysis segment for each detector."""
    segments = {}
    for path in strain_paths:
        s, attrs = strain_mod.read(path)
        segments[s.detector] = s.crop(Span(*json.loads(attrs["segment"])))
    missing = set(sim.ifos) - set(segments)
    if missing:
        raise ModelMismatchError(f"no strain for detector(s) {sorted(missing)} the model needs")
    return sim.whiten_segment({ifo: segments[ifo] for ifo in sim.ifos})

"""What a neural posterior estimator analyses, and how: everything about a trained model but
its network, readable without torch.

A :class:`ModelAnalysis` owns the model's settings (the config sections it was trained
with), its :class:`~gwda.gw.simulator.Simulator` (the event's PSDs and trigger time), the
prior and the training proposal, the time alignment, the flow coordinates, the inferred
parameters and the exact likelihood. It is written once, as ``model.json`` beside the
network (``network.pt``), when training ends, and read back by every stage that uses the
model; :class:`gwda.npe.model.TrainedModel` adds the network. A model applied to data with
other settings (PSDs, detectors, segment) is refused with :class:`ModelMismatchError`.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import cached_property
from pathlib import Path

import numpy as np

from ..gw.alignment import TimeAlignment
from ..gw.coordinates import FlowCoordinates
from ..gw.likelihood import GaussianLikelihood
from ..gw.priors import Prior
from ..gw.segments import Span
from ..gw.simulator import Simulator
from ..io import psd_files
from ..io import strain as strain_files
from ..runtime import write_json


class ModelMismatchError(ValueError):
    """A trained model applied to data with other settings than it was trained for."""


def data_fingerprint(simulator: Simulator) -> dict:
    """The data settings a model is tied to (checked before a model is applied)."""
    d = simulator.domain
    psd_hash = hashlib.sha256(b"".join(simulator.psds[i].tobytes() for i in simulator.ifos)).hexdigest()[:16]
    return {"duration": d.duration, "sample_rate": d.sample_rate, "f_min": d.f_min, "f_max": d.f_max,
            "roll_off": d.roll_off, "detectors": simulator.ifos, "psd_sha256": psd_hash,
            "trigger_time": simulator.trigger_time, "segment_start": simulator.segment_start}


def check_data_settings(expected: dict, simulator: Simulator, model_path) -> None:
    """Refuse a model (fingerprint ``expected``) whose data settings differ from ``simulator``'s."""
    actual = data_fingerprint(simulator)
    def differ(a, b):       # floats as JSON stores them; GPS times need a relative 1e-12 (~1 ms)
        return not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) if isinstance(a, float) else a != b

    diffs = [f"{k}: model {expected[k]!r}, data {actual[k]!r}" for k in expected if differ(expected[k], actual[k])]
    if diffs:
        raise ModelMismatchError(f"model {model_path} was trained for other data settings: " + "; ".join(diffs))


class ModelAnalysis:
    """The analysis of one event by a neural posterior estimator (module doc).

    ``config``: the config sections the model is trained with (``seed``, ``data``,
    ``prior``, ``prior_constraints``, ``waveform``, ``model``, ``training``).
    """

    def __init__(self, config: dict, simulator: Simulator, event: str, info: dict | None = None):
        self.config, self.simulator, self.event = config, simulator, event
        self.info = info or {}          # what training recorded (model.json), once trained

    @classmethod
    def from_config(cls, config: dict, psd_paths: list, trigger_time: float, event: str) -> ModelAnalysis:
        psds = [psd_files.read(p) for p in psd_paths]
        try:
            sim = Simulator.from_settings(config["data"], config["waveform"], psds, trigger_time)
        except ValueError as exc:
            raise ModelMismatchError(str(exc)) from None
        return cls(config, sim, event)

    @classmethod
    def load(cls, path, psd_paths: list) -> ModelAnalysis:
        """The analysis described by a trained model's ``model.json``, on the event's PSDs
        (which must be those it was trained with)."""
        try:
            info = json.loads(Path(path).read_text())
            config, trigger_time, event = info["config"], info["data"]["trigger_time"], info["event"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelMismatchError(f"{path} is not a model description written by train_flow ({exc!r})") from None
        analysis = cls.from_config(config, psd_paths, trigger_time, event)
        check_data_settings(info["data"], analysis.simulator, path)
        analysis.info = info
        if analysis.flow_parameters != info["flow_parameters"]:
            raise ModelMismatchError(f"{path} was trained in the flow coordinates {info['flow_parameters']}; "
                                     f"this version uses {analysis.flow_parameters}: train it again")
        return analysis

    def write(self, path, network_file: str, network_sha256: str, training: dict) -> dict:
        """Write ``model.json``: this analysis, the network file it goes with (name relative
        to ``path``, checksum) and what training recorded."""
        info = {"event": self.event, "config": self.config, "data": data_fingerprint(self.simulator),
                "parameters": self.parameters, "flow_parameters": self.flow_parameters,
                "network": {"file": network_file, "sha256": network_sha256}, "training": training}
        write_json(path, info)
        self.info = info
        return info

    # -- what the model infers, under which prior ---------------------------------------
    @cached_property
    def prior(self) -> Prior:
        """The prior of the analysis (importance sampling, injections, summaries)."""
        return Prior(self.config["prior"], self.config["prior_constraints"])

    @cached_property
    def proposal(self) -> Prior:
        """The distribution the flow is trained on: the prior, with ``training.proposal``
        replacing it for the parameters listed there."""
        return self.prior.replaced(self.config["training"]["proposal"])

    @property
    def has_proposal(self) -> bool:
        return bool(self.config["training"]["proposal"])

    @cached_property
    def parameters(self) -> list[str]:
        """The physical parameters the flow infers: the prior's sampled ones, without the
        phase when it is marginalised (22-mode models)."""
        names = self.prior.sampled_names
        if self.config["model"]["marginalize_phase"] and self.simulator.waveform.separable:
            names = [n for n in names if n != "phase"]
        return names

    @property
    def marginalized(self) -> tuple[str, ...]:
        """``("phase",)`` where the prior samples the phase but the flow does not infer it
        (the likelihood marginalises it analytically), else ``()``."""
        return ("phase",) if "phase" in self.prior.sampled_names and "phase" not in self.parameters else ()

    @cached_property
    def alignment(self) -> TimeAlignment:
        a = self.config["model"]["alignment"]
        return TimeAlignment(tuple(self.simulator.ifos), float(a["common_window"]), float(a["relative_window"]))

    @cached_property
    def coordinates(self) -> FlowCoordinates:
        return FlowCoordinates(self.simulator, self.alignment, self.parameters, self.proposal)

    @property
    def flow_parameters(self) -> list[str]:
        return self.coordinates.names

    # -- densities of samples ----------------------------------------------------------
    def with_fixed(self, samples: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """``samples`` and every parameter the prior fixes, at its value."""
        n = len(next(iter(samples.values())))
        return {**samples, **{k: np.full(n, p.minimum) for k, p in self.prior.priors.items()
                              if p.kind == "fixed" and k not in samples}}

    def log_prior(self, samples: dict) -> np.ndarray:
        """ln prior of full parameter sets (marginalised parameters left out); -inf outside."""
        return self.prior.log_prob(samples, marginalized=self.marginalized)

    def prior_over_proposal(self, samples: dict, log_prior: np.ndarray) -> np.ndarray:
        """Weights prior / training proposal (largest 1; 0 outside the prior) that turn the
        flow's posterior under the proposal into the posterior under the prior."""
        with np.errstate(invalid="ignore"):
            log_r = np.where(np.isfinite(log_prior),
                             log_prior - self.proposal.log_prob(samples, marginalized=self.marginalized), -np.inf)
        return np.exp(log_r - log_r.max())

    # -- the event's data and the exact likelihood ----------------------------------------
    def whitened_data(self, strain_paths: list) -> dict[str, np.ndarray]:
        """Whitened in-band data of the analysis segment of each detector, from the strain
        files (which must hold the segment this model analyses)."""
        segments = strain_files.read_segments(strain_paths)
        sim = self.simulator
        missing = set(sim.ifos) - set(segments)
        if missing:
            raise ModelMismatchError(f"no strain for detector(s) {sorted(missing)} the model needs")
        expected = Span(sim.segment_start, sim.segment_start + sim.domain.duration)
        tolerance = 0.5 / sim.domain.sample_rate
        for ifo in sim.ifos:
            span = segments[ifo][0]
            if abs(span.start - expected.start) > tolerance or abs(span.end - expected.end) > tolerance:
                raise ModelMismatchError(f"{ifo} strain holds the segment GPS {span}; the model analyses {expected}")
        return sim.whiten_segment({ifo: segments[ifo][1] for ifo in sim.ifos})

    def release_settings(self) -> dict:
        """The analysis settings a posterior release records (PESummary ``meta_data``)."""
        d, sim = self.simulator.domain, self.simulator
        return {"approximant": sim.waveform.approximant, "f_ref": sim.waveform.reference_frequency,
                "f_low": d.f_min, "f_final": d.f_max, "sampling_frequency": d.sample_rate, "duration": d.duration,
                "trigger_time": sim.trigger_time, "segment_start": sim.segment_start,
                "tukey_roll_off": d.roll_off, "window_factor": d.window_factor}

    def release_psds(self) -> dict[str, np.ndarray]:
        """Per detector, the in-band (frequency, one-sided PSD) the analysis used."""
        d = self.simulator.domain
        return {ifo: np.column_stack([d.frequencies[d.mask], psd[d.mask]]) for ifo, psd in self.simulator.psds.items()}

    def likelihood(self, data: dict[str, np.ndarray]) -> GaussianLikelihood:
        """The exact likelihood of whitened ``data`` for this model's parameters (phase
        marginalised where the flow does not infer it)."""
        return GaussianLikelihood(self.simulator, data, marginalize_phase=bool(self.marginalized))

"""Simulation and training stages (rules/train.smk): the intrinsic waveforms, then the
neural posterior estimator."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from ..gw.priors import Prior
from ..gw.simulator import Simulator
from ..io import psd_files
from ..npe.analysis import ModelAnalysis, ModelMismatchError
from ..npe.dataset import WaveformDataset, generate_dataset
from ..runtime import rng as make_rng

log = logging.getLogger(__name__)


def generate_waveforms(psd: list, waveforms: str, event: str, trigger_time: float, config: dict,
                       threads: int = 1) -> WaveformDataset:
    """The intrinsic training waveforms, drawn from the training distribution, over a
    reduced basis."""
    sim = Simulator.from_settings(config["data"], config["waveform"], [psd_files.read(p) for p in psd],
                                  trigger_time)
    proposal = Prior(config["prior"], config["prior_constraints"]).replaced(config["training"]["proposal"])
    rng = make_rng(config["seed"], "generate_waveforms", event)
    dataset = generate_dataset(sim, proposal, config["waveform"]["n_waveforms"], config["waveform"]["svd_size"],
                               rng, threads, config)
    dataset.write(waveforms)
    return dataset


def _training_glitches(analysis: ModelAnalysis, config: dict, glitch_network: list | None, event: str, device):
    """The glitches of ``training.glitches`` for the training batches, or None when off."""
    settings = config["training"]["glitches"]
    if settings["rate"] <= 0:
        return None
    from ..glitches.sources import glitch_classes, glitch_maker
    from ..npe.training_glitches import TrainingGlitches

    make, window = glitch_maker(settings["source"], config, glitch_network[0] if glitch_network else None)
    classes = glitch_classes(settings["source"], settings["classes"], config)
    log.info("training with %s glitches of %s at %g per s per detector", settings["source"], ", ".join(classes),
             settings["rate"])
    return TrainingGlitches(analysis.simulator, make, window, classes, settings,
                            make_rng(config["seed"], "train_flow", event, "glitches"), device, settings["pool"])


def train_flow(waveforms: str, psd: list, model: str, network: str, loss: str, workdir: str, event: str,
               trigger_time: float, config: dict, glitch_network: list | None = None, threads: int = 1,
               progress: bool = True) -> dict:
    """Train the neural posterior estimator (resuming from ``workdir``'s checkpoint when the
    settings are unchanged); write the network and ``model.json``, which describes it. With
    ``training.glitches.rate`` > 0 its training data carry glitches (``glitch_network``: the
    trained GAN, when they come from it)."""
    import torch

    from ..core.devices import resolve_device
    from ..core.flows import PosteriorModel, save_network
    from ..core.training import config_hash, train
    from ..npe.training_data import TrainingData, data_basis, fit_standardisation

    torch.set_num_threads(max(1, threads))
    device = resolve_device(config["training"]["device"])
    analysis = ModelAnalysis.from_config(config, psd, trigger_time, event)
    dataset = WaveformDataset.read(waveforms)
    approximant = analysis.simulator.waveform.approximant
    if dataset.attrs["approximant"] != approximant:
        raise ModelMismatchError(f"{waveforms} holds {dataset.attrs['approximant']} waveforms, config asks "
                                 f"for {approximant}")
    data = TrainingData(analysis, dataset, device, _training_glitches(analysis, config, glitch_network, event, device))
    settings = dict(config["model"], n_ifos=len(analysis.simulator.ifos), n_bins=analysis.simulator.n_bins,
                    parameters=analysis.flow_parameters, n_proxies=analysis.alignment.n_context,
                    permutation_seed=config["seed"])
    torch.manual_seed(config["seed"])
    net = PosteriorModel(settings).to(device)
    rng = make_rng(config["seed"], "train_flow", event, "setup")
    basis, mm = data_basis(data, config["model"]["svd_size"], rng)
    net.basis.copy_(torch.as_tensor(basis, dtype=torch.complex64))
    fit_standardisation(net, data, rng)
    fingerprint = config_hash({**config, "flow_parameters": analysis.flow_parameters})
    t0 = time.time()
    result = train(net, data, config["training"], config["seed"], Path(workdir), Path(loss), fingerprint, progress)
    seconds = time.time() - t0
    n_params = sum(p.numel() for p in net.parameters())
    sha = save_network(net.cpu(), network)
    info = analysis.write(model, Path(network).name, sha, {
        "seconds": seconds, "final_validation_loss": result["history"][-1]["validation_loss"],
        "resumed_from_epoch": result["resumed_from"], "network_parameters": n_params,
        "data_basis_mismatch_max": float(np.max(mm)), "device": str(device)})
    log.info("trained %d-parameter model in %.0f s; final validation loss %.3f", n_params, seconds,
             info["training"]["final_validation_loss"])
    return info



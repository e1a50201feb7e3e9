"""Transient-noise stage (rules/glitches.smk): the GAN's training and held-out bursts, its
training, generation and evaluation. Glitches live in whitened data, so these run once for
all events, under ``results/glitches/``."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from ..glitches import families
from ..glitches.dataset import BurstSet, simulate
from ..io.glitch_files import read_generated, read_generated_parameters, write_generated
from ..runtime import rng, write_json

log = logging.getLogger(__name__)


def window_domain(config: dict):
    data = config["data"]
    return families.window_domain(float(config["glitches"]["window"]), float(data["sample_rate"]),
                                  float(data["frequency"]["f_min"]), float(data["frequency"]["f_max"]))


def prepare_bursts(training_set: str, heldout_set: str, config: dict, glitch_table: list | None = None) -> dict:
    """The GAN's training bursts and the held-out bursts it is evaluated on: drawn
    independently from the burst families (``glitches.source: simulated``), or real glitches
    cut from strain at the GPS times of ``glitch_table`` (``gwosc``), each label's rows split
    at random by ``glitches.gwosc.heldout_fraction``."""
    g = config["glitches"]
    domain = window_domain(config)
    if g["source"] == "gwosc":
        return _real_bursts(glitch_table[0], training_set, heldout_set, domain, config)
    sizes = {}
    for path, n, label in ((training_set, g["samples_per_class"], "training"),
                           (heldout_set, g["evaluation"]["samples_per_class"], "held-out")):
        bursts = simulate(g["classes"], g["ranges"], n, domain, rng(config["seed"], "simulate_bursts", label),
                          g["peak_jitter"])
        bursts.attrs.update({"source": g["source"], "set": label, "peak_jitter": g["peak_jitter"]})
        bursts.write(path)
        sizes[label] = len(bursts.labels)
    log.info("simulated %d training and %d held-out bursts of %s", sizes["training"], sizes["held-out"],
             ", ".join(g["classes"]))
    return sizes


def _real_bursts(table_path: str, training_set: str, heldout_set: str, domain, config: dict) -> dict:
    from ..glitches import real

    g = config["glitches"]
    table = real.read_table(table_path)
    unknown = sorted(set(table["label"]) - set(g["classes"]))
    if unknown:
        log.info("%s: rows labelled %s are not in glitches.classes; left out", table_path, ", ".join(unknown))
    table = table[table["label"].isin(g["classes"])].reset_index(drop=True)
    missing = [c for c in g["classes"] if not (table["label"] == c).any()]
    if missing:
        raise real.GlitchTableError(f"{table_path}: no glitch labelled {', '.join(missing)} (glitches.classes)")
    series, params = real.cut_all(table, config["data"], domain, g["gwosc"]["psd_duration"])
    labels = np.array([g["classes"].index(c) for c in table["label"]])
    generator = rng(config["seed"], "prepare_bursts", "split")
    held = np.zeros(len(table), bool)
    for i in range(len(g["classes"])):
        rows = np.flatnonzero(labels == i)
        n_held = max(1, int(round(g["gwosc"]["heldout_fraction"] * rows.size))) if rows.size > 1 else 0
        held[generator.choice(rows, n_held, replace=False)] = True
    sizes = {}
    for path, keep, label in ((training_set, ~held, "training"), (heldout_set, held, "held-out")):
        bursts = BurstSet(series[keep], labels[keep], tuple(g["classes"]), {k: v[keep] for k, v in params.items()},
                          domain, {"source": "gwosc", "set": label, "table": str(table_path),
                                   "detectors": sorted(set(table["detector"][keep]))})
        bursts.write(path)
        sizes[label] = int(keep.sum())
    log.info("cut %d training and %d held-out real glitches of %s from %s", sizes["training"], sizes["held-out"],
             ", ".join(g["classes"]), table_path)
    return sizes


def train_glitch_gan(training_set: str, network: str, losses: str, summary: str, workdir: str, config: dict,
                     threads: int = 1, progress: bool = True) -> dict:
    """Train the conditional GAN on the training bursts (resuming from ``workdir``'s
    checkpoint when the settings are unchanged) and write the generator."""
    import torch

    from ..core.devices import resolve_device
    from ..core.gan import ConditionalGAN, train_gan
    from ..core.training import config_hash
    from ..glitches.generator import ConditionEncoder, GlitchGenerator, reduce

    torch.set_num_threads(max(1, threads))
    g = config["glitches"]
    device = resolve_device(g["gan"]["device"])
    bursts = BurstSet.read(training_set)
    encoder = ConditionEncoder.from_settings(g)
    torch.manual_seed(config["seed"])
    gan = ConditionalGAN(GlitchGenerator.gan_settings(encoder, bursts.domain, g["gan"]))
    conditions = encoder.encode(bursts.labels, bursts.parameters)
    t0 = time.time()
    result = train_gan(gan, reduce(bursts.series, bursts.domain), conditions, g["gan"], config["seed"], Path(workdir),
                       Path(losses), config_hash(config), device, progress, exact=encoder.fixed(bursts.labels))
    seconds = time.time() - t0
    GlitchGenerator(gan.cpu(), encoder, bursts.domain).save(network)
    history = result["history"]
    info = {"seconds_this_run": seconds, "seconds_all_epochs": float(sum(r["seconds"] for r in history)),
            "epochs": len(history), "resumed_from_epoch": result["resumed_from"], "device": str(device),
            "threads": threads, "training_bursts": int(len(bursts.labels)),
            "generator_parameters": sum(p.numel() for p in gan.generator.parameters()),
            "critic_parameters": sum(p.numel() for p in gan.critic.parameters()),
            "final_wasserstein_estimate": history[-1]["wasserstein"]}
    write_json(summary, info)
    log.info("trained the glitch GAN in %.0f s (%d epochs)", info["seconds_all_epochs"], info["epochs"])
    return info


def generate_glitches(network: str, glitches: str, config: dict, threads: int = 1) -> dict:
    """``glitches.generated_per_class`` glitches of every class from the trained generator,
    with the parameters they were conditioned on, and the generation rate."""
    import torch

    from ..core.devices import resolve_device
    from ..glitches.generator import GlitchGenerator

    torch.set_num_threads(max(1, threads))
    gen = GlitchGenerator.load(network, resolve_device(config["glitches"]["gan"]["device"]))
    n = config["glitches"]["generated_per_class"]
    labels = np.repeat(np.arange(len(gen.encoder.classes)), n)
    seed = int(config["seed"])
    t0 = time.time()
    series, params = gen.generate(labels, rng(seed, "generate_glitches"))
    seconds = time.time() - t0
    write_generated(glitches, series, labels, families.optimal_snr(series, gen.domain), params,
                    {"classes": list(gen.encoder.classes), "seed": seed, "window": gen.domain.duration,
                     "sample_rate": gen.domain.sample_rate, "f_min": gen.domain.f_min, "f_max": gen.domain.f_max,
                     "normalisation": "unit optimal SNR in whitened data (gwda.glitches.families)",
                     "seconds": seconds, "glitches_per_second": len(labels) / seconds, "threads": threads,
                     "device": str(gen.gan.scale.device)})
    log.info("generated %d glitches in %.2f s (%.0f per second)", len(labels), seconds, len(labels) / seconds)
    return {"n": int(len(labels)), "glitches_per_second": len(labels) / seconds}


def evaluate_glitch_gan(training_set: str, heldout_set: str, glitches: str, losses: str, gan_summary: str,
                        metrics: str, grid_figure: str, parameters_figure: str, loss_figure: str, config: dict,
                        threads: int = 1) -> dict:
    """The metrics of :mod:`gwda.glitches.evaluation` and the stage's figures."""
    import json

    import torch

    from ..glitches import evaluation, features
    from ..plots import glitches as plots

    torch.set_num_threads(max(1, threads))
    train, held = BurstSet.read(training_set), BurstSet.read(heldout_set)
    fake, fake_y, attrs = read_generated(glitches)
    ev = config["glitches"]["evaluation"]
    t0 = time.time()
    real_features, fake_features = features.measure(held.series, held.domain), features.measure(fake, held.domain)
    result = evaluation.evaluate(held.classes, train.series, train.labels, held.series, held.labels, fake, fake_y,
                                 held.domain, ev["snr_in_noise"], ev["classifier_epochs"], int(config["seed"]),
                                 real_features, fake_features, real_parameters=held.parameters,
                                 fake_parameters=read_generated_parameters(glitches))
    with open(gan_summary) as fh:
        training = json.load(fh)
    result["cost"] = {"training_seconds": training["seconds_all_epochs"], "training_epochs": training["epochs"],
                      "training_device": training["device"], "training_threads": training["threads"],
                      "generation_glitches_per_second": float(attrs["glitches_per_second"]),
                      "generation_threads": int(attrs["threads"]), "evaluation_seconds": time.time() - t0}
    write_json(metrics, result)
    plots.real_vs_generated(held.series, held.labels, fake, fake_y, held.classes, held.domain, grid_figure)
    plots.parameter_histograms(real_features, fake_features, held.labels, fake_y, held.classes, evaluation.COMPARED,
                               result, parameters_figure)
    plots.gan_losses(losses, loss_figure)
    for cls, m in result["classes"].items():
        worst = min(p["ks_p"] for p in m["parameters"].values())
        log.info("%s: class accuracy %.3f (real %.3f), C2ST %.3f noise-free / %.3f in noise, worst KS p %.1e",
                 cls, m["class_accuracy_generated"], m["class_accuracy_real"], m["c2st_noise_free"],
                 m["c2st_in_noise"], worst)
    return result


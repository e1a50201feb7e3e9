"""Benchmark of the glitch GAN at the default configuration. Prints a table; asserts nothing.

* generation: glitches per second from a trained generator (default
  ``results/glitches/gan/network.pt``; an untrained one of the configured size with
  ``--untrained``), end to end (conditions drawn, network, unit-SNR bursts at the data rate),
  against the baseline of simulating the same classes directly from their formulas
  (:mod:`gwda.glitches.families`) in the same run;
* the same against gengli's pretrained blip generator, when installed;
* a training epoch of the configured GAN on simulated bursts (seconds, generator steps per
  second), so that a full training can be sized.

    python bench/glitch_gan.py [--network results/glitches/gan/network.pt] [--threads 2] [--n 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from gwda.config import validate_config
from gwda.core.gan import ConditionalGAN, train_gan
from gwda.glitches import families
from gwda.glitches.dataset import simulate
from gwda.glitches.generator import ConditionEncoder, GlitchGenerator, reduce
from gwda.io.layout import glitch_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--network", default=str(glitch_file("gan_network")))
    parser.add_argument("--untrained", action="store_true", help="time an untrained generator of the default size")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--n", type=int, default=20000, help="glitches generated (spread over the classes)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = validate_config({})
    g = config["glitches"]
    domain = families.window_domain(g["window"], config["data"]["sample_rate"], config["data"]["frequency"]["f_min"],
                                    config["data"]["frequency"]["f_max"])
    encoder = ConditionEncoder.from_settings(g)
    if args.untrained or not Path(args.network).exists():
        gan = ConditionalGAN(GlitchGenerator.gan_settings(encoder, domain, g["gan"]))
        generator, which = GlitchGenerator(gan, encoder, domain), "untrained, default size"
    else:
        generator, which = GlitchGenerator.load(args.network), args.network
    labels = np.arange(args.n) % len(encoder.classes)
    rng = np.random.default_rng(0)
    generator.generate(labels[:100], rng)                      # warm-up
    t0 = time.perf_counter()
    generator.generate(labels, rng)
    gan_rate = args.n / (time.perf_counter() - t0)
    per_class = {}
    for cls in encoder.classes:
        n = max(args.n // len(encoder.classes) // (20 if cls == "bbh" else 1), 10)
        t0 = time.perf_counter()
        families.draw(cls, n, g["ranges"][cls], domain, rng, g["peak_jitter"])
        per_class[cls] = n / (time.perf_counter() - t0)
    # the same mix of classes: the time per glitch is the mean of the classes' times
    sim_rate = 1 / np.mean([1 / r for r in per_class.values()])
    print(f"generator: {which}; {args.threads} threads; window {g['window']} s at {domain.sample_rate:.0f} Hz")
    print(f"GAN generation            {gan_rate:10.0f} glitches/s")
    print(f"direct simulation (mix)   {sim_rate:10.0f} glitches/s   GAN / simulation = {gan_rate / sim_rate:.2f}")
    for cls, r in per_class.items():
        print(f"  {cls:22s}  {r:10.0f} /s")
    try:
        from gwda.glitches import gengli_source

        gengli_source.blips(10, "L1", domain, seed=0)              # loads its weights
        n = 1000
        t0 = time.perf_counter()
        gengli_source.blips(n, "L1", domain, seed=1)
        rate = n / (time.perf_counter() - t0)
        print(f"gengli blips (pretrained)  {rate:10.0f} glitches/s   GAN / gengli = {gan_rate / rate:.0f}")
    except ImportError:
        print("gengli not installed (pip install -e '.[gengli]'): no comparison with its generator")

    bursts = simulate(g["classes"], g["ranges"], 400, domain, np.random.default_rng(1), g["peak_jitter"])
    gan = ConditionalGAN(GlitchGenerator.gan_settings(encoder, domain, g["gan"]))
    with tempfile.TemporaryDirectory() as tmp:
        result = train_gan(gan, reduce(bursts.series, domain), encoder.encode(bursts.labels, bursts.parameters),
                           {**g["gan"], "epochs": 2}, 0, Path(tmp), Path(tmp) / "losses.csv", "bench",
                           torch.device("cpu"), progress=False, exact=encoder.fixed(bursts.labels))
        seconds = result["history"][-1]["seconds"]           # the second epoch: no start-up costs
    steps = len(bursts.labels) // (g["gan"]["batch_size"] * g["gan"]["critic_steps"])
    full = seconds * g["samples_per_class"] / 400 * g["gan"]["epochs"]
    print(f"training: {steps} generator steps in {seconds:.1f} s ({steps / seconds:.1f} steps/s, "
          f"{g['gan']['critic_steps']} critic steps each); the default training "
          f"({g['gan']['epochs']} epochs of {g['samples_per_class']} per class) ≈ {full / 60:.1f} min")


if __name__ == "__main__":
    main()

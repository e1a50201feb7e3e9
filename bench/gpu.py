"""CUDA against the CPU on the torch stages, at the sizes of a config. Prints a table; asserts
nothing. Without CUDA it prints the CPU figures alone (and says so).

For each stage the same seeded network and inputs run on each device:

* flow training: optimiser steps of the neural posterior estimator (embedding + spline flow)
  on random features, samples per second; and the largest difference of log q between devices;
* flow sampling: posterior samples with log densities per second for one context;
* GAN: generator + critic steps (WGAN-GP, paired STFT loss) per second on simulated bursts,
  and generated glitches per second (network only);
* denoiser: Transformer training examples per second and inference windows per second, and
  the largest difference of its output between devices;
* the implied time of one full training of each at the config's sizes.

    python bench/gpu.py [--config config/full.yaml] [--steps 20] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from gwda.config import load_config
from gwda.core.flows import PosteriorModel
from gwda.core.gan import ConditionalGAN, gradient_penalty, stft_loss
from gwda.denoise.model import DenoisingTransformer
from gwda.glitches import families
from gwda.glitches.dataset import simulate
from gwda.glitches.generator import ConditionEncoder, GlitchGenerator, reduce

PARAMETERS = ["chirp_mass", "mass_ratio", "chi_1", "chi_2", "luminosity_distance", "theta_jn", "psi", "zenith",
              "azimuth", "time"]


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def timed(device, fn, repeat):
    fn()                                   # warm-up (kernels, allocator)
    sync(device)
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    sync(device)
    return (time.perf_counter() - t0) / repeat, out


def flow_stage(config, device, steps):
    m = config["model"]
    settings = {**{k: m[k] for k in ("svd_size", "embedding_hidden", "context_features", "flow_transforms",
                                      "flow_hidden", "flow_blocks", "flow_bins", "tail_bound", "dropout")},
                "n_ifos": 2, "n_bins": 16, "parameters": PARAMETERS, "n_proxies": 2}
    torch.manual_seed(0)
    model = PosteriorModel(settings).to(device)
    batch = config["training"]["batch_size"]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(batch, 4 * m["svd_size"] + 2, generator=g).to(device)
    theta = torch.randn(batch, len(PARAMETERS), generator=g).to(device)
    with torch.no_grad():
        reference = model.log_prob_standardised(theta, x).cpu()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        loss = -model.log_prob_standardised(theta, x).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds, _ = timed(device, step, steps)
    n_samples = 50_000
    sample_seconds, _ = timed(device, lambda: model.sample(n_samples, x[:1]), 2)
    return {"train": batch / seconds, "sample": n_samples / sample_seconds, "reference": reference,
            "epoch_seconds": seconds * config["waveform"]["n_waveforms"] / batch,
            "epochs": config["training"]["epochs"]}


def gan_stage(config, device, steps):
    g = config["glitches"]
    domain = families.window_domain(g["window"], config["data"]["sample_rate"], config["data"]["frequency"]["f_min"],
                                    config["data"]["frequency"]["f_max"])
    encoder = ConditionEncoder.from_settings(g)
    bursts = simulate(g["classes"], g["ranges"], 64, domain, np.random.default_rng(0), g["peak_jitter"])
    torch.manual_seed(0)
    gan = ConditionalGAN(GlitchGenerator.gan_settings(encoder, domain, g["gan"])).to(device)
    batch = g["gan"]["batch_size"]
    rows = np.arange(batch) % len(bursts.labels)
    real = torch.as_tensor(reduce(bursts.series[rows], domain), dtype=torch.float32, device=device) / 0.1
    cond = torch.as_tensor(encoder.encode(bursts.labels[rows], {k: v[rows] for k, v in bursts.parameters.items()}),
                           dtype=torch.float32, device=device)
    opt_g = torch.optim.Adam(gan.generator.parameters(), lr=1e-4, betas=(0.0, 0.9))
    opt_c = torch.optim.Adam(gan.critic.parameters(), lr=1e-4, betas=(0.0, 0.9))
    sizes = tuple(g["gan"]["stft_sizes"])

    def step():
        for _ in range(g["gan"]["critic_steps"]):
            z = torch.randn(batch, gan.generator.latent, device=device)
            fake = gan.fake(z, cond).detach()
            loss_c = gan.critic(fake, cond).mean() - gan.critic(real, cond).mean() \
                + 10 * gradient_penalty(gan.critic, real, fake, cond)
            opt_c.zero_grad()
            loss_c.backward()
            opt_c.step()
        fake = gan.fake(torch.randn(batch, gan.generator.latent, device=device), cond)
        loss_g = -gan.critic(fake, cond).mean() + g["gan"]["stft_loss"] * stft_loss(fake, real, sizes)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    seconds, _ = timed(device, step, steps)
    many = cond.repeat(4096 // batch + 1, 1)[:4096]
    gen_seconds, _ = timed(device, lambda: gan.generate(many.cpu().numpy(), None, 4096), 3)
    n_train = g["samples_per_class"] * len(g["classes"])
    return {"train": 1 / seconds, "generate": 4096 / gen_seconds,
            "epoch_seconds": seconds * n_train / batch, "epochs": g["gan"]["epochs"]}


def denoiser_stage(config, device, steps):
    d, data = config["denoiser"], config["data"]
    rate = 2 * data["frequency"]["f_max"] if data["sample_rate"] % (2 * data["frequency"]["f_max"]) == 0 \
        else data["sample_rate"]
    n = int(round(d["window"] * rate))
    torch.manual_seed(0)
    net = DenoisingTransformer({**d["network"], "n_detectors": 2, "n_samples": n,
                                "band": [int(data["frequency"]["f_min"] * d["window"]), n // 2]}).to(device)
    batch = d["training"]["batch_size"]
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(batch, 2, n, generator=gen).to(device), torch.randn(batch, 2, n, generator=gen).to(device)
    net.eval()
    with torch.no_grad():
        reference = net(x).cpu()
    net.train()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)

    def step():
        loss = ((net(x) - y) ** 2).sum(-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds, _ = timed(device, step, steps)
    net.eval()
    with torch.no_grad():
        infer, _ = timed(device, lambda: net(x), steps)
    return {"train": batch / seconds, "infer": batch / infer, "reference": reference,
            "epoch_seconds": seconds * d["training"]["examples_per_epoch"] / batch, "epochs": d["training"]["epochs"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of the CPU runs")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = load_config(args.config)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    if len(devices) == 1:
        print("no CUDA device: CPU figures only")
    else:
        print(f"CUDA: {torch.cuda.get_device_name(0)}; CPU: {args.threads} threads")
    results = {}
    for device in devices:
        results[device.type] = {"flow": flow_stage(config, device, args.steps),
                                "gan": gan_stage(config, device, max(3, args.steps // 4)),
                                "denoiser": denoiser_stage(config, device, args.steps)}
    rows = [("flow", "train", "samples/s"), ("flow", "sample", "samples/s"), ("gan", "train", "steps/s"),
            ("gan", "generate", "glitches/s"), ("denoiser", "train", "examples/s"), ("denoiser", "infer", "windows/s")]
    print(f"\nconfig {args.config}")
    print(f"{'stage':10s} {'what':9s} {'unit':11s} " + " ".join(f"{d:>12s}" for d in results)
          + ("   cuda/cpu" if "cuda" in results else ""))
    for stage, what, unit in rows:
        values = [results[d][stage][what] for d in results]
        ratio = f"   {values[1] / values[0]:8.1f}x" if len(values) > 1 else ""
        print(f"{stage:10s} {what:9s} {unit:11s} " + " ".join(f"{v:12.1f}" for v in values) + ratio)
    print("\nimplied full training (epochs × epoch time at the measured step rate):")
    for stage in ("flow", "gan", "denoiser"):
        text = ", ".join(f"{d} {results[d][stage]['epochs'] * results[d][stage]['epoch_seconds'] / 60:.1f} min"
                         for d in results)
        print(f"  {stage:9s} {text}")
    if "cuda" in results:
        for stage in ("flow", "denoiser"):
            diff = (results["cuda"][stage]["reference"] - results["cpu"][stage]["reference"]).abs().max().item()
            print(f"largest |CUDA - CPU| of the untrained {stage}'s output on the same input: {diff:.2e}")


if __name__ == "__main__":
    main()

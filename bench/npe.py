"""Benchmarks of the NPE stages at the default (quick) configuration. Prints a table; asserts
nothing. Each figure is measured here, on this machine:

* waveform generation: gwda's parallel generator vs the raw PyCBC call (one core) × cores;
* training throughput: simulated samples per second through data pipeline + optimiser step;
* the matched filter that sets the event's time proxies, over the training waveforms;
* 50 000 posterior samples with log densities from the flow (physical parameters);
* exact-likelihood evaluations per second (importance sampling), and the implied time for
  50 000 samples on the given number of processes;
* peak resident memory of the process.

    python bench/npe.py [--threads 2] [--is-samples 5000]
"""

from __future__ import annotations

import argparse
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch
from gwda.config import validate_config
from gwda.core.flows import PosteriorModel
from gwda.core.reduced_basis import reduced_basis
from gwda.gw.conversions import component_masses
from gwda.gw.domain import FrequencyDomain
from gwda.gw.matched_filter import find_trigger
from gwda.gw.simulator import Simulator
from gwda.gw.waveforms import WaveformSettings, draw_and_generate, intrinsic_names
from gwda.io.synthetic import analytic_psd
from gwda.npe.dataset import WaveformDataset
from gwda.npe.model import TrainedModel
from gwda.npe.training_data import TrainingData, fit_standardisation

TRIGGER = 1126259462.4


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_pycbc(calls, n):
    """n plain PyCBC waveform calls (the baseline of the generation throughput)."""
    from pycbc.waveform import get_fd_waveform

    approximant, m1, m2, chi_1, chi_2, delta_f, f_min, f_max = calls
    for i in range(n):
        get_fd_waveform(approximant=approximant, mass1=m1[i], mass2=m2[i], spin1z=chi_1[i], spin2z=chi_2[i],
                        distance=1.0, delta_f=delta_f, f_lower=f_min, f_final=f_max)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--waveforms", type=int, default=20000)
    parser.add_argument("--is-samples", type=int, default=5000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = validate_config({})
    domain = FrequencyDomain.from_settings(config["data"])
    psd = analytic_psd(domain.frequencies)
    settings = WaveformSettings.from_settings(config["waveform"])
    sim = Simulator(domain, {"H1": psd, "L1": psd}, TRIGGER, TRIGGER - 2, settings)
    # The default model's analysis on this simulator (its network is untrained: speed only).
    npe = TrainedModel(config, sim, "bench")
    prior = npe.prior
    rows = []
    rng = np.random.default_rng(0)

    draw = prior.sample(rng, 2000)
    m1, m2 = component_masses(draw["chirp_mass"], draw["mass_ratio"])
    calls = (settings.approximant, m1, m2, draw["chi_1"], draw["chi_2"], domain.delta_f, domain.f_min, domain.f_max)
    raw_pycbc(calls, 20)                                   # first calls load LAL's tables
    t0 = time.perf_counter()
    raw_pycbc(calls, 2000)
    raw = 2000 / (time.perf_counter() - t0)
    # The same calls in `threads` processes at once: what these cores give in parallel.
    with ProcessPoolExecutor(args.threads) as pool:
        list(pool.map(raw_pycbc, [calls] * args.threads, [20] * args.threads))
        t0 = time.perf_counter()
        list(pool.map(raw_pycbc, [calls] * args.threads, [2000] * args.threads))
        raw_parallel = 2000 * args.threads / (time.perf_counter() - t0)
    names = intrinsic_names(settings, prior.names)
    params, hp, _, _ = draw_and_generate(prior, names, 1000, settings, domain, rng, args.threads)
    w = sim.whitening["H1"]
    white = hp * w
    basis = reduced_basis(white / np.linalg.norm(white, axis=1, keepdims=True), 100)
    t0 = time.perf_counter()
    more, coeff, _, _ = draw_and_generate(prior, names, args.waveforms, settings, domain, rng, args.threads,
                                          basis=basis, weight=w)
    ours = args.waveforms / (time.perf_counter() - t0)
    params = more
    rows.append(("raw PyCBC waveforms/s (1 core)", f"{raw:.0f}"))
    rows.append((f"raw PyCBC waveforms/s ({args.threads} processes at once)", f"{raw_parallel:.0f}"))
    rows.append((f"gwda waveforms/s ({args.threads} processes, into the basis)", f"{ours:.0f}"))
    rows.append(("  fraction of raw x cores", f"{ours / (raw * args.threads):.2f}"))
    rows.append(("  fraction of raw in parallel", f"{ours / raw_parallel:.2f}"))

    data = TrainingData(npe, WaveformDataset(params, coeff, basis.T / w), torch.device("cpu"))
    model = PosteriorModel(dict(config["model"], n_ifos=2, n_bins=sim.n_bins, parameters=npe.flow_parameters,
                                n_proxies=npe.alignment.n_context))
    _, sig, _ = data.simulate(rng.integers(0, args.waveforms, 500), rng)
    stack = torch.cat([sig["H1"], sig["L1"]]).numpy()
    model.basis.copy_(torch.as_tensor(reduced_basis(stack / np.linalg.norm(stack, axis=1, keepdims=True),
                                                    config["model"]["svd_size"]), dtype=torch.complex64))
    fit_standardisation(model, data, rng)
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    bs = config["training"]["batch_size"]
    t_data = t_step = 0.0
    for _ in range(8):
        t0 = time.perf_counter()
        theta, x = data.batch(model, rng.integers(0, args.waveforms, bs), rng)
        t1 = time.perf_counter()
        loss = -model.log_prob_standardised(theta, x).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        t_data += t1 - t0
        t_step += time.perf_counter() - t1
    rows.append((f"training samples/s (batch {bs})", f"{8 * bs / (t_data + t_step):.0f}"))
    rows.append(("  of which data simulation", f"{t_data / (t_data + t_step):.0%}"))
    rows.append(("  network parameters", f"{sum(p.numel() for p in model.parameters()):,}"))

    full = prior.sample(rng, args.is_samples)
    full["geocent_time"] = rng.uniform(-0.01, 0.01, args.is_samples)
    truth = {k: v[:1] for k, v in full.items()}
    noisy = {ifo: s[0] + n[0] for (ifo, s), n in zip(sim.signal(truth).items(), sim.noise(1, rng).values())}
    t0 = time.perf_counter()
    find_trigger(sim, noisy, params, coeff, basis.T / w)
    rows.append((f"matched filter over {args.waveforms} training waveforms [s]", f"{time.perf_counter() - t0:.2f}"))

    npe.network = model.eval()
    t0 = time.perf_counter()
    npe.sample(noisy, {k: float(v[0]) for k, v in sim.arrival_times(truth).items()}, 50000)
    rows.append(("50 000 flow samples + log q (physical parameters) [s]", f"{time.perf_counter() - t0:.2f}"))

    t0 = time.perf_counter()
    npe.likelihood(noisy).evaluate(full, threads=args.threads)
    dt = time.perf_counter() - t0
    rows.append((f"likelihoods/s ({args.threads} processes, phase-marginalised)", f"{args.is_samples / dt:.0f}"))
    rows.append(("  ms per likelihood per core", f"{1000 * dt * args.threads / args.is_samples:.2f}"))
    rows.append(("  implied IS time for 50 000 [s]", f"{50000 * dt / args.is_samples:.1f}"))
    rows.append(("peak resident memory [MiB]", f"{peak_mib():.0f}"))
    print(f"NPE benchmarks, default config ({settings.approximant}, {domain.duration:g} s, "
          f"{domain.f_min:g}-{domain.f_max:g} Hz), {args.threads} threads")
    for label, value in rows:
        print(f"{label:<52}{value:>12}")


if __name__ == "__main__":
    main()

"""The NPE stages: waveforms -> trained flow -> event posterior -> importance sampling.
One function per rule; the physics lives in simulator/waveforms, the ML in flows/training."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import h5py
import numpy as np
import torch

from . import importance
from .compare import interval
from .conversions import chi_eff, component_masses, redshift_from_distance
from .coordinates import FlowCoordinates
from .event_analysis import (ModelMismatchError, check_model_matches, data_fingerprint, event_data,
                             inferred_parameters, make_alignment, make_prior, make_simulator, model_config,
                             phase_marginalized, training_prior, waveform_settings, with_fixed)
from .flows import PosteriorModel, load_model, resolve_device, save_model
from .matched_filter import Trigger, find_trigger
from .parallel import map_chunks
from .priors import Prior
from .runtime import atomic_output, write_json
from .runtime import rng as make_rng
from .samples import to_structured
from .simulator import Simulator
from .training import TrainingData, config_hash, fit_standardisation, train
from .waveforms import (draw_and_generate, intrinsic_names, mismatch,
                        reduced_basis)

log = logging.getLogger(__name__)


# -- generate_waveforms ----------------------------------------------------------------

def generate_waveforms(psd_paths: list, output: Path | str, event: str, trigger_time: float,
                       config: dict, threads: int = 1) -> dict:
    sim = make_simulator(psd_paths, trigger_time, config)
    settings, prior = waveform_settings(config), training_prior(config)
    names = intrinsic_names(settings, prior.names)
    n = config["waveform"]["n_waveforms"]
    rng = make_rng(config["seed"], "generate_waveforms", event)
    weight = np.mean([sim.whitening[i] for i in sim.ifos], axis=0)   # mean whitening of the detectors
    t0 = time.time()
    # 1. A first set of full waveforms: the reduced basis is built from most of it (normalised,
    #    whitened) and its reconstruction mismatch measured on the rest.
    n_test = min(500, n // 5)
    n_svd = min(2000, n - n_test)
    params, hp, hc, n_failed = draw_and_generate(prior, names, n_svd + n_test, settings, sim.domain,
                                                 rng, threads)
    stack = hp[:n_svd] if settings.separable else np.concatenate([hp[:n_svd], hc[:n_svd]])
    white = stack * weight
    basis = reduced_basis(white / np.linalg.norm(white, axis=1, keepdims=True), config["waveform"]["svd_size"])
    coeff = np.stack([(h * weight) @ basis.conj() for h in ([hp] if settings.separable else [hp, hc])], axis=1)
    test = slice(n_svd, n_svd + n_test)
    mm = mismatch((coeff[test, 0] @ basis.T), hp[test] * weight)
    # 2. The rest straight into the basis (workers return coefficients only).
    if n > n_svd + n_test:
        more, cp, cc, failed_more = draw_and_generate(prior, names, n - n_svd - n_test, settings, sim.domain,
                                                      rng, threads, basis=basis, weight=weight)
        more_coeff = np.stack([cp] if settings.separable else [cp, cc], axis=1)
        params = {k: np.concatenate([params[k], more[k]]) for k in params}
        coeff = np.concatenate([coeff, more_coeff])
        n_failed += failed_more
    seconds = time.time() - t0
    log.info("%d %s waveforms in %.1f s on %d threads (%d failed and redrawn)", n,
             settings.approximant, seconds, threads, n_failed)
    log.info("reduced basis of %d elements: mismatch median %.2e, max %.2e", basis.shape[1],
             np.median(mm), mm.max())
    recon = basis.T / weight                       # coefficients @ recon = waveform
    with atomic_output(output) as tmp, h5py.File(tmp, "w") as fh:
        for k, v in params.items():
            fh[f"parameters/{k}"] = v
        fh["coefficients"] = (coeff[:, 0] if settings.separable else coeff).astype(np.complex64)
        fh["basis"] = recon
        fh.attrs.update({"approximant": settings.approximant, "separable": settings.separable,
                         "reference_frequency": settings.reference_frequency, "distance_mpc": 1.0,
                         "n_failed": n_failed, "seconds": seconds, "threads": threads,
                         "mismatch_median": float(np.median(mm)), "mismatch_max": float(mm.max()),
                         "config": json.dumps(config)})
    return {"seconds": seconds, "n_failed": n_failed, "mismatch_max": float(mm.max())}


def read_waveforms(path: Path | str, n: int | None = None):
    """Parameters, basis coefficients, basis and attrs of the (first ``n``) stored waveforms."""
    rows = slice(n)
    with h5py.File(path, "r") as fh:
        params = {k: fh[f"parameters/{k}"][rows] for k in fh["parameters"]}
        return params, fh["coefficients"][rows], fh["basis"][()], dict(fh.attrs)


# -- train_flow -----------------------------------------------------------------------

def train_flow(waveform_path, psd_paths: list, model_path, loss_csv, workdir, event: str,
               trigger_time: float, config: dict, threads: int = 1, progress: bool = True) -> dict:
    torch.set_num_threads(max(1, threads))
    device = resolve_device(config["training"]["device"])
    sim = make_simulator(psd_paths, trigger_time, config)
    prior, settings = training_prior(config), waveform_settings(config)
    parameters = inferred_parameters(config)
    params, coeff, recon, attrs = read_waveforms(waveform_path)
    if attrs["approximant"] != settings.approximant:
        raise ModelMismatchError(f"{waveform_path} holds {attrs['approximant']} waveforms, config asks "
                                 f"for {settings.approximant}")
    coordinates = FlowCoordinates(sim, make_alignment(config, sim.ifos), parameters, prior)
    data = TrainingData(sim, prior, params, coeff, recon, device, settings.separable, coordinates)
    model_settings = dict(config["model"], n_ifos=len(sim.ifos), n_bins=sim.n_bins, parameters=coordinates.names,
                          n_proxies=coordinates.alignment.n_context, permutation_seed=config["seed"])
    torch.manual_seed(config["seed"])
    model = PosteriorModel(model_settings).to(device)
    rng = make_rng(config["seed"], "train_flow", event, "setup")
    # Reduced basis of whitened, aligned detector signals: the embedding's fixed first layer.
    _, white, _ = data.simulate(rng.integers(0, data.n_waveforms, 1000), rng)
    stack = torch.cat([white[i] for i in sim.ifos]).cpu().numpy()
    stack /= np.linalg.norm(stack, axis=1, keepdims=True)
    basis = reduced_basis(stack[: stack.shape[0] * 4 // 5], config["model"]["svd_size"])
    held = stack[stack.shape[0] * 4 // 5:]
    mm = mismatch((held @ basis.conj()) @ basis.T, held)
    log.info("data basis of %d elements: mismatch median %.2e, max %.2e", basis.shape[1], np.median(mm), mm.max())
    model.basis.copy_(torch.as_tensor(basis, dtype=torch.complex64))
    fit_standardisation(model, data, rng)
    fingerprint = config_hash({**{k: config[k] for k in ("seed", "data", "prior", "prior_constraints",
                                                          "waveform", "model", "training")},
                               "flow_parameters": coordinates.names})
    t0 = time.time()
    result = train(model, data, config["training"], config["seed"], Path(workdir), Path(loss_csv),
                   fingerprint, progress)
    seconds = time.time() - t0
    n_params = sum(p.numel() for p in model.parameters())
    metadata = {"event": event, "data": data_fingerprint(sim), "prior": config["prior"],
                "prior_constraints": config["prior_constraints"], "waveform": config["waveform"],
                "parameters": parameters, "config": config, "training_seconds": seconds,
                "final_validation_loss": result["history"][-1]["validation_loss"],
                "resumed_from_epoch": result["resumed_from"], "network_parameters": n_params,
                "data_basis_mismatch_max": float(mm.max()), "device": str(device)}
    save_model(model.cpu(), model_path, metadata)
    log.info("trained %d-parameter model in %.0f s; final validation loss %.3f", n_params, seconds,
             metadata["final_validation_loss"])
    return metadata


# -- sample_posterior -------------------------------------------------------------------

def event_trigger(sim: Simulator, data: dict, waveform_path, n_templates: int) -> Trigger:
    """Matched-filter arrival times of the event over (up to ``n_templates`` of) the
    training waveforms, which are drawn from the prior."""
    params, coeff, recon, _ = read_waveforms(waveform_path, n_templates)
    if coeff.ndim == 3:                      # precessing models: the h+ of each waveform
        coeff = coeff[:, 0]
    return find_trigger(sim, data, params, coeff, recon)


def flow_coordinates(model: PosteriorModel, sim, alignment, mconfig: dict, metadata: dict,
                     model_path) -> FlowCoordinates:
    """The flow coordinates of a trained model, checked against the ones it was trained in."""
    coordinates = FlowCoordinates(sim, alignment, metadata["parameters"], training_prior(mconfig))
    if list(model.parameters_inferred) != coordinates.names:
        raise ModelMismatchError(f"{model_path} was trained in the flow coordinates {model.parameters_inferred}; "
                                 f"this version uses {coordinates.names}: train it again")
    return coordinates


def posterior_samples(model: PosteriorModel, coordinates: FlowCoordinates, data: dict, proxies: dict,
                      n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """n flow samples (physical parameters) and their log densities for whitened ``data``
    aligned on ``proxies`` (per detector, s relative to the trigger)."""
    sim, device = coordinates.sim, model.basis.device
    aligned = sim.align_data(data, proxies)
    x = torch.as_tensor(np.stack([aligned[i] for i in sim.ifos])[None], device=device)
    context = torch.as_tensor(coordinates.alignment.context(proxies)[None], device=device)
    samples, log_q = model.sample(n, model.project(x, context))
    flow = {name: samples[:, i].cpu().numpy().astype(float) for i, name in enumerate(model.parameters_inferred)}
    # Seeded from torch's stream, so the caller's torch seed fixes all the samples.
    rng = np.random.default_rng(int(torch.randint(2**62, (), device="cpu")))
    params, log_jacobian = coordinates.from_flow(flow, proxies, rng)
    return params, log_q.cpu().numpy().astype(float) + log_jacobian


def recentre_proxies(model: PosteriorModel, coordinates: FlowCoordinates, data: dict, proxies: dict,
                     iterations: int, n: int = 5000) -> dict[str, float]:
    """Move the proxies to the posterior medians of the arrival times (and of their
    differences from the reference detector's), ``iterations`` times: the matched filter
    places them within a few ms, and the windows then sit centred on the posterior."""
    ref = coordinates.alignment.reference
    for i in range(iterations):
        params, _ = posterior_samples(model, coordinates, data, proxies, n)
        arrival = coordinates.sim.arrival_times(params)
        centre = float(np.median(arrival[ref]))
        new = {ifo: centre + (float(np.median(t - arrival[ref])) if ifo != ref else 0.0) for ifo, t in arrival.items()}
        log.info("proxies, iteration %d: %s ms (moved by %s ms)", i + 1,
                 ", ".join(f"{k} {1e3 * v:.2f}" for k, v in new.items()),
                 ", ".join(f"{k} {1e3 * (new[k] - proxies[k]):+.2f}" for k in new))
        proxies = new
    return proxies


def sample_posterior(model_path, waveform_path, strain_paths: list, psd_paths: list, output, event: str,
                     trigger_time: float, config: dict, threads: int = 1) -> dict:
    torch.set_num_threads(max(1, threads))
    device = resolve_device(config["training"]["device"])
    model, metadata = load_model(model_path, device)
    mconfig = model_config(config, metadata)
    sim = make_simulator(psd_paths, trigger_time, mconfig)
    check_model_matches(metadata, sim, model_path)
    data = event_data(strain_paths, sim)
    alignment = make_alignment(mconfig, sim.ifos)
    t0 = time.time()
    trigger = event_trigger(sim, data, waveform_path, config["inference"]["trigger_templates"])
    torch.manual_seed(config["seed"])
    coordinates = flow_coordinates(model, sim, alignment, mconfig, metadata, model_path)
    proxies = recentre_proxies(model, coordinates, data, trigger.times, config["inference"]["proxy_iterations"])
    trigger_seconds = time.time() - t0
    t0 = time.time()
    params, log_q = posterior_samples(model, coordinates, data, proxies, config["inference"]["n_samples"])
    seconds = time.time() - t0
    log.info("%d samples with log densities in %.2f s on %s", log_q.size, seconds, device)
    write_samples(output, {n: params[n] for n in metadata["parameters"]}, {"log_proposal": log_q},
                  {"sampling_seconds": seconds, "trigger_seconds": trigger_seconds, "model": str(model_path),
                   "event": event, "proxies": json.dumps(proxies), "trigger_times": json.dumps(trigger.times),
                   "trigger_snr": json.dumps(trigger.snr),
                   "trigger_template": json.dumps(trigger.template), "config": json.dumps(config)})
    return {"seconds": seconds, "trigger": trigger}


def write_samples(path, params: dict, extra: dict, attrs: dict) -> None:
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        fh["samples"] = to_structured({**params, **extra})
        fh.attrs.update(attrs)


# -- importance_sample ----------------------------------------------------------------

def _likelihood_chunk(args):
    params, sim, data, marginalize = args
    if marginalize:
        return sim.phase_marginalized_log_likelihood(params, data)
    return sim.log_likelihood(params, data), None


def exact_log_likelihood(sim: Simulator, params: dict, data: dict, marginalize_phase: bool,
                         threads: int = 1, chunk: int = 500):
    results = map_chunks(_likelihood_chunk, params, (sim, data, marginalize_phase), threads, chunk)
    lnl = np.concatenate([r[0] for r in results])
    w = np.concatenate([r[1] for r in results]) if marginalize_phase else None
    return lnl, w


def add_derived(samples: dict) -> dict:
    out = dict(samples)
    m1, m2 = component_masses(samples["chirp_mass"], samples["mass_ratio"])
    out.update(mass_1=m1, mass_2=m2, total_mass=m1 + m2)
    if "chi_1" in samples:
        out["chi_eff"] = chi_eff(m1, m2, samples["chi_1"], samples["chi_2"])
    elif "a_1" in samples:
        out["chi_eff"] = chi_eff(m1, m2, samples["a_1"] * np.cos(samples["tilt_1"]),
                                 samples["a_2"] * np.cos(samples["tilt_2"]))
    z = redshift_from_distance(samples["luminosity_distance"])
    out.update(redshift=z, mass_1_source=m1 / (1 + z), mass_2_source=m2 / (1 + z),
               chirp_mass_source=samples["chirp_mass"] / (1 + z))
    return out


def summarise(samples: dict, prior: Prior, boundary_fraction: float) -> dict:
    out = {}
    for name, values in samples.items():
        if name in ("log_prior", "log_likelihood", "log_proposal", "weights"):
            continue
        iv = interval(values)
        entry = {"median": iv["median"], "lower_90": iv["lower"], "upper_90": iv["upper"]}
        if name in prior.priors and prior.priors[name].kind != "fixed":
            lo, hi = prior.bounds(name)
            edge = 0.01 * (hi - lo)
            frac = max(np.mean(values < lo + edge), np.mean(values > hi - edge))
            entry["at_prior_bound"] = bool(frac > boundary_fraction and name not in ("phase", "psi", "ra"))
        out[name] = entry
    return out


def importance_sample(samples_path, strain_paths: list, psd_paths: list, model_path, posterior_path,
                      summary_path, event: str, trigger_time: float, config: dict, threads: int = 1) -> dict:
    _, metadata = load_model(model_path, "cpu")
    mconfig = model_config(config, metadata)
    sim = make_simulator(psd_paths, trigger_time, mconfig)
    check_model_matches(metadata, sim, model_path)
    data = event_data(strain_paths, sim)
    prior = make_prior(mconfig)
    with h5py.File(samples_path, "r") as fh:
        raw = fh["samples"][()]
        sampling_seconds = float(fh.attrs["sampling_seconds"])
        proxies = json.loads(fh.attrs["proxies"])
    names = metadata["parameters"]
    log_q = raw["log_proposal"]
    marginalized = phase_marginalized(prior, names)
    marginalize = bool(marginalized)
    full = with_fixed(prior, {n: raw[n] for n in names})
    log_prior = prior.log_prob(full, marginalized=marginalized)
    rng = make_rng(config["seed"], "importance_sample", event)
    # Flow samples outside the prior's support have zero posterior density: the NPE group
    # leaves them out (and says how many there were); importance sampling gives them weight 0.
    ok = np.isfinite(log_prior) & np.isfinite(log_q)
    result = {"sampling_seconds": sampling_seconds, "npe_fraction_outside_prior": float(1 - ok.mean())}
    npe = {k: v[ok] for k, v in full.items()}
    npe["log_proposal"] = log_q[ok]
    if mconfig["training"]["proposal"]:
        # The flow estimates the posterior under the training proposal: reweight to the prior.
        log_r = log_prior[ok] - training_prior(mconfig).log_prob(npe, marginalized=marginalized)
        r = np.exp(log_r - log_r.max())
        idx = importance.resample(r / r.sum(), rng)
        result["npe_proposal_reweighting_efficiency"] = float(idx.size / r.size)
        npe = {k: v[idx] for k, v in npe.items()}
    if marginalize:
        npe["phase"] = rng.uniform(0, 2 * np.pi, npe["log_proposal"].size)   # NPE has no phase: prior draw
    groups = {"NPE": add_derived(npe)}
    if config["inference"]["importance_sampling"]:
        lnl = np.full(log_q.size, -np.inf)
        w_over = np.zeros(log_q.size, dtype=complex)
        t0 = time.time()
        sub = {k: v[ok] for k, v in full.items()}
        lnl_ok, w_ok = exact_log_likelihood(sim, sub, data, marginalize, threads)
        lnl[ok] = lnl_ok
        if marginalize:
            w_over[ok] = w_ok
        is_seconds = time.time() - t0
        ev = importance.weights_and_evidence(lnl, log_prior, log_q)
        noise_lnl = sim.noise_log_likelihood(data)
        log.info("importance sampling of %d samples in %.1f s: efficiency %.2f %%, ESS %.0f, ln Z = %.2f ± %.2f",
                 log_q.size, is_seconds, 100 * ev["sample_efficiency"], ev["effective_sample_size"],
                 ev["log_evidence"], ev["log_evidence_error"])
        weighted = dict(full, log_prior=log_prior, log_likelihood=lnl, log_proposal=log_q, weights=ev["weights"])
        idx = importance.resample(ev["weights"], rng)
        resampled = {k: v[idx] for k, v in weighted.items() if k != "weights"}
        if marginalize:
            resampled["phase"] = importance.sample_phase(w_over[idx], rng)
        groups["NPE-IS"] = add_derived(resampled)
        weighted_samples = weighted
        result.update({k: ev[k] for k in ("sample_efficiency", "effective_sample_size", "log_evidence",
                                          "log_evidence_error", "n_samples")},
                      log_noise_evidence=noise_lnl, log_bayes_factor=ev["log_evidence"] - noise_lnl,
                      importance_sampling_seconds=is_seconds, threads=threads,
                      n_prior_support=int(ok.sum()))
    else:
        weighted_samples = None
    write_posterior(posterior_path, groups, weighted_samples, result, mconfig)
    summary = {"event": event, "analyses": {g: summarise(s, prior, config["inference"]["boundary_fraction"])
                                            for g, s in groups.items()},
               **result, "training_seconds": metadata["training_seconds"],
               "final_validation_loss": metadata["final_validation_loss"]}
    flagged = sorted({name for a in summary["analyses"].values() for name, e in a.items()
                      if e.get("at_prior_bound")})
    summary["parameters_at_prior_bound"] = flagged
    if flagged:
        log.warning("posterior piles against the prior bound of %s: the event may lie outside the "
                    "training prior", ", ".join(flagged))
    alignment = make_alignment(mconfig, sim.ifos)
    summary["time_proxies"] = proxies
    summary["alignment_window_edge_fraction"] = {
        g: alignment.window_fractions(sim.arrival_times(s), proxies) for g, s in groups.items()}
    cut = sorted({ifo for fractions in summary["alignment_window_edge_fraction"].values()
                  for ifo, f in fractions.items() if f > config["inference"]["boundary_fraction"]})
    summary["alignment_window_cut"] = cut
    if cut:
        log.warning("posterior arrival times pile against the alignment window of %s: the matched-filter "
                    "proxies may be off; the posterior is cut there", ", ".join(cut))
    write_json(summary_path, summary)
    return summary


def write_posterior(path, groups: dict, weighted: dict | None, attrs: dict, config: dict) -> None:
    """LVK-release-like layout: one group per analysis with an unweighted structured
    ``posterior_samples``; NPE-IS also keeps every flow sample with its ``weights``."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as fh:
        for name, columns in groups.items():
            g = fh.create_group(name)
            g["posterior_samples"] = to_structured(columns)
            if name == "NPE-IS":
                g["weighted_samples"] = to_structured(weighted)
                g.attrs.update({k: v for k, v in attrs.items() if not isinstance(v, (list, dict))})
        fh.attrs["config"] = json.dumps(config)
        fh.attrs.update({k: v for k, v in attrs.items() if not isinstance(v, (list, dict))})

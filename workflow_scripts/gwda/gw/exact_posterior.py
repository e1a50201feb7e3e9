"""The exact posterior of an analysis's inputs by nested sampling (bilby + dynesty), reweighted
to this project's exact likelihood: the reference NPE and NPE-IS are judged against.

bilby gets the inputs of :mod:`gwda.gw.bilby_interface`. With a fiducial point, dynesty samples
bilby's relative-binning likelihood around it (with the distance marginalised if asked); each
posterior sample is then reweighted by exact / relative-binning likelihood (the efficiency of
that step and the evidence correction are reported) and the unweighted set is drawn by
rejection, so the result is the exact-likelihood posterior whatever the fiducial point. Without
one the weights are one.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ..core import importance
from .bilby_interface import bilby_likelihood, log_likelihood_ratios
from .likelihood import GaussianLikelihood
from .priors import Prior
from .simulator import Simulator

#: Derived columns kept in the reference posterior (besides the sampled parameters).
DERIVED = ["luminosity_distance", "phase", "mass_1", "mass_2", "chi_eff", "redshift", "mass_1_source",
           "mass_2_source", "chirp_mass_source", "H1_optimal_snr", "L1_optimal_snr", "V1_optimal_snr"]


def sample_exact_posterior(sim: Simulator, series: dict[str, np.ndarray], prior: Prior, settings: dict,
                           fiducial: dict | None, outdir: Path, label: str, seed: int, rng: np.random.Generator,
                           threads: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    """Posterior samples (``geocent_time`` relative to the trigger, ``log_likelihood`` the exact
    phase-marginalised ln L relative to the noise) and what the run gives besides: ln Z ± σ,
    ln B, the reweighting, likelihood calls, wall times. ``settings``: ``validation.bilby``;
    dynesty checkpoints into ``outdir`` and resumes from it; ``rng`` draws the rejection step."""
    import bilby

    trigger_time = sim.trigger_time
    in_band = {ifo: sim.domain.segment_in_band(series[ifo]) for ifo in sim.ifos}
    t0 = time.time()
    likelihood, priors = bilby_likelihood(sim, in_band, prior, fiducial, settings["epsilon"],
                                          settings["marginalize_distance"], str(outdir / "distance_table.npz"))
    result = bilby.run_sampler(
        likelihood, priors, sampler="dynesty", nlive=settings["nlive"], dlogz=settings["dlogz"],
        naccept=settings["naccept"], sample="acceptance-walk", npool=max(1, threads), outdir=str(outdir),
        label=label, seed=seed, save=False, plot=False, check_point=True, check_point_delta_t=600,
        check_point_plot=False, resume=True, conversion_function=bilby.gw.conversion.generate_all_bbh_parameters)
    seconds = time.time() - t0
    samples = result.posterior
    kept = prior.sampled_names + DERIVED
    columns = {k: np.asarray(samples[k], float) for k in samples.columns if k in kept}
    # reweight to the exact likelihood (this project's, shown equal to bilby's by the tests)
    t1 = time.time()
    exact = GaussianLikelihood(sim, sim.whiten_segment(series), marginalize_phase=True)
    sampled = [k for k in prior.sampled_names if k in columns]
    ours = {k: columns[k] - (trigger_time if k == "geocent_time" else 0.0) for k in sampled}
    ln_exact = exact.evaluate(ours, threads)[0] - exact.noise_log_likelihood()
    if fiducial is None:
        ln_approx = ln_exact
    else:
        approx, _ = bilby_likelihood(sim, in_band, prior, fiducial, settings["epsilon"])
        ln_approx = log_likelihood_ratios(approx, {k: columns[k] for k in sampled})
    rw = importance.weights_and_evidence(ln_exact, np.zeros_like(ln_exact), ln_approx)
    keep = rng.random(ln_exact.size) < rw["weights"] / rw["weights"].max()
    columns["geocent_time"] = columns["geocent_time"] - trigger_time
    columns["log_likelihood"] = ln_exact
    columns = {k: v[keep] for k, v in columns.items()}
    info = {"bilby_version": bilby.__version__, "sampling_seconds": seconds, "reweighting_seconds": time.time() - t1,
            "log_evidence": float(result.log_evidence + rw["log_evidence"]),
            "log_evidence_error": float(np.hypot(result.log_evidence_err, rw["log_evidence_error"])),
            "log_bayes_factor": float(result.log_bayes_factor + rw["log_evidence"]),
            "log_bayes_factor_sampler": float(result.log_bayes_factor),
            "reweighting": {"efficiency": rw["sample_efficiency"], "log_evidence_correction": rw["log_evidence"],
                            "max_abs_log_ratio": float(np.max(np.abs(ln_exact - ln_approx)))},
            "n_samples_sampler": int(ln_exact.size), "n_samples": int(keep.sum()),
            "likelihood_evaluations": int(result.num_likelihood_evaluations or 0)}
    return columns, info

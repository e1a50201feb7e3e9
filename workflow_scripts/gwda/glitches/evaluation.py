"""How well generated bursts match the bursts they were trained on: numbers per class, on
held-out training-distribution ("real") samples against generated ones.

1. Physical parameters (:mod:`gwda.glitches.features`, one estimator for both): two-sample
   KS p-value and Wasserstein distance per parameter, medians side by side.
2. Class fidelity: a classifier trained on real training samples only, scored on generated
   samples labelled by their condition, next to its accuracy on held-out real samples.
3. Indistinguishability: a classifier two-sample test per class (0.5 = indistinguishable),
   noise-free and with every sample injected at ``snr_in_noise`` into unit-variance whitened
   Gaussian noise.
4. Waveform similarity: each sample's best match (maximised over time shift and phase) to
   its nearest held-out real sample of the class, for generated and, as the baseline, for
   real samples (the nearest other one).

Classifiers and matches work on the GAN's reduced series (:func:`gwda.glitches.generator.reduce`),
which hold the whole band-limited signal.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..core import classifier
from ..gw.domain import FrequencyDomain
from .generator import reduce, reduced_domain

#: Parameters compared (the SNR is 1 for every sample by construction).
COMPARED = ("peak_time", "central_frequency", "bandwidth", "duration", "quality")
#: The issue's targets for the quick configuration.
TARGETS = {"ks_p_min": 1e-3, "fidelity_gap_max": 0.05, "c2st_noise_max": 0.65}


def parameter_tests(m_real: dict, m_fake: dict) -> dict:
    """KS p-value, Wasserstein distance and medians of each compared parameter, from the
    features (:func:`gwda.glitches.features.measure`) of real and generated bursts."""
    out = {}
    for name in COMPARED:
        a, b = m_real[name], m_fake[name]
        out[name] = {"ks_p": float(stats.ks_2samp(a, b).pvalue), "wasserstein": float(stats.wasserstein_distance(a, b)),
                     "median_real": float(np.median(a)), "median_generated": float(np.median(b))}
    return out


def in_noise(x: np.ndarray, snr: float, domain: FrequencyDomain, rng: np.random.Generator) -> np.ndarray:
    """Rows of ``x`` (unit SNR) times ``snr`` plus whitened Gaussian noise of the domain
    (unit variance per sample in the band)."""
    k = int(domain.mask.sum())
    noise = domain.whitened_time_series(rng.standard_normal((len(x), k)) + 1j * rng.standard_normal((len(x), k)))
    return snr * x + noise


def best_match(a: np.ndarray, b: np.ndarray, skip_same_row: bool = False) -> np.ndarray:
    """For every row of ``a``, the largest match with any row of ``b`` over circular time
    shifts and phase: max |Σ ã b̃* e^{2πi f t}| / (|a| |b|), from the analytic (one-sided)
    cross-spectrum; with ``skip_same_row`` (``a`` the first rows of ``b``), row i of ``a`` is
    not matched with row i of ``b``, itself."""
    fa, fb = np.fft.rfft(a, axis=-1), np.fft.rfft(b, axis=-1)
    na, nb = np.linalg.norm(fa, axis=-1), np.linalg.norm(fb, axis=-1)
    n = a.shape[-1]
    out = np.empty(len(a))
    for i in range(len(a)):
        cross = np.zeros((len(b), n), dtype=complex)
        cross[:, :fa.shape[-1]] = fa[i] * np.conj(fb)
        matches = np.abs(np.fft.ifft(cross, axis=-1)).max(axis=-1) * n / (na[i] * nb)
        if skip_same_row:
            matches[i] = -np.inf
        out[i] = np.max(matches)
    return out


def evaluate(classes: tuple[str, ...], train_x: np.ndarray, train_y: np.ndarray, real_x: np.ndarray,
             real_y: np.ndarray, fake_x: np.ndarray, fake_y: np.ndarray, domain: FrequencyDomain,
             snr_in_noise: float, epochs: int, seed: int, real_features: dict, fake_features: dict,
             n_match: int = 200) -> dict:
    """The metrics of the module doc (series on the window ``domain``, labels index
    ``classes``; the features of the real and generated series, measured once by the caller)."""
    small = reduced_domain(domain)
    tr, re, fa = reduce(train_x, domain), reduce(real_x, domain), reduce(fake_x, domain)
    rng = np.random.default_rng(seed)
    model = classifier.fit(tr, train_y, len(classes), epochs, seed)
    pred_real, pred_fake = classifier.predict(model, re), classifier.predict(model, fa)
    noisy_re = in_noise(re, snr_in_noise, small, rng)
    noisy_fa = in_noise(fa, snr_in_noise, small, rng)
    per_class = {}
    for i, cls in enumerate(classes):
        r, g = real_y == i, fake_y == i
        matches_fake = best_match(fa[g][:n_match], re[r])
        # real vs real: each of the first n_match real samples against the other real ones
        reals = re[r]
        matches_real = best_match(reals[:n_match], reals, skip_same_row=True)
        per_class[cls] = {
            "n_real": int(r.sum()), "n_generated": int(g.sum()),
            "parameters": parameter_tests({k: v[r] for k, v in real_features.items()},
                                          {k: v[g] for k, v in fake_features.items()}),
            "class_accuracy_real": float(np.mean(pred_real[r] == i)),
            "class_accuracy_generated": float(np.mean(pred_fake[g] == i)),
            "c2st_noise_free": classifier.two_sample_accuracy(re[r], fa[g], epochs, seed + 1 + i),
            "c2st_in_noise": classifier.two_sample_accuracy(noisy_re[r], noisy_fa[g], epochs, seed + 101 + i),
            "match_generated_median": float(np.median(matches_fake)),
            "match_generated_p10": float(np.percentile(matches_fake, 10)),
            "match_real_median": float(np.median(matches_real)),
            "match_real_p10": float(np.percentile(matches_real, 10)),
        }
        per_class[cls]["targets_met"] = targets_met(per_class[cls])
    return {"targets": TARGETS, "snr_in_noise": snr_in_noise, "classes": per_class}


def targets_met(m: dict) -> dict:
    return {"parameters_ks": all(p["ks_p"] >= TARGETS["ks_p_min"] for p in m["parameters"].values()),
            "class_fidelity": m["class_accuracy_real"] - m["class_accuracy_generated"] <= TARGETS["fidelity_gap_max"],
            "c2st_in_noise": m["c2st_in_noise"] <= TARGETS["c2st_noise_max"]}

"""Where the workflow writes its results: the one description of ``results/``, used by the
run summary, the benchmarks and the tests (the rules spell the same paths as Snakemake
patterns)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path("results")
GLITCHES = RESULTS / "glitches"
#: The whole run's machine-readable summary.
RUN_SUMMARY = RESULTS / "summary.json"

#: Files of one event, relative to ``results/{event}/``.
EVENT_FILES = {
    "posterior": "posterior.hdf5",
    "summary": "summary.json",
    "flow_samples": "posterior/npe_samples.hdf5",
    "model": "model/model.json",
    "network": "model/network.pt",
    "loss": "model/loss.csv",
    "waveforms": "training/waveforms.hdf5",
    "noise_summary": "noise/noise_summary.json",
    "pp_test": "validation/pp_test.json",
    "pp_levels": "validation/pp_levels.csv",
    "comparison": "validation/comparison.json",
    "exact_comparison": "validation/exact_comparison.json",
    "glitch_robustness": "validation/glitch_robustness.json",
    "glitch_robustness_summary": "validation/glitch_robustness_summary.csv",
    "denoiser_metrics": "denoiser/metrics.json",
    "denoiser_event": "denoiser/event.json",
    "denoiser_training": "denoiser/training.json",
    "benchmarks": "benchmarks",
}
#: Files of the glitch GAN (one for all events), relative to ``results/glitches/``.
GLITCH_FILES = {
    "gan_metrics": "gan_metrics.json",
    "gan_training": "gan/training.json",
    "gan_network": "gan/network.pt",
    "generated": "generated.hdf5",
    "benchmarks": "benchmarks",
}


def event_file(event: str, name: str, root: str | Path = ".") -> Path:
    """``results/{event}/<file>`` under the run directory ``root``, by its name in :data:`EVENT_FILES`."""
    return Path(root) / RESULTS / event / EVENT_FILES[name]


def psd_file(event: str, ifo: str, root: str | Path = ".") -> Path:
    return Path(root) / RESULTS / event / "psd" / f"{ifo}_psd.hdf5"


def strain_file(event: str, ifo: str, root: str | Path = ".") -> Path:
    return Path(root) / RESULTS / event / "strain" / f"{ifo}.hdf5"


def glitch_file(name: str, root: str | Path = ".") -> Path:
    return Path(root) / GLITCHES / GLITCH_FILES[name]

"""Where the workflow writes its results: the one description of ``results/``, used by the
run summary, the benchmarks and the tests (the rules spell the same paths as Snakemake
patterns)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path("results")
GLITCHES = RESULTS / "glitches"
#: The whole run's machine-readable summary.
RUN_SUMMARY = RESULTS / "summary.json"
#: All events side by side (rule catalogue): catalogue.csv, .json, .png.
CATALOGUE = RESULTS / "catalogue"
#: The downloaded GWOSC files (config/config.yaml's ``data.gwosc.cache_dir``).
GWOSC_CACHE = RESULTS / "cache" / "gwosc"
#: The simulated events' files and config (bench/simulated_events.py).
SIMULATED_EVENTS = RESULTS / "simulated"

#: Files and folders of one event, relative to ``results/{event}/``.
EVENT_FILES = {
    "posterior": "posterior.hdf5",
    "summary": "summary.json",
    "event_settings": "search/settings.json",
    "strain": "strain",
    "psd": "psd",
    "flow_samples": "posterior/npe_samples.hdf5",
    "model": "model/model.json",
    "network": "model/network.pt",
    "loss": "model/loss.csv",
    "checkpoints": "model/checkpoints",
    "waveforms": "training/waveforms.hdf5",
    "noise_summary": "noise/noise_summary.json",
    "pp_test": "validation/pp_test.json",
    "pp_levels": "validation/pp_levels.csv",
    "comparison": "validation/comparison.json",
    "exact_comparison": "validation/exact_comparison.json",
    "glitch_robustness": "validation/glitch_robustness.json",
    "glitch_robustness_table": "validation/glitch_robustness.csv",
    "glitch_robustness_gengli": "validation/glitch_robustness_gengli.json",
    "glitch_robustness_gengli_table": "validation/glitch_robustness_gengli.csv",
    "glitch_robustness_glitch_trained_table": "validation/glitch_robustness_glitch_trained.csv",
    "glitch_robustness_glitch_trained_gengli_table": "validation/glitch_robustness_glitch_trained_gengli.csv",
    "glitch_robustness_summary": "validation/glitch_robustness_summary.csv",
    "denoiser_metrics": "denoiser/metrics.json",
    "denoiser_event": "denoiser/event.json",
    "denoiser_training": "denoiser/training.json",
    "denoiser_gaussian_metrics": "denoiser/gaussian/metrics.json",
    "bilby_summary": "bilby/summary.json",
    "bilby_comparison": "bilby/comparison.json",
    "figures": "figures",
    "logs": "logs",
    "benchmarks": "benchmarks",
}
#: Files and folders of the glitch GAN (one for all events), relative to ``results/glitches/``.
GLITCH_FILES = {
    "training_set": "training_set.hdf5",
    "heldout_set": "heldout_set.hdf5",
    "gan_metrics": "gan_metrics.json",
    "gan_training": "gan/training.json",
    "gan_network": "gan/network.pt",
    "generated": "generated.hdf5",
    "benchmarks": "benchmarks",
}


def event_dir(event: str, root: str | Path = ".") -> Path:
    """``results/{event}/`` under the run directory ``root``."""
    return Path(root) / RESULTS / event


def event_file(event: str, name: str, root: str | Path = ".") -> Path:
    """``results/{event}/<file>`` under the run directory ``root``, by its name in :data:`EVENT_FILES`."""
    return event_dir(event, root) / EVENT_FILES[name]


def psd_file(event: str, ifo: str, root: str | Path = ".") -> Path:
    return event_file(event, "psd", root) / f"{ifo}_psd.hdf5"


def strain_file(event: str, ifo: str, root: str | Path = ".") -> Path:
    return event_file(event, "strain", root) / f"{ifo}.hdf5"


def figure_file(event: str, name: str, root: str | Path = ".", ext: str = "png") -> Path:
    """``results/{event}/figures/<name>.<ext>``, e.g. ``asd_H1``."""
    return event_file(event, "figures", root) / f"{name}.{ext}"


def log_file(event: str, job: str, root: str | Path = ".") -> Path:
    """An event's job's log, ``results/{event}/logs/<job>.log``; the job is named by its rule
    (and detector: ``estimate_psd_H1``)."""
    return event_file(event, "logs", root) / f"{job}.log"


def benchmark_file(event: str, rule: str, root: str | Path = ".") -> Path:
    """Snakemake's benchmark of an event's job of ``rule`` (``results/{event}/benchmarks/<rule>.tsv``)."""
    return event_file(event, "benchmarks", root) / f"{rule}.tsv"


def checkpoint_file(event: str, root: str | Path = ".") -> Path:
    """The posterior network's training checkpoint (a killed training resumes from it)."""
    return event_file(event, "checkpoints", root) / "checkpoint.pt"


def glitch_file(name: str, root: str | Path = ".") -> Path:
    return Path(root) / GLITCHES / GLITCH_FILES[name]

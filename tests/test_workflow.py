"""The Snakemake workflow itself: DAG, lint, bad configs, and the data stage run for real."""

import json
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml
from gwda.io.layout import (CATALOGUE, GLITCHES, GWOSC_CACHE, RESULTS, RUN_SUMMARY, benchmark_file, checkpoint_file, event_dir,
                            event_file, figure_file, glitch_file, log_file, strain_file)
from gwosc_server import GwoscServer
from workflow_runs import snakemake, write_tiny_config

DATA_OUTPUTS = [
    "strain/H1.hdf5", "strain/L1.hdf5", "psd/H1_psd.hdf5", "psd/L1_psd.hdf5",
    "psd/H1_asd.txt", "psd/L1_asd.txt", "noise/simulated_noise.hdf5", "noise/noise_summary.json",
    "figures/asd_H1.png", "figures/asd_H1.pdf", "figures/asd_L1.png", "figures/asd_L1.pdf",
    "figures/noise_comparison.png", "figures/noise_comparison.pdf",
    "noise/noise_with_glitches.hdf5", "noise/glitch_catalogue.csv", "figures/noise_glitches.png",
    "figures/noise_glitches.pdf",
]
GLITCH_OUTPUTS = ["training_set.hdf5", "heldout_set.hdf5", "gan/network.pt", "gan/losses.csv", "generated.hdf5",
                  "gan_metrics.json", "figures/real_vs_generated.png", "figures/glitch_parameters.pdf",
                  "figures/gan_losses.png"]


@pytest.mark.parametrize("configfile", [None, "full.yaml"])
def test_default_dag_dry_run(root, configfile):
    out = snakemake(root, "-n", "--cores", "1", *(["--configfile", f"config/{configfile}"] if configfile else []))
    assert out.returncode == 0, out.stderr + out.stdout
    text = out.stdout + out.stderr
    for rule, count in (("fetch_strain", 2), ("estimate_psd", 2), ("simulate_noise", 1),
                        ("generate_waveforms", 1), ("train_flow", 1), ("sample_posterior", 1),
                        ("importance_sample", 1), ("prepare_bursts", 1), ("train_glitch_gan", 1),
                        ("generate_glitches", 1), ("evaluate_glitch_gan", 1)):
        assert any(line.split()[:2] == [rule, str(count)] for line in text.splitlines()), text


def test_o1_config_dag_dry_run(root):
    """config/o1_bbh.yaml: each of the three events gets its own search, strain, PSD, training,
    posterior and comparison with its 2-OGC posterior."""
    out = snakemake(root, "-n", "--cores", "1", "--configfile", "config/o1_bbh.yaml")
    assert out.returncode == 0, out.stderr + out.stdout
    text = out.stdout + out.stderr
    for rule, count in (("fetch_search_strain", 6), ("search_event", 3), ("fetch_strain", 6), ("estimate_psd", 6),
                        ("train_flow", 3), ("importance_sample", 3), ("reference_posterior", 3),
                        ("compare_posteriors", 3)):
        assert any(line.split()[:2] == [rule, str(count)] for line in text.splitlines()), (rule, text)


def test_lint_is_clean(root):
    out = snakemake(root, "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Lints for" not in out.stdout + out.stderr


@pytest.mark.parametrize("override, text", [
    ("events=[GW999999]", "config key 'events[0]': unknown event 'GW999999'"),
    ("data={'detectors': ['H1', 'Z1']}", "config key 'data.detectors[1]'"),
    ("seed=abc", "config key 'seed'"),
    ("noise={'glitches': {'rate': -0.25}}", "config key 'noise.glitches.rate': -0.25 is less than the minimum of 0"),
    ("model={'alignment': {'common_window': 0.5}}", "config key 'model.alignment.common_window': ±0.5 s is wider"),
])
def test_bad_config_fails_before_any_job(root, tmp_path, override, text):
    out = snakemake(root, "--cores", "1", "--configfile", str(root / "config" / "config.yaml"),
                    "--config", override, cwd=tmp_path)
    assert out.returncode != 0
    assert text in out.stdout + out.stderr
    assert not (tmp_path / RESULTS).exists()


def test_nested_numeric_override_is_read_as_a_number(root):
    out = snakemake(root, "-n", "--cores", "1", "--config", "noise={'glitches': {'rate': 0.5}}")
    assert out.returncode == 0, out.stderr + out.stdout


FIGURES = ["asd_H1", "asd_L1", "noise_comparison", "loss", "whitened_strain", "corner", "skymap", "pp_plot",
           "summary_table"]


def _require_test_extras(*modules):
    """Skip before any work when a test extra the test needs is missing (the whole-DAG tests
    read the posterior with pesummary and run the opt-in bilby and gengli targets)."""
    for module in modules:
        pytest.importorskip(module, reason=f"{module} is a test extra: pip install -e '.[test]'")


def _check_posterior_outputs(workdir):
    from gwda.io.samples import read_config, read_sampler_meta

    event = event_dir("GW150914", workdir)
    posterior = event / "posterior.hdf5"
    with h5py.File(posterior) as fh:
        npe = fh["NPE/posterior_samples"][()]
        assert {"chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "mass_1_source",
                "log_proposal"} <= set(npe.dtype.names)
        weighted = fh["NPE-IS/weighted_samples"][()]
        assert {"log_prior", "log_likelihood", "weights"} <= set(weighted.dtype.names)
        assert weighted["weights"].sum() == pytest.approx(1.0)
    sampler = read_sampler_meta(posterior, "NPE-IS")
    for key in ("sample_efficiency", "effective_sample_size", "log_evidence", "log_evidence_error"):
        assert np.isfinite(sampler[key])
    assert 0 < sampler["sample_efficiency"] <= 1
    assert read_config(posterior)["inference"]["n_samples"] == 2000
    _check_pesummary_reads(posterior)
    summary = json.loads((event / "summary.json").read_text())
    # The NPE group keeps the flow samples inside the prior's support, resampled from the
    # training proposal (uniform in distance in test.yaml) to the prior.
    kept = 2000 * (1 - summary["npe_fraction_outside_prior"])
    assert 0.3 < summary["npe_proposal_reweighting_efficiency"] <= 1
    assert npe.size == round(kept * summary["npe_proposal_reweighting_efficiency"])
    cm = summary["analyses"]["NPE"]["chirp_mass"]
    assert cm["lower_90"] <= cm["median"] <= cm["upper_90"]
    assert (event / "model" / "loss.csv").read_text().count("\n") == 3   # header + 2 epochs
    return summary


def _check_run_summary(workdir):
    """The run summary (results/summary.json) holds the stages' numbers as they wrote them,
    every heavy job's wall time, and the run's provenance."""
    from gwda.io.samples import read_sampler_meta

    summary = json.loads((workdir / RUN_SUMMARY).read_text())
    event = summary["events"]["GW150914"]
    sampler = read_sampler_meta(event_file("GW150914", "posterior", workdir), "NPE-IS")
    assert event["summary"]["sample_efficiency"] == sampler["sample_efficiency"]
    pp = json.loads(event_file("GW150914", "pp_test", workdir).read_text())
    assert event["pp_test"]["combined_pvalue"] == pp["combined_pvalue"]
    benchmark = benchmark_file("GW150914", "train_flow", workdir).read_text().splitlines()
    assert event["jobs"]["train_flow"]["seconds"] == float(benchmark[-1].split("\t")[0])
    assert {"train_flow", "sample_posterior", "importance_sample", "pp_test"} <= set(event["jobs"])
    assert "train_glitch_gan" in summary["glitches"]["jobs"] and len(summary["glitches"]["gan_network_sha256"]) == 64
    from gwda.provenance import sha256_file

    assert event["model"]["network"]["sha256"] == sha256_file(event_file("GW150914", "network", workdir))
    provenance = summary["provenance"]
    assert len(provenance["git"]["commit"]) == 40 and provenance["machine"]["logical_cores"] >= 1
    assert provenance["config"]["inference"]["n_samples"] == 2000


def _check_pesummary_reads(posterior):
    """A bare pesummary.io.read takes the posterior as LVK releases are taken: one label per
    analysis, LVK names, GPS times, the PSDs and the configuration."""
    from pesummary import io as pesummary_io

    f = pesummary_io.read(str(posterior))
    assert sorted(f.labels) == ["NPE", "NPE-IS"]
    for label in f.labels:
        samples = f.samples_dict[label]
        assert {"spin_1z", "spin_2z", "chirp_mass", "geocent_time"} <= set(samples.keys())
        assert "chi_1" not in samples.keys()
        # absolute GPS time within the ±0.1 s prior around the trigger
        assert np.all(np.abs(np.asarray(samples["geocent_time"]) - 1126259462.4) <= 0.1 + 1e-6)
        assert set(f.psd[label]) == {"H1", "L1"}
        assert f.approximant[f.labels.index(label)] == "IMRPhenomD"
    assert f.extra_kwargs[f.labels.index("NPE-IS")]["sampler"]["log_evidence"] < 0


def _check_summarypages_takes(posterior, webdir):
    """PESummary's summarypages builds its pages from the posterior file as it is (the
    lighter options: no corner plots, no derived parameters; about 40 s)."""
    out = subprocess.run([sys.executable, "-m", "pesummary.cli.summarypages", "--webdir", str(webdir), "--samples",
                          str(posterior), "--gw", "--no_conversion", "--disable_corner", "--disable_interactive",
                          "--disable_comparison", "--no_ligo_skymap", "--multi_process", "2"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    for label in ("NPE", "NPE-IS"):
        assert (webdir / "html" / f"{label}_{label}_chirp_mass.html").is_file()
        assert (webdir / "plots" / f"{label}_psd_plot.png").is_file()          # the stored PSDs
        assert "[gwda]" in (webdir / "config" / f"{label}_config.ini").read_text()


def _check_validation_outputs(workdir, reference_label=None):
    event = event_dir("GW150914", workdir)
    missing = [f"{f}.{ext}" for f in FIGURES for ext in ("png", "pdf") if not (event / "figures" / f"{f}.{ext}").is_file()]
    assert not missing
    pp = json.loads((event / "validation" / "pp_test.json").read_text())
    assert pp["n_injections"] == 12 and 0 <= pp["combined_pvalue"] <= 1
    assert set(pp["pvalues"]) == set(pp["parameters"]) >= {"chirp_mass", "luminosity_distance", "geocent_time"}
    # Each injection also reweighted with the exact likelihood (test.yaml asks for it).
    is_pp = pp["importance_sampling"]
    eff = is_pp["sample_efficiency"]
    assert 0 < eff["p10"] <= eff["median"] <= eff["p90"] <= 1
    assert set(is_pp["pvalues"]) == set(pp["parameters"]) and 0 <= is_pp["combined_pvalue"] <= 1
    # drawn per injection towards an ESS of 20 (test.yaml), at most 600 samples each
    assert is_pp["target_ess"] == 20 and is_pp["effective_sample_size"]["median"] >= 1
    levels = (event / "validation" / "pp_levels.csv").read_text().strip().splitlines()
    assert len(levels) == 13
    comparison = json.loads((event / "validation" / "comparison.json").read_text())
    pairs = {"NPE vs NPE-IS"} | ({f"NPE vs {reference_label}", f"NPE-IS vs {reference_label}"} if reference_label else set())
    assert set(comparison["jsd_nat"]) == pairs
    for divergences in comparison["jsd_nat"].values():
        assert all(np.isnan(v) or 0 <= v <= np.log(2) + 1e-9 for v in divergences.values())
    return comparison


def _check_catalogue(workdir, comparison, reference_label):
    """The catalogue's GW150914 rows are the comparison's numbers (the same samples, the same
    intervals and JSD), and its figure is drawn."""
    catalogue = workdir / CATALOGUE
    assert (catalogue / "catalogue.png").is_file() and (catalogue / "catalogue.pdf").is_file()
    rows = {r["parameter"]: r for r in json.loads((catalogue / "catalogue.json").read_text())["rows"]}
    assert set(rows) >= {"chirp_mass", "chirp_mass_source", "mass_ratio", "chi_eff", "luminosity_distance"}
    for p in ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance"):
        ours, theirs = comparison["intervals_90"]["NPE-IS"][p], comparison["intervals_90"][reference_label][p]
        row = rows[p]
        assert (row["lower"], row["median"], row["upper"]) == pytest.approx(
            (ours["lower"], ours["median"], ours["upper"]), rel=1e-12), p
        assert row["reference_median"] == pytest.approx(theirs["median"], rel=1e-12), p
        expected = comparison["jsd_nat"][f"NPE-IS vs {reference_label}"][p]
        if np.isnan(expected):          # a set without spread (tiny runs): NaN, written to JSON as null
            assert row["jsd_nat"] is None, p
        else:
            assert row["jsd_nat"] == pytest.approx(expected, rel=1e-9), p
        assert row["median_inside_reference_90"] == (theirs["lower"] <= ours["median"] <= theirs["upper"])
    # source frame: M_src = M_det / (1 + z) with z > 0 at d_L of a few hundred Mpc
    assert 0.85 * rows["chirp_mass"]["median"] < rows["chirp_mass_source"]["median"] < rows["chirp_mass"]["median"]


def _check_data_outputs(workdir, expect_ratio_of=None):
    event = event_dir("GW150914", workdir)
    missing = [p for p in DATA_OUTPUTS if not (event / p).is_file()]
    assert not missing
    summary = json.loads((event / "noise" / "noise_summary.json").read_text())
    for det in ("H1", "L1"):
        fd = summary["detectors"][det]["simulated_frequency_domain"]
        assert abs(fd["variance"] - 1) < 5 * fd["variance_std"]
        with h5py.File(event / "strain" / f"{det}.hdf5") as fh:
            assert json.loads(fh.attrs["config"])["data"]["psd"]["placement"] == "around"
            assert json.loads(fh.attrs["segment"]) == [1126259460.4, 1126259464.4]
    glitches = summary["glitches"]
    assert glitches["source"] == "gan" and set(glitches["detectors"]) == {"H1", "L1"}
    catalogue = pd.read_csv(event / "noise" / "glitch_catalogue.csv")
    assert len(catalogue) == sum(d["n_glitches"] for d in glitches["detectors"].values())
    if expect_ratio_of is not None:
        from gwda.io import psd_files

        est = psd_files.read(event / "psd" / "H1_psd.hdf5")
        band = (est.frequencies >= 20) & (est.frequencies <= 1024)
        # 10 median-averaged segments: per-bin relative scatter ~0.45, band median within 10 %.
        ratio = est.values[band] / expect_ratio_of(est.frequencies[band])
        assert abs(np.median(ratio) - 1) < 0.1
    return summary


def _check_glitch_outputs(workdir):
    glitch_dir = workdir / GLITCHES
    assert not [p for p in GLITCH_OUTPUTS if not (glitch_dir / p).is_file()]
    metrics = json.loads((glitch_dir / "gan_metrics.json").read_text())
    assert set(metrics["classes"]) == {"sine_gaussian", "ringdown", "white_noise_burst", "gaussian_pulse", "bbh"}
    for m in metrics["classes"].values():
        assert 0 <= m["c2st_in_noise"] <= 1 and 0 <= m["class_accuracy_generated"] <= 1
        assert set(m["parameters"]) == {"peak_time", "central_frequency", "bandwidth", "duration", "quality"}
    assert metrics["cost"]["generation_glitches_per_second"] > 0
    with h5py.File(glitch_dir / "generated.hdf5") as fh:
        assert fh["series"].shape == (5 * 64, 1024)
        np.testing.assert_allclose(fh["snr"][()], 1.0, rtol=1e-4)


def _check_denoiser_outputs(workdir):
    event = event_dir("GW150914", workdir)
    for p in ("denoiser/network.pt", "denoiser/losses.csv", "denoiser/training.json", "denoiser/metrics.json",
              "denoiser/denoised.hdf5", "denoiser/event.json", "figures/denoiser_overlap.png",
              "figures/denoiser_loss.pdf", "figures/denoised_strain.png", "figures/denoised_strain.pdf"):
        assert (event / p).is_file(), p
    metrics = json.loads((event / "denoiser/metrics.json").read_text())
    assert metrics["injections"] == 48 and len(metrics["overlap_by_snr"]) == 6
    assert sum(row["denoiser"]["n"] for row in metrics["overlap_by_snr"]) == 48
    # The Wiener filter, fitted in the stage, must beat the raw data's overlap with the truth.
    high = metrics["median_overlap_snr_above_20"]
    assert high["wiener"] > high["data"] + 0.1
    for key in ("noise_suppression", "glitch_suppression"):
        assert metrics[key]["denoiser"] > 0 and metrics[key]["wiener"] > 1
    result = json.loads((event / "denoiser/event.json").read_text())
    assert 1 <= result["posterior_waveforms"] <= 20 and -1 <= result["overlap_with_max_likelihood"]["network"] <= 1
    with h5py.File(event / "denoiser/denoised.hdf5") as fh:
        assert fh["H1/denoised"].shape == fh["times"].shape == (4096,)
        assert fh["times"][0] == pytest.approx(-1.4)


def _check_glitch_robustness(workdir):
    """The robustness test's outputs (the tiny model barely reads its data, so its numbers say
    nothing; tests/test_posterior_checks.py shows that the measurement sees a glitch's damage)."""
    result = json.loads(event_file("GW150914", "glitch_robustness", workdir).read_text())
    assert result["injections"] == 12
    for label in ("clean", "glitch"):
        assert set(result[label]["coverage_90"]) == set(result[label]["pvalues"])
        assert set(result[label]["bias"]) == {"chirp_mass", "mass_ratio", "luminosity_distance", "ra", "dec"}
        assert 0 < result[label]["sample_efficiency"]["median"] <= 1
    table = pd.read_csv(event_file("GW150914", "glitch_robustness_table", workdir))
    assert len(table) == 12 and table["glitch_snr"].between(8, 25).all() and table["glitch_offset"].abs().max() <= 0.5
    assert figure_file("GW150914", "glitch_robustness", workdir).is_file()


@pytest.mark.slow
def test_whole_dag_runs_offline_on_synthetic_files(root, synthetic_run):
    from gwda.io.synthetic import analytic_psd

    _require_test_extras("pesummary", "bilby", "gengli")
    tmp_path, cfg, out = synthetic_run
    assert out.returncode == 0, out.stderr[-3000:]
    _check_data_outputs(tmp_path, expect_ratio_of=analytic_psd)
    _check_posterior_outputs(tmp_path)
    _check_validation_outputs(tmp_path)
    _check_glitch_outputs(tmp_path)
    _check_denoiser_outputs(tmp_path)
    _check_glitch_robustness(tmp_path)
    _check_run_summary(tmp_path)
    # The stored GW150914 reference (bench/reference) was made from the GWOSC files: it does not
    # apply to synthetic strain, and the comparison says so instead of comparing.
    exact = json.loads(event_file("GW150914", "exact_comparison", tmp_path).read_text())
    assert not exact["applies"] and "jsd_nat" not in exact
    assert {d.split(":")[0] for d in exact["differences"]} >= {"strain.H1", "strain.L1", "psd.H1", "psd.L1"}
    again = snakemake(root, "-n", "--cores", "2", "--configfile", str(cfg), "-d", str(tmp_path))
    assert "Nothing to be done" in again.stdout + again.stderr
    _check_summarypages_takes(event_file("GW150914", "posterior", tmp_path), tmp_path / "pages")
    report = snakemake(root, "--configfile", str(cfg), "-d", str(tmp_path), "--report", "report.html")
    assert report.returncode == 0, report.stderr[-3000:]
    html = (tmp_path / "report.html").read_text()
    for caption in ("Machine-learning analysis of GW150914 from public GWOSC strain",
                    "coverage test of the neural posterior estimator", "Whitened strain of each detector",
                    "Training of the neural posterior", "Sky position of GW150914",
                    "Whitened bursts of unit optimal SNR", "SNR distribution and source in noise.glitches",
                    "Transformer denoiser's reconstruction", "Training of the Transformer denoiser",
                    "Posteriors with a glitch near the merger"):
        assert caption in html
    # The opt-in targets, in one run: the denoiser trained on Gaussian noise only, the
    # estimator trained with glitches (with gengli's blips), the standard-sampler reference.
    targets = [str(event_file("GW150914", name)) for name in
               ("denoiser_gaussian_metrics", "glitch_robustness_summary", "bilby_comparison")]
    out = snakemake(root, "--cores", "2", "--configfile", str(cfg), "-d", str(tmp_path), *targets)
    assert out.returncode == 0, out.stderr[-3000:]
    # The denoiser trained on Gaussian noise only, measured on the same examples.
    gaussian = json.loads((tmp_path / targets[0]).read_text())
    with_glitches = json.loads(event_file("GW150914", "denoiser_metrics", tmp_path).read_text())
    assert not gaussian["glitches_in_training"] and with_glitches["glitches_in_training"]
    assert gaussian["median_overlap_snr_above_20"]["data"] == with_glitches["median_overlap_snr_above_20"]["data"]
    # The opt-in estimator trained with glitches, tested on the same injections and glitches,
    # and both models with gengli's blips, summarised side by side.
    summary = pd.read_csv(tmp_path / targets[1])
    assert list(summary["data"]) == ["clean", "GAN glitches", "gengli blips"] * 2
    assert summary["coverage_90_mean"].between(0, 1).all() and summary["injections"].nunique() == 1
    gengli = json.loads(event_file("GW150914", "glitch_robustness_gengli", tmp_path).read_text())
    assert gengli["glitch_source"] == "gengli" and gengli["glitch_classes"] == ["gengli_blip"]
    for name in ("glitch_robustness", "glitch_robustness_glitch_trained"):
        gan = pd.read_csv(event_file("GW150914", f"{name}_table", tmp_path))
        blips = pd.read_csv(event_file("GW150914", f"{name}_gengli_table", tmp_path))
        pd.testing.assert_series_equal(gan["clean_level_chirp_mass"], blips["clean_level_chirp_mass"])
    log = log_file("GW150914", "train_flow_glitches", tmp_path).read_text()
    assert "training with gan glitches" in log and "at 0.5 per s per detector" in log
    plain = pd.read_csv(event_file("GW150914", "glitch_robustness_table", tmp_path))
    trained = pd.read_csv(event_file("GW150914", "glitch_robustness_glitch_trained_table", tmp_path))
    pd.testing.assert_frame_equal(plain[["network_snr", "glitch_snr", "glitch_offset", "glitch_class"]],
                                  trained[["network_snr", "glitch_snr", "glitch_offset", "glitch_class"]])
    # The opt-in standard-sampler reference, at the config's tiny dynesty setting.
    bilby = json.loads((tmp_path / targets[2]).read_text())
    assert bilby["applies"] and not bilby["differences"]        # a fresh run on this run's inputs
    assert bilby["reference_seconds"] > 0 and bilby["wall_time_ratio"] > 0
    assert set(bilby["jsd_nat"]) == {"NPE vs exact", "NPE-IS vs exact"}
    assert np.isfinite(bilby["log_bayes_factor"]["exact"])
    reference = json.loads(event_file("GW150914", "bilby_summary", tmp_path).read_text())
    assert 0 < reference["reweighting"]["efficiency"] <= 1 and set(reference["inputs"]["strain"]) == {"H1", "L1"}


def test_jobs_run_this_checkouts_gwda_whatever_else_is_installed(root, tmp_path, synthetic_dir):
    """Another gwda ahead of site-packages (as on PYTHONPATH, or another checkout installed in
    editable mode): the workflow's process and its jobs still import this checkout's."""
    import os

    other = tmp_path / "other_checkout"
    (other / "gwda").mkdir(parents=True)
    (other / "gwda" / "__init__.py").write_text("raise ImportError('the other checkout was imported')\n")
    env = {**os.environ, "PYTHONPATH": str(other)}
    plain = subprocess.run([sys.executable, "-c", "import gwda"], env=env, capture_output=True, text=True)
    assert "the other checkout was imported" in plain.stderr       # the decoy does take precedence
    cfg = write_tiny_config(tmp_path, root, {"local": {"directory": str(synthetic_dir)}})
    out = snakemake(root, "--cores", "1", "--configfile", str(cfg), "-d", str(tmp_path),
                    str(strain_file("GW150914", "H1")), env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert strain_file("GW150914", "H1", tmp_path).is_file()


@pytest.mark.slow
def test_data_stage_downloads_from_a_gwosc_server(root, tmp_path, synthetic_dir):
    with GwoscServer(synthetic_dir) as server:
        cfg = write_tiny_config(tmp_path, root, {
            "source": "gwosc",
            "gwosc": {"host": server.host, "cache_dir": str(GWOSC_CACHE), "backoff": 0.01},
        })
        targets = [str(event_file("GW150914", "noise_summary")), str(figure_file("GW150914", "asd_H1")),
                   str(figure_file("GW150914", "asd_L1"))]
        out = snakemake(root, "--cores", "2", "--configfile", str(cfg), "-d", str(tmp_path), *targets)
        assert out.returncode == 0, out.stderr[-3000:]
        assert len(server.file_requests) == 2
    _check_data_outputs(tmp_path)
    assert sorted(p.name for p in (tmp_path / GWOSC_CACHE).iterdir()) == [
        "H-H1_GWOSC_4KHZ_R1-1126259430-64.hdf5", "L-L1_GWOSC_4KHZ_R1-1126259430-64.hdf5"]


@pytest.mark.slow
def test_whole_dag_on_real_gw150914_files(root, tmp_path, shared_gwosc, shared_reference):
    _require_test_extras("pesummary")
    cfg = write_tiny_config(tmp_path, root, {"local": {"directory": str(shared_gwosc)}},
                        {"2-OGC": shared_reference})
    out = snakemake(root, "--cores", "2", "--configfile", str(cfg), "-d", str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    summary = _check_data_outputs(tmp_path)
    _check_posterior_outputs(tmp_path)
    comparison = _check_validation_outputs(tmp_path, "2-OGC")
    # The published 2-OGC posterior, read as a reference: detector-frame chirp mass ≈ 30.9.
    assert comparison["intervals_90"]["2-OGC"]["chirp_mass"]["median"] == pytest.approx(30.9, abs=0.2)
    _check_catalogue(tmp_path, comparison, "2-OGC")
    # The stored exact posterior was made from these files, PSD settings, prior and waveform:
    # this run reproduces its input checksums, so the comparison applies.
    exact = json.loads(event_file("GW150914", "exact_comparison", tmp_path).read_text())
    assert exact["applies"], exact["differences"]
    assert set(exact["jsd_nat"]) == {"NPE vs exact", "NPE-IS vs exact"}
    # the comparison reads the stored samples as they are: its intervals are their percentiles
    with h5py.File(root / "bench/reference/GW150914/posterior.hdf5") as fh:
        stored = fh["posterior_samples"][()]
    for name in ("chirp_mass", "mass_ratio", "chi_eff", "luminosity_distance", "theta_jn", "ra", "dec"):
        lower, median, upper = np.percentile(stored[name], [5, 50, 95])
        got = exact["intervals_90"]["exact"][name]
        assert (got["lower"], got["median"], got["upper"]) == pytest.approx((lower, median, upper), rel=1e-9), name
    # Every number of the tiny configuration against bench/reference/tiny_config_outputs.json,
    # within tolerances measured from the float noise of 1 against 2 threads (bench/regression.py).
    from bench.regression import REFERENCE, check, snapshot

    failures = check(snapshot(event_dir("GW150914", tmp_path)), json.loads(REFERENCE.read_text()))
    assert not failures, f"{len(failures)} numbers changed:\n" + "\n".join(failures[:20])
    _check_run_summary(tmp_path)
    for det in ("H1", "L1"):
        real = summary["detectors"][det]["real_offsource"]
        assert abs(real["variance"] - 1) < 0.15
        assert abs(summary["detectors"][det]["median_asd_ratio_simulated_to_real"] - 1) < 0.05


@pytest.mark.slow
def test_killed_training_resumes_from_its_checkpoint(root, tmp_path, synthetic_dir):
    """Kill snakemake and its job while train_flow runs (as a pre-empted cluster job is):
    no model is left behind, the checkpoint stays, and the re-run carries on from the last
    completed epoch."""
    import os
    import signal
    import time

    base = yaml.safe_load((root / "config" / "test.yaml").read_text())
    base["data"]["local"] = {"directory": str(synthetic_dir)}
    base["training"]["epochs"] = 6
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(base))
    model = str(event_file("GW150914", "model"))
    args = [sys.executable, "-m", "snakemake", "-s", str(root / "Snakefile"), "--cores", "2",
            "--configfile", str(cfg), "-d", str(tmp_path), model]
    ckpt = checkpoint_file("GW150914", tmp_path)
    proc = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 600
    while not ckpt.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=120)
    assert ckpt.exists() and not (tmp_path / model).exists()
    import torch

    stopped_at = torch.load(ckpt, weights_only=False)["epoch"]
    assert 1 <= stopped_at < 6
    # after a hard kill, as a user would: unlock the directory, then re-run
    subprocess.run(args + ["--unlock"], cwd=root, capture_output=True, text=True, timeout=120, check=True)
    out = subprocess.run(args + ["--rerun-incomplete"], cwd=root, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    log = log_file("GW150914", "train_flow", tmp_path).read_text()
    assert f"resuming from {ckpt.relative_to(tmp_path)} after epoch" in log
    rows = event_file("GW150914", "loss", tmp_path).read_text().strip().splitlines()
    assert len(rows) == 7 and rows[-1].startswith("6,")


@pytest.mark.slow
def test_glitch_gan_trains_on_real_glitches_cut_from_gwosc_files(root, tmp_path):
    """glitches.source: gwosc on synthetic GWOSC-format files with sine-Gaussians injected at
    the table's GPS times: the bursts are cut, split, trained on, generated and evaluated."""
    from gwda.io.synthetic import write_gwosc_files

    times = 1000000020.0 + 14.0 * np.arange(20) + 0.37
    write_gwosc_files(tmp_path / "gwosc", 1000000000, 320, detectors=("H1",), injection_time=list(times),
                      injection_amplitude=5e-21)
    table = pd.DataFrame({"gps_time": times, "detector": "H1", "label": ["blip", "tomte"] * 10})
    table.to_csv(tmp_path / "glitches.csv", index=False)
    base = yaml.safe_load((root / "config" / "test.yaml").read_text())
    base["data"]["local"]["directory"] = str(tmp_path / "gwosc")
    base["glitches"].update({"source": "gwosc", "classes": ["blip", "tomte"],
                             "gwosc": {"table": str(tmp_path / "glitches.csv"), "psd_duration": 24}})
    base["glitches"]["gan"].update({"conditional_parameters": False, "stft_loss": 0.0})
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(base))
    out = snakemake(root, "--cores", "2", "--configfile", str(cfg), "-d", str(tmp_path),
                    str(glitch_file("gan_metrics")))
    assert out.returncode == 0, out.stderr[-3000:]
    with h5py.File(glitch_file("training_set", tmp_path)) as fh:
        assert fh["series"].shape == (16, 1024) and fh.attrs["source"] == "gwosc"
        assert np.all(fh["parameters/snr"][()] > 20)
    with h5py.File(glitch_file("heldout_set", tmp_path)) as fh:
        assert sorted(fh["labels"][()]) == [0, 0, 1, 1]
    metrics = json.loads(glitch_file("gan_metrics", tmp_path).read_text())
    assert set(metrics["classes"]) == {"blip", "tomte"}

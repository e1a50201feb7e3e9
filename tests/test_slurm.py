"""profiles/slurm against a real single-node Slurm (see slurm_cluster.py): the tiny offline
config gives the same results through Slurm as locally, and a failing job is reported."""

import json
import re
import subprocess

import h5py
import numpy as np
import pytest
from gwda.io.layout import event_dir, event_file, psd_file, strain_file
from slurm_cluster import MIN_JOB_AGE, SlurmCluster, unavailable_reason
from workflow_runs import snakemake

TARGET = str(event_file("GW150914", "summary"))
# The same threads on the cluster as in the local run (--cores 2 caps every job at 2; the
# profile asks for 8-16), so that the numbers can be compared exactly.
THREADS = ["generate_waveforms=2", "train_flow=2", "sample_posterior=2", "importance_sample=2"]
# Without slurmdbd there is no sacct: the plugin polls squeue, which keeps finished jobs
# for MinJobAge seconds; the first check must come well before that. The plugin waits this
# long after a job ends or starts, 10 s more after each check that finds nothing finished.
STATUS_INTERVAL = 2
SLURM_TEST_FLAGS = ["--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks",
                    str(STATUS_INTERVAL)]


def _snakemake(root, workdir, *args):
    return snakemake(root, "-d", str(workdir), *args, timeout=1500)


def _numbers(workdir):
    event = event_dir("GW150914", workdir)
    summary = json.loads((event / "summary.json").read_text())
    with h5py.File(event / "posterior.hdf5") as fh:
        weights = fh["NPE-IS/weighted_samples"][()]["weights"]
        chirp = fh["NPE/posterior_samples"][()]["chirp_mass"]
    with h5py.File(event / "psd" / "H1_psd.hdf5") as fh:
        psd = fh["psd"][()]
    return summary, weights, chirp, psd


@pytest.mark.slow
def test_profile_on_a_real_slurm_cluster(root, tmp_path, synthetic_run):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    assert MIN_JOB_AGE > 180      # the plugin waits at most 180 s between checks
    # The local run to compare with: the session's run of the same tiny config on the same files.
    local, cfg, out = synthetic_run
    assert out.returncode == 0, out.stderr[-3000:]
    cluster = tmp_path / "cluster"

    with SlurmCluster():
        out = _snakemake(root, cluster, TARGET, "--profile", str(root / "profiles" / "slurm"), "--configfile",
                         str(cfg), "--set-threads", *THREADS, *SLURM_TEST_FLAGS)
        text = out.stdout + out.stderr
        assert out.returncode == 0, text[-4000:]
        # Every job but the local fetches went through sbatch (the search, 2 PSDs, waveforms,
        # training, sampling, importance sampling), training to the gpu partition with a GPU.
        # "Job 4 has been submitted with SLURM jobid 5 (log: .../slurm_logs/rule_train_flow/GW150914/5.log)."
        jobs = {rule: jobid for jobid, rule in
                re.findall(r"submitted with SLURM jobid (\d+) \(log: \S*?/slurm_logs/rule_(\w+)/", text)}
        assert len(re.findall("submitted with SLURM jobid", text)) == 7, text[-3000:]
        assert {"search_event", "estimate_psd", "generate_waveforms", "train_flow", "sample_posterior", "importance_sample"} <= set(jobs)
        show = subprocess.run(["scontrol", "show", "job", jobs["train_flow"]], capture_output=True, text=True).stdout
        # The GPU request as Slurm 22.05 records it ("TresPerJob=gres:gpu:1"; newer: "gres/gpu:1").
        assert "Partition=gpu" in show and re.search(r"TresPerJob=gres[:/]gpu:1\b", show), show
        slurm_numbers = _numbers(cluster)       # read before the failing job below replaces the PSD

        # A job that fails on the cluster is reported as failed, and leaves no output.
        strain = strain_file("GW150914", "H1", cluster)
        strain.write_bytes(b"not an HDF5 file")
        failed = _snakemake(root, cluster, str(psd_file("GW150914", "H1")), "--profile",
                            str(root / "profiles" / "slurm"), "--configfile", str(cfg), "--set-threads", *THREADS,
                            *SLURM_TEST_FLAGS, "--retries", "0")
        text = failed.stdout + failed.stderr
        assert failed.returncode != 0
        assert "Error in rule estimate_psd" in text and "SLURM" in text, text[-3000:]
        assert not psd_file("GW150914", "H1", cluster).exists()

    (s_local, w_local, c_local, p_local), (s_slurm, w_slurm, c_slurm, p_slurm) = _numbers(local), slurm_numbers
    np.testing.assert_array_equal(p_local, p_slurm)
    np.testing.assert_allclose(c_slurm, c_local, rtol=1e-6)
    np.testing.assert_allclose(w_slurm, w_local, rtol=1e-6, atol=1e-12)
    for key in ("log_evidence", "sample_efficiency", "effective_sample_size", "final_validation_loss"):
        assert s_slurm[key] == pytest.approx(s_local[key], rel=1e-6), key

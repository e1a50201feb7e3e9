import shutil
from pathlib import Path

import pytest

# This checkout's gwda comes first on the path (pyproject.toml: [tool.pytest.ini_options]
# pythonpath), and rules/common.smk puts it first for every job of the workflow.
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHARED_GWOSC = SHARED / "gwosc"

#: Synthetic files span [SYN_START, SYN_START + SYN_DURATION) around a GW150914-like trigger.
SYN_START = 1126259430
SYN_DURATION = 64
SYN_TRIGGER = 1126259462.4


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def shared_gwosc():
    if not (SHARED_GWOSC / "H-H1_LOSC_4_V2-1126259446-32.hdf5").exists():
        pytest.skip(f"real GW150914 GWOSC files not found in {SHARED_GWOSC}")
    return SHARED_GWOSC


@pytest.fixture(scope="session")
def shared_reference():
    path = SHARED / "reference" / "H1L1V1-EXTRACT_POSTERIOR_150914_09H_50M_45UTC-0-1.hdf"
    if not path.exists():
        pytest.skip(f"2-OGC GW150914 posterior not found at {path}")
    return path


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    """GWOSC-format H1/L1 files of coloured Gaussian noise (known PSD) with a sine-Gaussian
    injected at the trigger time."""
    from gwda.io.synthetic import write_gwosc_files

    directory = tmp_path_factory.mktemp("synthetic_gwosc")
    write_gwosc_files(directory, SYN_START, SYN_DURATION, seed=7, injection_time=SYN_TRIGGER)
    return directory


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory, synthetic_dir):
    """The whole default DAG of the tiny configuration on the synthetic files, run once per
    session (the whole-DAG test checks it; the Slurm test compares a cluster run with it):
    (work directory, config file, the finished Snakemake process)."""
    from workflow_runs import snakemake, write_tiny_config

    workdir = tmp_path_factory.mktemp("synthetic_run")
    cfg = write_tiny_config(workdir, ROOT, {"local": {"directory": str(synthetic_dir)}})
    out = snakemake(ROOT, "--cores", "2", "--configfile", str(cfg), "-d", str(workdir))
    return workdir, cfg, out


@pytest.fixture
def synthetic_copy(synthetic_dir, tmp_path):
    """A private copy of the synthetic files that a test may damage."""
    target = tmp_path / "gwosc"
    shutil.copytree(synthetic_dir, target)
    return target


def _local_config(directory, **data_overrides):
    from gwda.config import merge, validate_config

    data = {"source": "local", "local": {"directory": str(directory)},
            "psd": {"duration": 24, "placement": "around"}}
    return validate_config({"events": ["GW150914"], "data": merge(data, data_overrides)})


@pytest.fixture(scope="session")
def local_config():
    """Factory: a validated config reading a directory locally, 24 s of PSD data around the
    4 s GW150914 segment; keyword arguments override keys of the data section."""
    return _local_config

"""Rule scripts: the same stage function from Snakemake or by hand, with the rule's names."""

import inspect
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml
from gwda.cli import JOB
from gwda.stages import CONFIG, coverage, data, denoise, exact, glitches, inference, noise, references, report, search, train

MODULES = {"data": data, "glitches": glitches, "noise": noise, "train": train, "denoise": denoise,
           "inference": inference, "coverage": coverage, "references": references, "exact": exact,
           "report": report, "search": search}


def rule_blocks(root):
    """(family, rule name, its text) of every rule in rules/<family>.smk."""
    out = []
    for smk in sorted((root / "rules").glob("*.smk")):
        for block in re.split(r"\nrule ", "\n" + smk.read_text())[1:]:
            out.append((smk.stem, block.split(":")[0].strip(), block))
    return out


def declared_names(block: str, section: str) -> set[str]:
    """Names declared in a rule's input:/output:/params: section."""
    match = re.search(rf"^    {section}:\n((?:        .*\n|\s*\n)+)", block, flags=re.M)
    return set(re.findall(r"^        (\w+)=", match.group(1), flags=re.M)) if match else set()


def test_every_rule_runs_its_family_stage_with_its_own_config_sections(root):
    rules = [(f, n, b) for f, n, b in rule_blocks(root) if "script:" in b]
    assert {n for _, n, _ in rules} == set(CONFIG)
    for family, name, block in rules:
        assert f'config=stage_config("{name}")' in block, name
        func = getattr(MODULES[family], name)          # the stage lives in its family's module
        script = (root / "workflow_scripts" / f"{name}.py").read_text()
        assert f"run({family}.{name}, globals(), __doc__)" in script, name
        # Every argument the function needs is named by the rule (or is a job argument).
        names = declared_names(block, "input") | declared_names(block, "output") | declared_names(block, "params")
        names |= set(re.findall(r"\{(\w+)\}", block))                    # wildcards
        required = {p for p, v in inspect.signature(func).parameters.items()
                    if v.default is inspect.Parameter.empty and p not in JOB}
        assert required <= names, f"{name}: the rule does not name {sorted(required - names)}"


def test_stages_run_by_hand_as_under_snakemake(root, tmp_path, synthetic_dir):
    """fetch_strain and estimate_psd by hand: options named as the rule's files, the stage
    given its config sections; the PSD of the synthetic data is the one they were made with."""
    from gwda.io import psd_files
    from gwda.io.synthetic import analytic_psd

    config = yaml.safe_load((root / "config" / "test.yaml").read_text())
    config["data"]["local"]["directory"] = str(synthetic_dir)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(config))

    def script(name, *args):
        out = subprocess.run([sys.executable, str(root / "workflow_scripts" / f"{name}.py"), "--config", str(cfg),
                              *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-3000:]

    script("fetch_strain", "--event", "GW150914", "--ifo", "H1", "--strain", "H1.hdf5")
    script("estimate_psd", "--strain", "H1.hdf5", "--psd", "H1_psd.hdf5", "--asd", "H1_asd.txt",
           "--figure", "asd_H1.png")
    psd = psd_files.read(tmp_path / "H1_psd.hdf5")
    assert psd.attrs["n_averages"] == 10                 # 24 s around the 4 s segment (test.yaml)
    band = (psd.frequencies >= 20) & (psd.frequencies <= 1024)
    # 10 median-averaged segments: per-bin relative scatter ~0.45, band median within 10 %.
    assert abs(np.median(psd.values[band] / analytic_psd(psd.frequencies[band])) - 1) < 0.1
    assert (tmp_path / "asd_H1.pdf").is_file()


def test_a_stage_by_hand_refuses_missing_options(root, tmp_path):
    out = subprocess.run([sys.executable, str(root / "workflow_scripts" / "estimate_psd.py"), "--config",
                          str(root / "config" / "test.yaml"), "--strain", "H1.hdf5"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode != 0
    assert "--psd" in out.stderr and "--asd" in out.stderr and "--figure" in out.stderr


@pytest.mark.parametrize("stage", sorted(CONFIG))
def test_config_sections_exist_in_the_schema(stage):
    from gwda.config import validate_config

    config = validate_config({})
    for key in CONFIG[stage]:
        node = config
        for part in key.split("."):
            assert isinstance(node, dict) and part in node, f"{stage}: {key}"
            node = node[part]


def test_boolean_stage_options_are_flags_by_hand(root):
    out = subprocess.run([sys.executable, str(root / "workflow_scripts" / "train_denoiser.py"), "--help"],
                         capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stderr
    assert "--gaussian-only" in out.stdout and "GAUSSIAN_ONLY" not in out.stdout

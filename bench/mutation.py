"""Mutation testing of the physics and statistics core: which plausible bugs would the tests let
through?

For each module below, mutmut (``pip install mutmut``) plants one small change at a time (an
operator, a number, a sign, a dropped argument, ...) in a scratch copy of the package and runs
the module's tests against it; a mutant the tests do not notice *survived*. A survivor is a
missing test, unless the change cannot alter behaviour (an equivalent mutant): those are argued
one by one in ``bench/mutation_equivalents.yaml`` (matched by module, function and the changed
line). The score is killed / (all − argued equivalent); the target is ≥ 0.9 per module.

    python bench/mutation.py [--module gw/likelihood.py ...] [--max-children 1] [--workdir DIR]

Each run is appended to ``bench/results/mutation.json`` with its provenance; the table in
``docs/results.md`` is generated from it (``python -m bench.report``). Several minutes per
module on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow_scripts"))

from gwda.provenance import provenance, record  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "mutation.json"
EQUIVALENTS = ROOT / "bench" / "mutation_equivalents.yaml"

#: Module (under workflow_scripts/gwda) -> the tests that exercise it.
MODULES = {
    "gw/likelihood.py": ["tests/test_simulator.py", "tests/test_alignment.py", "tests/test_posterior_checks.py"],
    "gw/domain.py": ["tests/test_noise.py", "tests/test_simulator.py", "tests/test_psd.py", "tests/test_denoise.py",
                     "tests/test_glitches.py", "tests/test_domain.py"],
    "gw/simulator.py": ["tests/test_simulator.py", "tests/test_alignment.py", "tests/test_simulator_settings.py",
                        "tests/test_simulator_waveform_paths.py", "tests/test_simulator_torch_projection.py"],
    "core/importance.py": ["tests/test_importance.py", "tests/test_npe.py", "tests/test_posterior_checks.py",
                           "tests/test_tilt_fit_convergence.py", "tests/test_importance_cells.py"],
    "core/coverage.py": ["tests/test_validation.py", "tests/test_posterior_checks.py"],
    "core/divergences.py": ["tests/test_validation.py"],
    "glitches/evaluation.py": ["tests/test_glitches.py", "tests/test_glitch_evaluation.py"],
    "denoise/evaluation.py": ["tests/test_denoise.py", "tests/test_denoise_evaluation.py"],
}
#: Tests left out of mutation runs: they train networks for tens of seconds, and each mutant
#: would pay for that again; what they check of these modules other tests check too.
DESELECTED = ["tests/test_npe.py::test_flow_learns_the_analytic_posterior",
              "tests/test_npe.py::test_importance_sampling_recovers_the_analytic_evidence",
              "tests/test_glitches.py::test_gan_learns_a_one_parameter_family_and_the_check_rejects_a_shifted_one"]
#: mutmut's statuses that mean the tests noticed the mutant.
DETECTED = ("killed", "timeout", "segfault")


def scratch_copy(workdir: Path, module: str, tests_from: str | None = None) -> Path:
    """A copy of the package as ``src/gwda`` (the layout mutmut maps to module names), the tests
    (this checkout's, or those of the git revision ``tests_from``) and the config, with
    ``../shared`` reachable as from a checkout."""
    workdir.mkdir(parents=True, exist_ok=True)
    shared = ROOT.parent / "shared"
    if shared.exists() and not (workdir / "shared").exists():
        (workdir / "shared").symlink_to(shared)
    scratch = workdir / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(scratch, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "workflow_scripts" / "gwda", scratch / "src" / "gwda", ignore=ignore)
    if tests_from:
        archive = subprocess.run(["git", "archive", tests_from, "tests"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive.stdout, check=True)
    else:
        shutil.copytree(ROOT / "tests", scratch / "tests", ignore=ignore)
    shutil.copytree(ROOT / "config", scratch / "config", ignore=ignore)
    settings = {
        "tool": {
            "mutmut": {"source_paths": [f"src/gwda/{module}"], "also_copy": ["src", "tests", "config"],
                       "pytest_add_cli_args_test_selection": MODULES[module],
                       "pytest_add_cli_args": ["-p", "no:cacheprovider", "-m", "not slow"]
                       + [f"--deselect={t}" for t in DESELECTED]},
            "pytest": {"ini_options": {"testpaths": ["tests"], "pythonpath": ["src"],
                                       "markers": ["slow: runs the workflow end to end"]}},
        }
    }
    (scratch / "pyproject.toml").write_text(_toml(settings))
    return scratch


def _toml(obj: dict, prefix: str = "") -> str:
    """The few TOML shapes the settings above use (tables of strings and lists of strings)."""
    lines, tables = [], []
    for key, value in obj.items():
        if isinstance(value, dict):
            tables.append(_toml(value, f"{prefix}{key}."))
        else:
            lines.append(f"{key} = " + (repr(value).replace("'", '"')))
    head = f"[{prefix.rstrip('.')}]\n" if prefix and lines else ""
    return head + "".join(f"{line}\n" for line in lines) + "".join(tables)


def run_mutmut(scratch: Path, max_children: int, timeout: float) -> dict[str, str]:
    """Run mutmut in ``scratch``; the status of every mutant by name."""
    # mutmut forks a child per mutant; a child forked after torch started its OpenMP pool can
    # hang, and mutmut records the hang as a timeout, i.e. as killed. One thread avoids it.
    env = {**os.environ, **{k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
    subprocess.run(["mutmut", "run", "--max-children", str(max_children)], cwd=scratch, timeout=timeout, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run(["mutmut", "results", "--all", "true"], cwd=scratch, capture_output=True, text=True,
                         check=True).stdout
    statuses = {}
    for line in out.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep:
            statuses[name] = status.strip()
    return statuses


def describe(scratch: Path, name: str) -> dict:
    """The function a mutant changes and its changed lines (stable across runs, unlike its number)."""
    diff = subprocess.run(["mutmut", "show", name], cwd=scratch, capture_output=True, text=True).stdout
    before = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    after = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    function = re.sub(r"__mutmut_\d+$", "", name.rsplit(".", 1)[-1]).removeprefix("x_")
    return {"name": name, "function": function, "before": " / ".join(before), "after": " / ".join(after)}


def load_equivalents() -> list[dict]:
    return yaml.safe_load(EQUIVALENTS.read_text()) if EQUIVALENTS.exists() else []


def is_argued(mutant: dict, module: str, equivalents: list[dict]) -> dict | None:
    for entry in equivalents:
        if (entry["module"] == module and entry["function"] == mutant["function"]
                and entry["before"] == mutant["before"] and entry["after"] == mutant["after"]):
            return entry
    return None


def measure(module: str, workdir: Path, max_children: int, timeout: float, tests_from: str | None = None) -> dict:
    start = time.time()
    scratch = scratch_copy(workdir, module, tests_from)
    statuses = run_mutmut(scratch, max_children, timeout)
    equivalents = load_equivalents()
    undetected = [{**describe(scratch, name), "status": status} for name, status in sorted(statuses.items())
                  if status not in DETECTED]
    killed = sum(s in DETECTED for s in statuses.values())
    # A timeout counts as killed (an endless loop is a detected change), but is recorded apart:
    # many of them would point at hung test processes rather than at the tests.
    timeouts = sum(s == "timeout" for s in statuses.values())
    return {**score(module, len(statuses), killed, undetected, equivalents), "timeouts": timeouts,
            "tests": MODULES[module], "seconds": round(time.time() - start, 1)}


def score(module: str, mutants: int, killed: int, undetected: list[dict], equivalents: list[dict]) -> dict:
    """The module's score: the undetected mutants split into argued equivalents and survivors."""
    survivors, argued = [], []
    for mutant in undetected:
        mutant = {k: v for k, v in mutant.items() if k != "reason"}
        entry = is_argued(mutant, module, equivalents)
        (argued if entry else survivors).append({**mutant, **({"reason": entry["reason"]} if entry else {})})
    considered = mutants - len(argued)
    return {"mutants": mutants, "killed": killed, "equivalent": len(argued), "survived": len(survivors),
            "score": killed / considered if considered else None, "survivors": survivors, "argued_equivalent": argued}


def rescore(module: str, tests_from: str | None) -> tuple[dict, dict]:
    """The latest recorded run of ``module`` (with the same ``tests_from``), its undetected
    mutants judged again against today's argued equivalents; and that run's provenance."""
    runs = [run for run in json.loads(RESULTS.read_text())["runs"] if module in run["result"]["modules"]
            and bool(run["provenance"].get("tests_from")) == bool(tests_from)]
    if not runs:
        sys.exit(f"no recorded run of {module} in {RESULTS} to rescore")
    run = runs[-1]
    m = run["result"]["modules"][module]
    again = score(module, m["mutants"], m["killed"], m["survivors"] + m["argued_equivalent"], load_equivalents())
    return {**m, **again}, run["provenance"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", nargs="+", choices=list(MODULES), default=list(MODULES))
    parser.add_argument("--max-children", type=int, default=1, help="mutants tested at once (torch-free tests)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gwda-mutation"))
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per module")
    parser.add_argument("--tests-from", metavar="REVISION",
                        help="use the tests of this git revision (e.g. to score the suite before a change)")
    parser.add_argument("--no-record", action="store_true", help=f"print only; do not append to {RESULTS}")
    parser.add_argument("--rescore", action="store_true",
                        help="judge the latest recorded run's undetected mutants again against today's "
                             f"{EQUIVALENTS.name} (no mutants are run)")
    args = parser.parse_args()
    if shutil.which("mutmut") is None and not args.rescore:
        sys.exit("mutmut is not installed: pip install mutmut")
    for module in args.module:
        if args.rescore:
            m, measured = rescore(module, args.tests_from)
            m["rescored_from"] = {"date": measured["date"], "commit": measured["git"]["commit"]}
        else:
            m = measure(module, args.workdir, args.max_children, args.timeout, args.tests_from)
        score = "n/a" if m["score"] is None else f"{m['score']:.3f}"
        print(f"{module:<26} mutants {m['mutants']:>4}  killed {m['killed']:>4}  argued equivalent "
              f"{m['equivalent']:>3}  survived {m['survived']:>3}  score {score}  ({m['seconds']:.0f} s)", flush=True)
        for s in m["survivors"]:
            print(f"    {s['status']:<9} {s['function']}: {s['before']}  ->  {s['after']}", flush=True)
        if not args.no_record:  # one record per module, so that a long run interrupted keeps what it measured
            record_module(module, m, args.tests_from)
            print(f"appended to {RESULTS}", flush=True)


def record_module(module: str, result: dict, tests_from: str | None) -> None:
    import mutmut

    block = provenance(inputs={f"gwda/{module}": ROOT / "workflow_scripts" / "gwda" / module})
    block["mutmut"] = getattr(mutmut, "__version__", None)
    if tests_from:
        block["tests_from"] = subprocess.run(["git", "rev-parse", tests_from], cwd=ROOT, capture_output=True,
                                             text=True).stdout.strip()
    record(RESULTS, {"modules": {module: result}}, block)

if __name__ == "__main__":
    main()

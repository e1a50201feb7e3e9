"""Each rule's conda environment provides every third-party module its script (and the gwda
modules that script uses, transitively) imports, with version bounds matching pyproject.toml (dependencies and extras).
Conda channels are not reachable from the build machines, so this is checked statically."""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GWDA = ROOT / "workflow_scripts" / "gwda"

# top-level import name -> conda (or pip) package name
PACKAGE = {"numpy": "numpy", "scipy": "scipy", "h5py": "h5py", "gwpy": "gwpy", "gwosc": "gwosc",
           "lal": "lalsuite", "lalsimulation": "lalsuite", "lalframe": "lalsuite", "pycbc": "pycbc",
           "torch": "pytorch", "nflows": "nflows", "yaml": "pyyaml", "jsonschema": "jsonschema",
           "matplotlib": "matplotlib", "requests": "requests", "astropy": "astropy", "tqdm": "tqdm",
           "threadpoolctl": "threadpoolctl", "bilby": "bilby", "dynesty": "dynesty", "pandas": "pandas",
           "gengli": "gengli"}
# conda packages that provide another one's modules
PROVIDES = {"lalsuite": {"lalsuite", "python-lal", "python-lalframe", "python-lalsimulation"}}
PYPROJECT_NAME = {"pytorch": "torch"}


def _module_file(name: str) -> Path | None:
    """The file of gwda module ``name`` (dotted), or None if it is not a module of gwda."""
    parts = name.split(".")[1:]
    base = GWDA.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _package_of(path: Path) -> list[str]:
    """The dotted package (as parts) that module file ``path`` belongs to."""
    return list(path.parent.relative_to(GWDA.parent).parts)


def _imports(nodes, path: Path) -> set[str]:
    """Dotted names imported by ``nodes`` (relative imports resolved against ``path``)."""
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(path)
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module
            names.add(base)
            # "from package import module" imports the module
            names |= {f"{base}.{a.name}" for a in node.names if base.split(".")[0] == "gwda"
                      and _module_file(f"{base}.{a.name}") is not None}
    return names


def imports_of(path: Path, function: str | None = None) -> set[str]:
    """Everything ``path`` imports; with ``function`` (a stage module's function that a rule
    runs), the module-level imports and that function's own, not its siblings'."""
    tree = ast.parse(path.read_text())
    if function is None:
        return _imports(ast.walk(tree), path)
    top = [n for stmt in tree.body if not isinstance(stmt, ast.FunctionDef) for n in ast.walk(stmt)]
    own = [n for stmt in tree.body if isinstance(stmt, ast.FunctionDef) and stmt.name == function
           for n in ast.walk(stmt)]
    assert own, f"{path} has no function {function}"
    return _imports(top + own, path)


def _stage_function(script: Path) -> tuple[Path, str]:
    """The stage module and function a rule script runs: run(module.function, ...)."""
    match = re.search(r"^run\((\w+)\.(\w+),", script.read_text(), flags=re.M)
    assert match, f"{script} does not call run(module.function, ...)"
    return GWDA / "stages" / f"{match.group(1)}.py", match.group(2)


def third_party_closure(script: Path) -> set[str]:
    module, function = _stage_function(script)
    todo, seen, found = [(script, None), (module, function)], set(), set()
    while todo:
        path, func = todo.pop()
        if (path, func) in seen:
            continue
        seen.add((path, func))
        for name in imports_of(path, func):
            top = name.split(".")[0]
            if top == "gwda":
                parts = name.split(".")
                for i in range(1, len(parts) + 1):           # a module imports its packages too
                    file = _module_file(".".join(parts[:i]))
                    if file is not None and file != module:
                        todo.append((file, None))
            elif top not in sys.stdlib_module_names:
                found.add(top)
    return found


def rules():
    """(rule name, script path, env path) for every rule with a script."""
    out = []
    for smk in sorted((ROOT / "rules").glob("*.smk")):
        for block in re.split(r"\nrule ", "\n" + smk.read_text())[1:]:
            name = block.split(":")[0].strip()
            script = re.search(r'script:\s*\n\s*"([^"]+)"', block)
            conda = re.search(r'conda:\s*\n\s*"([^"]+)"', block)
            assert conda, f"rule {name} in {smk.name} has no conda: directive"
            if script:
                out.append((name, (smk.parent / script.group(1)).resolve(), (smk.parent / conda.group(1)).resolve()))
    return out


def env_packages(path: Path) -> dict[str, str]:
    """package -> version spec ('' if none), conda and pip entries alike."""
    deps = yaml.safe_load(path.read_text())["dependencies"]
    entries = []
    for d in deps:
        entries += d["pip"] if isinstance(d, dict) else [d]
    out = {}
    for e in entries:
        m = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", e.strip())
        out[m.group(1).lower()] = m.group(2).replace(" ", "")
    return out


@pytest.mark.parametrize("rule, script, env", rules(), ids=[r[0] for r in rules()])
def test_env_provides_every_import(rule, script, env):
    packages = env_packages(env)
    missing = []
    for module in sorted(third_party_closure(script)):
        assert module in PACKAGE, f"{rule}: no conda package known for module {module!r}; add it to PACKAGE"
        wanted = PACKAGE[module]
        if not (PROVIDES.get(wanted, {wanted}) & set(packages)):
            missing.append(f"{module} ({wanted})")
    assert not missing, f"rule {rule}: {env.name} lacks {', '.join(missing)}"


def test_env_versions_agree_with_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    bounds = {}
    for d in deps:
        m = re.match(r"^([A-Za-z0-9_.-]+)(.*)$", d)
        bounds[m.group(1).lower()] = m.group(2)
    for env in sorted((ROOT / "envs").glob("*.yaml")):
        for package, spec in env_packages(env).items():
            name = PYPROJECT_NAME.get(package, package)
            if spec and name in bounds:
                assert spec == bounds[name], f"{env.name}: {package}{spec} but pyproject.toml has {name}{bounds[name]}"


def test_every_rule_has_log_and_conda():
    text = "".join(p.read_text() for p in (ROOT / "rules").glob("*.smk"))
    n_rules = len(re.findall(r"^rule ", text, flags=re.M))
    # "use rule A as B with:" inherits A's conda env and must name its own log.
    n_derived = len(re.findall(r"^use rule \w+ as \w+ with:", text, flags=re.M))
    assert n_rules >= 7
    assert len(re.findall(r"^    log:", text, flags=re.M)) == n_rules + n_derived
    assert len(re.findall(r"^    conda:", text, flags=re.M)) == n_rules


def test_importance_sampling_needs_no_torch():
    """The trained model's description (model.json) is read without torch: the likelihood
    stages run in an environment without it."""
    for rule, script, _ in rules():
        if rule in ("importance_sample", "plot_reconstruction", "compare_posteriors"):
            assert "torch" not in third_party_closure(script), rule

"""The package's layers: imports go one way (README, Layout), and no stage imports another."""

import ast
from pathlib import Path

import pytest

GWDA = Path(__file__).resolve().parents[1] / "workflow_scripts" / "gwda"

#: Each part of gwda and what it may import from gwda (besides its own part).
ALLOWED = {
    "runtime": set(),
    "provenance": {"runtime"},
    "core": {"runtime"},
    "gw": {"runtime", "core"},
    "config": {"gw"},
    "io": {"runtime", "provenance", "core", "gw"},
    "npe": {"runtime", "core", "gw", "io", "glitches"},
    "glitches": {"runtime", "core", "gw", "io"},
    "denoise": {"runtime", "core", "gw", "glitches"},
    "plots": {"runtime", "core", "gw"},
    "stages": {"runtime", "provenance", "core", "gw", "io", "npe", "glitches", "denoise", "plots"},
    "cli": {"runtime", "config", "stages"},
}


def part_of(path: Path) -> str:
    rel = path.relative_to(GWDA)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def gwda_imports(path: Path) -> set[tuple[str, str]]:
    """(part, dotted module) of every gwda module ``path`` imports."""
    package = list(path.parent.relative_to(GWDA.parent).parts)
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            else:
                base = node.module.split(".")
            names = [base + [a.name] for a in node.names] if len(base) == 1 else [base]
        elif isinstance(node, ast.Import):
            names = [a.name.split(".") for a in node.names]
        else:
            continue
        for parts in names:
            if parts[0] == "gwda" and len(parts) > 1 and parts[1] != "__version__":
                out.add((parts[1], ".".join(parts)))
    return out


MODULES = sorted(p for p in GWDA.rglob("*.py") if p.name != "__init__.py" or p.parent != GWDA)


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(GWDA)) for p in MODULES])
def test_imports_go_one_way(path):
    part = part_of(path)
    assert part in ALLOWED, f"{path.relative_to(GWDA)}: a new part of gwda; add it to ALLOWED and the README"
    for target, module in gwda_imports(path):
        assert target == part or target in ALLOWED[part], f"{path.relative_to(GWDA)} ({part}) imports {module}"
        if part == "stages" and target == "stages":
            assert module == "gwda.stages" or path.name == "__init__.py", f"{path.name} imports the stage {module}"

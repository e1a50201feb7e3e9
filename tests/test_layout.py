"""The package's layers: imports go one way (README, Layout), and no stage imports another.
The results layout (gwda.io.layout): the files it names are those the rules write, and the
benchmarks and tests spell no results path themselves."""

import ast
import re
from pathlib import Path

import pytest
from gwda.io.layout import EVENT_FILES, GLITCH_FILES, event_file, glitch_file

ROOT = Path(__file__).resolve().parents[1]
GWDA = ROOT / "workflow_scripts" / "gwda"

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


#: Every rule's text, with the event spelled as the rule outputs spell it.
RULES = "\n".join(p.read_text() for p in sorted((ROOT / "rules").glob("*.smk"))).replace("{wildcards.event}", "{event}")
LAYOUT = ([(f"event:{name}", event_file("{event}", name).as_posix()) for name in EVENT_FILES]
          + [(f"glitches:{name}", glitch_file(name).as_posix()) for name in GLITCH_FILES])


def written_by_a_rule(path: str) -> bool:
    """Whether a rule spells ``path`` whole ("...") or as the folder of its files (".../...")."""
    return re.search(re.escape(path) + r'["/]', RULES) is not None


@pytest.mark.parametrize("path", [path for _, path in LAYOUT], ids=[name for name, _ in LAYOUT])
def test_layout_names_what_the_rules_write(path):
    assert written_by_a_rule(path), f"{path}: no rule in rules/*.smk writes it; gwda.io.layout and the rules differ"


def test_the_rules_check_tells_a_missing_file():
    written = event_file("{event}", "pp_test").as_posix()
    assert written_by_a_rule(written)
    assert not written_by_a_rule(written.removesuffix(".json"))
    assert not written_by_a_rule(written.replace("pp_test", "no_such_file"))


#: A results path spelled by hand: a string that starts with results/, or the results folder
#: joined to a path with / or made a Path (the benchmarks' own bench/results is another folder).
HAND_SPELLED = re.compile(r"""["']results/|(?<!["']bench["'] )/ ["']results["']|Path\(["']results["']""")


def hand_spelled(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if HAND_SPELLED.search(line)]


def test_the_hand_spelled_check_finds_results_paths():
    q = '"'
    assert hand_spelled(f"target = {q}results/GW150914/summary.json{q}")
    assert hand_spelled(f"res = Path({q}results{q}) / name")
    assert hand_spelled(f"event = workdir / {q}results{q} / {q}GW150914{q}")
    assert hand_spelled(f"path = f{q}results/{{event}}/model/network.pt{q}")
    assert not hand_spelled(f"RESULTS = ROOT / {q}bench{q} / {q}results{q} / {q}mutation.json{q}")
    assert not hand_spelled(f"out = {q}bench/results/regression.json{q}")


def test_bench_and_tests_build_results_paths_with_the_layout():
    files = sorted((ROOT / "bench").glob("*.py")) + sorted((ROOT / "tests").glob("*.py"))
    assert len(files) > 10
    found = [f"{path.relative_to(ROOT)}: {line}" for path in files for line in hand_spelled(path.read_text())]
    assert not found, "results paths spelled by hand (build them with gwda.io.layout):\n" + "\n".join(found)

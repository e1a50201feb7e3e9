"""The documentation: the measured numbers come from the measurement files (bench/report.py
writes them; the committed documents must equal what it writes), the README's configuration
defaults are the schema's, its links resolve, and it stays a readable size."""

import re
from pathlib import Path

import pytest
import yaml

from gwda.config import validate_config

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_results_document_is_generated_from_the_measurement_files():
    from bench.report import DOC, results_document

    assert DOC.read_text() == results_document(), "docs/results.md is out of date: python -m bench.report"


def test_readme_headline_table_is_generated_from_the_latest_workflow_run():
    from bench.report import README, readme_with_headline

    text = README.read_text()
    assert text == readme_with_headline(text), "README.md's results table is out of date: python -m bench.report"


def test_readme_is_user_documentation_of_at_most_300_lines():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 300


def _default(defaults: dict, key: str):
    node = defaults
    for part in key.split("."):
        node = node[part]
    return node


def test_readme_configuration_defaults_are_the_schemas():
    defaults = validate_config({})       # the schema's defaults, shared definitions resolved
    rows = re.findall(r"^\| `([a-z_.]+)` \| `([^`]*)` \|", (ROOT / "README.md").read_text(), flags=re.M)
    assert len(rows) >= 15
    for key, default in rows:
        assert yaml.safe_load(default) == _default(defaults, key), key


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.relative_to(ROOT).as_posix() for p in DOCUMENTS])
def test_relative_links_resolve(path):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (path.parent / target).exists(), f"{path.relative_to(ROOT)} links to a missing {target}"

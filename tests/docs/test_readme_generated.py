"""The README's generated parts are what `make readme` renders from the results."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"
REQUIRED = ("name", "status", "source", "date", "commit", "machine", "rows")


def renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "benchmarks_readme", BENCHMARKS / "readme.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_equals_its_render_from_the_results():
    readme = renderer()
    text = readme.README.read_text()
    assert readme.render(text, readme.load()) == text, (
        "README.md differs from what `make readme` renders from "
        "benchmarks/results/*.json: run `make readme`"
    )


@pytest.mark.parametrize(
    "path", sorted((BENCHMARKS / "results").glob("*.json")), ids=lambda p: p.name
)
def test_every_result_says_where_when_and_on_what_it_was_measured(path):
    record = json.loads(path.read_text())
    assert all(record.get(key) for key in REQUIRED if key != "rows"), record
    assert record["name"] == path.stem
    assert record["status"] in ("measured", "quoted", "pending")
    if record["status"] != "measured":
        assert record["source"].startswith("quoted from"), record["source"]
    if record["status"] == "pending":
        assert record["pending"]


def test_the_counts_shown_for_make_test_come_from_its_output():
    readme = renderer()
    record = readme.load()["make_test"]
    shown = "\n".join(record["output"])
    if record["figures"].get("source_files"):
        assert f"in {record['figures']['source_files']} source files" in shown
    passed = record["figures"].get("tests", {}).get("passed")
    assert passed is None or f"{passed} passed" in shown

"""Docs as tests for the package layout: docstrings, module names, quiet imports."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import evroam

PACKAGE_ROOT = Path(evroam.__file__).parent
MODULES = sorted(PACKAGE_ROOT.rglob("*.py"))
FORBIDDEN_NAMES = {"utils", "util", "helpers", "helper", "common", "misc", "manager"}
MAX_SUMMARY_CHARS = 88


def module_id(path: Path) -> str:
    return path.relative_to(PACKAGE_ROOT.parent).as_posix()


class TestModuleDocstrings:
    @pytest.mark.parametrize("path", MODULES, ids=module_id)
    def test_every_module_states_its_responsibility_in_one_line(self, path):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))

        assert docstring, f"{module_id(path)} has no module docstring"
        summary = docstring.splitlines()[0]
        assert summary.strip(), "the docstring must open with a summary line"
        assert summary.rstrip().endswith("."), "the summary is a sentence"
        assert len(summary) <= MAX_SUMMARY_CHARS
        if len(docstring.splitlines()) > 1:
            assert not docstring.splitlines()[1].strip(), "a blank line follows it"


class TestModuleNames:
    def test_no_module_or_package_has_a_grab_bag_name(self):
        names = {p.stem for p in MODULES} | {
            d.name for d in PACKAGE_ROOT.rglob("*") if d.is_dir()
        }

        assert not names & FORBIDDEN_NAMES

    def test_the_package_exposes_its_version(self):
        assert evroam.__version__.count(".") == 2


PUBLIC_PACKAGES = [
    "evroam.gateways",
    "evroam.gateways.ocpi",
    "evroam.gateways.tcec",
    "evroam.protocols",
    "evroam.protocols.ocpi_2_2_1",
    "evroam.protocols.tcec_102",
    "evroam.scenario",
    "evroam.simulator",
]


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


class TestPackageApi:
    @pytest.mark.parametrize("name", PUBLIC_PACKAGES)
    def test_a_package_lists_its_public_names_sorted_and_complete(self, name):
        package = importlib.import_module(name)
        exported = package.__all__
        public = {
            n
            for n, value in vars(package).items()
            if not n.startswith("_") and not isinstance(value, ModuleType)
        }

        assert exported == sorted(exported, key=isort_order)
        assert set(exported) == public


QUIET_IMPORT = textwrap.dedent(
    """
    import asyncio, threading
    before = threading.active_count()
    import evroam, evroam.api.app
    after = threading.active_count()
    from fastapi import FastAPI
    apps = [n for n, v in vars(evroam.api.app).items() if isinstance(v, FastAPI)]
    print(before, after, apps)
    """
)


class TestImportsStartNothing:
    def test_importing_the_package_and_the_app_starts_no_thread_or_app(self):
        result = subprocess.run(
            [sys.executable, "-c", QUIET_IMPORT],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert result.returncode == 0, result.stderr
        before, after, apps = result.stdout.split(maxsplit=2)
        assert after == before, "an import started a thread"
        assert apps.strip() == "[]", "an app instance was built at import time"

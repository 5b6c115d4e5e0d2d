"""A fresh clone anywhere passes: nothing reads files outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A path that leaves the repository: the workspace's shared folder, a parent directory
# joined onto a repository path, or an absolute path under the machine's work area.
OUTSIDE = re.compile(r"""(\.\./shared\b|["']/work/|["']/home/|["']/root/)""")
CHECKED = ("src", "tests", "benchmarks", "Makefile", ".ci")


def _files() -> list[Path]:
    found: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in {".py", ".sh", ""}
                and "fixtures" not in p.parts
                and "__pycache__" not in p.parts
                and p.resolve() != Path(__file__).resolve()
            )
    return found


class TestTheRepositoryIsSelfContained:
    def test_reads_no_file_outside_the_repository(self):
        hits = [
            f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
            for path in _files()
            for number, line in enumerate(
                path.read_text(errors="ignore").splitlines(), 1
            )
            if OUTSIDE.search(line)
        ]
        assert hits == [], "copy the file into tests/fixtures/ with a SOURCE.md"

    def test_every_fixture_folder_names_its_source(self):
        folders = [p for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir()]
        assert folders, "tests/fixtures holds the reference material"
        missing = [p.name for p in folders if not (p / "SOURCE.md").is_file()]
        assert missing == []

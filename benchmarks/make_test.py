"""`make test` as the README shows it: its output, counts and wall time, as JSON.

    python benchmarks/make_test.py [--fresh-clone]

Runs `make test` (in this checkout, or with --fresh-clone in a fresh clone of HEAD in
a temporary directory, creating its .venv as on a new machine), prints its output as
it comes, and writes ``benchmarks/results/make_test.json``: the output lines the
README shows (pip's location warnings dropped), the source-file and test counts and
the wall time. `make readme` then renders the README's `make test` block from it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from result_file import ROOT_OF, commit, save_result

NOISE = re.compile(r"^(WARNING: Location |\s*$)")
SOURCE_FILES = re.compile(r"Success: no issues found in (\d+) source files")
SUMMARY = re.compile(r"^=+ (?P<counts>.+) in (?P<seconds>[\d.]+)s")
COUNT = re.compile(r"(\d+) (passed|failed|skipped|error|errors|xfailed|xpassed)")


def run_make_test(where: Path) -> tuple[list[str], float, int]:
    began = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "test"],
        cwd=where,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        if not NOISE.match(line):
            lines.append(line.rstrip("\n"))
    return lines, time.perf_counter() - began, proc.wait()


def figures(lines: list[str], wall_s: float, code: int) -> dict[str, object]:
    text = "\n".join(lines)
    found = SOURCE_FILES.search(text)
    summary = next((m for line in lines if (m := SUMMARY.match(line))), None)
    counts = (
        {kind: int(n) for n, kind in COUNT.findall(summary["counts"])}
        if summary
        else {}
    )
    return {
        "exit_code": code,
        "source_files": int(found[1]) if found else None,
        "tests": counts,
        "pytest_s": float(summary["seconds"]) if summary else None,
        "wall_s": round(wall_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-clone", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="evroam-make-test.") as tmp:
        where = ROOT_OF
        if args.fresh_clone:
            where = Path(tmp) / "evroam"
            subprocess.run(["git", "clone", "-q", str(ROOT_OF), str(where)], check=True)
        lines, wall_s, code = run_make_test(where)
    found = figures(lines, wall_s, code)
    place = "a fresh clone" if args.fresh_clone else "a checkout with .venv in place"
    minutes = f"{wall_s / 60:.1f} min"
    rows = []
    if args.fresh_clone:
        rows.append(
            {
                "what": "fresh clone to a green `make test`, installs included (≤ 10 min)",
                "measured": minutes,
                "script": "`make_test.py --fresh-clone`",
            }
        )
    save_result(
        "make_test",
        rows,
        found,
        extra={
            "output": lines,
            "source": f"`make test` in {place} at {commit()} ({minutes} wall)",
        },
    )
    if code != 0:
        raise SystemExit(code)


if __name__ == "__main__":
    main()

"""Where a benchmark leaves its figures: ``benchmarks/results/<name>.json``.

Each file holds the machine, the date, the commit, the command, the raw
``figures`` and the README ``rows`` (what, measured, script) that `make readme`
renders into the README's figures table. A file seeded from figures the docs
quoted before the scripts wrote JSON says so in ``source``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
ROOT_OF = Path(__file__).parents[1]  # the repository


def row(what: str, measured: str, script: str) -> dict[str, str]:
    """One line of the README's figures table."""
    return {"what": what, "measured": measured, "script": script}


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, cwd=ROOT_OF
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return (
        f"{head}-dirty"
        if git("status", "--porcelain", "--untracked-files=no")
        else head
    )


def save_result(
    name: str,
    rows: list[dict[str, str]],
    figures: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write ``benchmarks/results/<name>.json`` and say where (``extra`` keys
    are added, or replace the defaults)."""
    record = {
        "name": name,
        "status": "measured",
        "source": f"measured by benchmarks/{name}.py",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "commit": commit(),
        "machine": machine(),
        "command": " ".join(["python", *sys.argv]),
        "figures": figures,
        "rows": rows,
        **(extra or {}),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {path} (run `make readme` to update the README)")
    return path

"""`make demo` on a fresh clone: seconds from the command to a usable map.

    python benchmarks/demo_fresh_clone.py

Clones HEAD into an empty temporary directory and runs the README's `make demo` there,
as a new user would: the venv, the pip install, the web build (npm) and the reference
scenario's onboarding all count. The clock stops when the hub answers /api/v1/health,
serves the map page and has printed "Ctrl-C stops everything." (what `.ci/run`'s smoke
step waits for); then the demo is stopped with Ctrl-C. Port 8000 and 9101-9103 must be
free. Prints one table and writes ``benchmarks/results/demo_fresh_clone.json``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from result_file import ROOT_OF, row, save_result

READY = "Ctrl-C stops everything."
HUB = "http://127.0.0.1:8000"
PULLED = re.compile(r"✓ (?P<name>[^(]+) \(.*?pulled in\s+(?P<s>[\d.]+)\s*s", re.S)
GIVE_UP_S = 900.0


def map_is_served(log: Path) -> bool:
    if READY not in log.read_text(errors="replace"):
        return False
    try:
        page = httpx.get(f"{HUB}/", timeout=5).text
        return httpx.get(f"{HUB}/api/v1/health", timeout=5).is_success and (
            'id="map"' in page
        )
    except httpx.HTTPError:
        return False


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="evroam-demo-") as tmp:
        clone = Path(tmp) / "evroam"
        subprocess.run(
            ["git", "clone", "--quiet", str(ROOT_OF), str(clone)], check=True
        )
        log = Path(tmp) / "demo.log"
        began = time.perf_counter()
        with log.open("w") as out:
            proc = subprocess.Popen(
                ["make", "demo"], cwd=clone, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            while not map_is_served(log):
                if proc.poll() is not None or time.perf_counter() - began > GIVE_UP_S:
                    sys.exit(f"make demo did not serve the map:\n{log.read_text()}")
                time.sleep(0.5)
            map_s = time.perf_counter() - began
        finally:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        text = log.read_text(errors="replace")
        pulls = {m["name"].strip(): float(m["s"]) for m in PULLED.finditer(text)}
    print(f"{'what':<44} {'seconds':>8}")
    print(f"{'fresh clone: make demo to a usable map':<44} {map_s:>8.1f}")
    for name, seconds in pulls.items():
        print(f"{'  of which onboarding ' + name:<44} {seconds:>8.1f}")
    pulled = ", ".join(f"{name} {s:.1f} s" for name, s in pulls.items())
    save_result(
        "demo_fresh_clone",
        [
            row(
                "fresh clone to a usable map with `make demo` "
                "(venv, pip, npm, onboarding counted; ≤ 90 s)",
                f"{map_s:.0f} s (partner pulls: {pulled})",
                "`demo_fresh_clone.py`",
            )
        ],
        {"map_s": round(map_s, 1), "pulls_s": pulls},
    )


if __name__ == "__main__":
    main()

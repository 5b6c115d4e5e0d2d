"""`make demo`'s dashboard, measured: time to the map, time to the backfill, and the
figures the operator's dashboard then shows.

Runs the real ``evroam demo`` (three partner simulators, the hub, onboarding, then the
backfill of the last 7 days: ADR 0025) in a fresh temporary directory on free ports,
times the moment it serves the map and the moment the backfill says it is done, then
reads the admin API the dashboard reads (utilisation, occupancy, hot spots,
under-served areas, coverage) and each partner's statements for the months the days
cover. Prints one table and writes ``benchmarks/results/demo_dashboard.json``.

    python benchmarks/demo_dashboard.py                 # the whole reference scenario
    python benchmarks/demo_dashboard.py --bbox 120.5,30.7,121.9,31.7   # Shanghai only

Nothing here is a test (the venv is not counted: it exists already).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from result_file import row, save_result

READY = "Ctrl-C stops everything."
BACKFILLED = "backfilled"
PARTNERS = ("swapway", "rapidgrid", "neighbourly")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def free_port_block(count: int) -> int:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.e2e.processes import free_port_block as find

    return find(count)


def wait_for(
    log: Path, text: str, proc: subprocess.Popen[bytes], timeout_s: float
) -> float:
    started = time.monotonic()
    while text not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() - started > timeout_s:
            raise RuntimeError(f"no {text!r} in time:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    return time.monotonic()


def dashboard(url: str, token: str, days: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    base = "/api/v1/admin/analytics"
    with httpx.Client(base_url=url, headers=headers, timeout=300) as http:

        def get(path: str, **params: Any) -> Any:
            started = time.perf_counter()
            reply = http.get(path, params=params)
            reply.raise_for_status()
            timings[path] = round(time.perf_counter() - started, 2)
            return reply.json()

        timings: dict[str, float] = {}
        utilisation = get(f"{base}/utilisation", by="partner", days=days)
        occupancy = get(f"{base}/occupancy", days=days)
        hotspots = get(f"{base}/hotspots", days=days, top=20)
        shared = get(f"{base}/hotspots", days=days, top=20, audience="partner")
        underserved = get(f"{base}/underserved", days=days, top=20)
        coverage = get(f"{base}/coverage")
        now = datetime.now(UTC)
        months = sorted(
            {(now - timedelta(days=d)).strftime("%Y-%m") for d in range(days + 1)}
        )
        statements = [
            get("/api/v1/admin/settlements", partner=p, period=m)
            for p in PARTNERS
            for m in months
        ]
    return {
        "utilisation": {i["key"]: i["share"] for i in utilisation["items"]},
        "occupancy": occupancy["shares"],
        "hotspots": hotspots["items"],
        "shared_hotspots": len(shared["items"]),
        "underserved": underserved["items"],
        "coverage": coverage["swap_share"],
        "statements": statements,
        "report_seconds": timings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbox", default=None)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="evroam-demo-bench-"))
    port, first = free_port_block(1), free_port_block(3)
    command = [sys.executable, "-m", "evroam", "demo", "--port", str(port),
               "--first-partner-port", str(first), "--backfill-days", str(args.days)]  # fmt: skip
    if args.bbox:
        command += ["--bbox", args.bbox]
    log = work / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVROAM_")}
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                env={**env, "COLUMNS": "200"}, start_new_session=True)  # fmt: skip
    try:
        ready = wait_for(log, READY, proc, args.timeout) - started
        done = wait_for(log, BACKFILLED, proc, args.timeout) - started
        token = json.loads((work / "var" / "secrets.json").read_text())["admin_token"]
        seen = dashboard(f"http://127.0.0.1:{port}", token, args.days)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    output = log.read_text()
    report(args, ready, done, seen, output)


def report(
    args: argparse.Namespace,
    ready: float,
    done: float,
    seen: dict[str, Any],
    output: str,
) -> None:
    shares = seen["utilisation"]
    grid = seen["occupancy"]
    peak_day, peak_hour = max(
        ((d, h) for d in range(7) for h in range(24)), key=lambda dh: grid[dh[0]][dh[1]]
    )
    low_day, low_hour = min(
        ((d, h) for d in range(7) for h in range(24)), key=lambda dh: grid[dh[0]][dh[1]]
    )
    billed = [s for s in seen["statements"] if s["sessions"]]
    sessions = sum(s["sessions"] for s in billed)
    kwh = sum(float(s["kwh"]) for s in billed)
    owed = sum(float(s["amount_owed"]) for s in billed)
    top = seen["hotspots"][0] if seen["hotspots"] else None
    backfill_line = next(line for line in output.splitlines() if "backfilled" in line)
    print(f"map served after   {ready:6.1f} s (the venv existed)")
    print(f"backfill done after {done:6.1f} s: {backfill_line.strip()}")
    for key, share in sorted(shares.items()):
        print(f"utilisation {key:<12} {share:6.1%}")
    print(f"occupancy peak {WEEKDAYS[peak_day]} {peak_hour:02d}:00 {grid[peak_day][peak_hour]:.1%}, "
          f"low {WEEKDAYS[low_day]} {low_hour:02d}:00 {grid[low_day][low_hour]:.1%}")  # fmt: skip
    print(
        f"statements: {sessions} sessions, {kwh:,.1f} kWh, ¥{owed:,.2f} owed to partners"
    )
    if top:
        print(f"hot spots: {len(seen['hotspots'])}, top cell {top['kwh']:.0f} kWh "
              f"({top['sessions']} sessions, {top['drivers']} drivers); "
              f"{seen['shared_hotspots']} shareable with partners (k = 10)")  # fmt: skip
    print(f"under-served cells: {len(seen['underserved'])}")
    print(f"report seconds: {seen['report_seconds']}")
    area = (
        f" (--bbox {args.bbox})" if args.bbox else " (reference scenario, 29,000 piles)"
    )
    utilisation = ", ".join(f"{k} {v:.1%}" for k, v in sorted(shares.items()))
    save_result(
        "demo_dashboard",
        [
            row(
                f"`make demo`{area}: map served, then {args.days} past days backfilled "
                "(≤ 90 s to the map)",
                f"map after {ready:.0f} s (venv present), backfill done after {done:.0f} s",
                "`demo_dashboard.py`",
            ),
            row(
                "the operator's dashboard after it",
                f"utilisation {utilisation}; occupancy peak {WEEKDAYS[peak_day]} "
                f"{peak_hour:02d}:00 {grid[peak_day][peak_hour]:.0%}, low "
                f"{WEEKDAYS[low_day]} {low_hour:02d}:00 {grid[low_day][low_hour]:.0%}; "
                f"{sessions} charges, {kwh:,.0f} kWh, ¥{owed:,.2f} owed to partners; "
                f"{len(seen['hotspots'])} hot spots (top {top['kwh'] if top else 0:.0f} kWh); "
                f"{len(seen['underserved'])} under-served cells",
                "`demo_dashboard.py`",
            ),
        ],
        {
            "map_s": round(ready, 1),
            "backfill_done_s": round(done, 1),
            "backfill": backfill_line.strip(),
            "utilisation": shares,
            "occupancy_peak": [
                WEEKDAYS[peak_day],
                peak_hour,
                grid[peak_day][peak_hour],
            ],
            "occupancy_low": [WEEKDAYS[low_day], low_hour, grid[low_day][low_hour]],
            "sessions": sessions,
            "kwh": round(kwh, 1),
            "owed": round(owed, 2),
            "hotspots": len(seen["hotspots"]),
            "shared_hotspots": seen["shared_hotspots"],
            "underserved": len(seen["underserved"]),
            "report_seconds": seen["report_seconds"],
        },
    )


if __name__ == "__main__":
    main()

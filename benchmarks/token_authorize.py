"""OCPI real-time authorization: latency at a concurrency, and the hub's CPU per call.

Makes a hub database (SQLite in a temporary directory) with ``--accounts`` app
tokens and one registered OCPI partner (``tokens.prepare``), serves it with
``evroam serve`` (its own process, one worker), warms it up, then, from this
process as a CPO would, keeps ``--concurrency`` requests of
``POST /ocpi/2.2.1/tokens/{uid}/authorize`` in flight until ``--requests``
have answered. Reports p50/p99 latency, the rate reached and the server's CPU
time per request (``/proc/<pid>/stat``: user + system), the figure that does
not depend on how loaded the machine is.

    python benchmarks/token_authorize.py --accounts 100000 --requests 3000 \
        --concurrency 20

Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from partner_pull import free_port, stop, wait_http
from result_file import row, save_result
from tokens import auth, prepare

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


async def load(
    base: str, uids: list[str], requests: int, concurrency: int
) -> tuple[list[float], int, float]:
    """Latencies (ms), errors and wall seconds of ``requests`` calls."""
    latencies: list[float] = []
    errors = 0
    rng = random.Random(7)
    left = requests
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def worker() -> None:
            nonlocal errors, left
            while left > 0:
                left -= 1
                uid = rng.choice(uids)
                began = time.perf_counter()
                try:
                    response = await http.post(
                        f"{base}/ocpi/2.2.1/tokens/{uid}/authorize?type=APP_USER",
                        headers=auth(),
                    )
                    ok = response.json()["data"]["allowed"] == "ALLOWED"
                except (httpx.HTTPError, KeyError, ValueError):
                    ok = False
                latencies.append((time.perf_counter() - began) * 1000)
                errors += 0 if ok else 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=3_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env, uids = prepare(Path(tmp), args.accounts)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "evroam", "serve", "--port", str(port)],
            env={**env, "EVROAM_MAINTENANCE_INTERVAL_S": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/api/v1/health", server)
            asyncio.run(load(base, uids, 200, args.concurrency))  # warm up
            cpu_before = cpu_s(server.pid)
            latencies, errors, wall_s = asyncio.run(
                load(base, uids, args.requests, args.concurrency)
            )
            cpu_ms = (cpu_s(server.pid) - cpu_before) * 1000 / len(latencies)
        finally:
            stop([server])
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    rate = len(latencies) / wall_s
    print("| measure | value |\n| --- | --- |")
    print(f"| requests | {len(latencies):,} at concurrency {args.concurrency} |")
    print(f"| p50 / p99 | {p50:.1f} / {p99:.1f} ms |")
    print(f"| rate reached | {rate:.0f} req/s |")
    print(f"| hub CPU per request | {cpu_ms:.2f} ms |")
    print(f"| errors | {errors} |")
    if args.no_save:
        return
    save_result(
        "token_authorize",
        [
            row(
                f"OCPI real-time authorize, {len(latencies):,} requests at "
                f"concurrency {args.concurrency} ({args.accounts:,} tokens; "
                "machine shared with other sessions)",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {rate:.0f} req/s, "
                f"hub CPU {cpu_ms:.2f} ms a request, {errors} errors "
                "(target p99 <= 100 ms)",
                "benchmarks/token_authorize.py",
            ),
        ],
        {
            "accounts": args.accounts,
            "requests": len(latencies),
            "concurrency": args.concurrency,
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "rate_per_s": round(rate, 1),
            "server_cpu_ms_per_request": round(cpu_ms, 3),
            "errors": errors,
        },
    )


if __name__ == "__main__":
    main()

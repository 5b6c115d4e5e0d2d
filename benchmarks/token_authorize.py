"""OCPI real-time authorization: latency at a concurrency, and the hub's CPU per call.

Makes a hub database (SQLite in a temporary directory) with ``--accounts`` app
tokens and one registered OCPI partner (``tokens.prepare``), serves it with
``evroam serve`` (its own process, one worker), warms it up, then, from this
process as a CPO would, keeps ``--concurrency`` requests of
``POST /ocpi/2.2.1/tokens/{uid}/authorize`` in flight until ``--requests``
have answered. Reports p50/p99 latency, the rate reached and the server's CPU
time per request (``/proc/<pid>/stat``: user + system); then the app's own CPU
per request, called in process without HTTP (``time.process_time``, the
worker thread's share included): the figures that depend least on how loaded
the machine is.

    python benchmarks/token_authorize.py --accounts 100000 --requests 3000 \
        --concurrency 20

Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
from partner_pull import free_port, stop, wait_http
from result_file import row, save_result
from tokens import TOKEN_B, authorize_once, prepare

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
                ok = await authorize_once(http, base, rng.choice(uids), latencies)
                errors += 0 if ok else 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - began


async def app_cpu_ms(uids: list[str], requests: int) -> float:
    """The app's CPU per authorize call, ASGI called directly (no HTTP, no client);
    the best of three rounds."""
    from evroam.api.asgi import app_from_environment

    header = b"Token " + base64.b64encode(TOKEN_B.encode())
    app = app_from_environment()

    async def call(uid: str) -> None:
        sent: list[MutableMapping[str, Any]] = []
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": f"/ocpi/2.2.1/tokens/{uid}/authorize",
            "raw_path": b"",
            "query_string": b"type=APP_USER",
            "root_path": "",
            "headers": [(b"host", b"hub"), (b"authorization", header)],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        if sent[0]["status"] != 200:
            raise SystemExit(f"authorize answered {sent[0]['status']}")

    rounds = []
    async with app.router.lifespan_context(app):
        for uid in uids[:100]:
            await call(uid)
        for _ in range(3):
            began = time.process_time()
            for n in range(requests):
                await call(uids[n % len(uids)])
            rounds.append((time.process_time() - began) * 1000 / requests)
    return min(rounds)


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
            load_1m = os.getloadavg()[0]
        finally:
            stop([server])
        os.environ["EVROAM_MAINTENANCE_INTERVAL_S"] = "0"
        app_ms = asyncio.run(app_cpu_ms(uids, 1000))
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    rate = len(latencies) / wall_s
    print("| measure | value |\n| --- | --- |")
    print(f"| requests | {len(latencies):,} at concurrency {args.concurrency} |")
    print(f"| p50 / p99 | {p50:.1f} / {p99:.1f} ms |")
    print(f"| rate reached | {rate:.0f} req/s |")
    print(f"| hub CPU per request | {cpu_ms:.2f} ms |")
    print(f"| app CPU per request, in process | {app_ms:.2f} ms |")
    print(f"| errors | {errors} |")
    print(f"| machine load (1 min, 2 cores) | {load_1m:.1f} |")
    if args.no_save:
        return
    save_result(
        "token_authorize",
        [
            row(
                f"OCPI real-time authorize, {len(latencies):,} requests at "
                f"concurrency {args.concurrency} ({args.accounts:,} tokens; "
                f"2 cores shared with other sessions, load {load_1m:.0f})",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {rate:.0f} req/s, "
                f"hub CPU {cpu_ms:.2f} ms a request ({app_ms:.2f} ms in the app "
                f"itself), {errors} errors (target p99 <= 100 ms)",
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
            "app_cpu_ms_per_request": round(app_ms, 3),
            "load_1m": round(load_1m, 1),
            "errors": errors,
        },
    )


if __name__ == "__main__":
    main()

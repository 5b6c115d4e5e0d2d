"""OCPI Tokens benchmark: a CPO's full token pull and real-time authorization.

Makes a hub database (SQLite in a temporary directory) with ``--accounts`` app
tokens and one registered OCPI partner, serves it with ``evroam serve`` (its
own process), then, from this process as the CPO would:

(a) pulls every token (``GET /ocpi/2.2.1/tokens``, pages of 1,000 following
    ``Link``; target: 100,000 tokens in <= 60 s), and
(b) calls ``POST /ocpi/2.2.1/tokens/{uid}/authorize`` at ``--rate`` requests
    per second (open loop: requests start on schedule whether or not earlier
    ones answered) for ``--seconds``; p50/p99 latency (target p99 <= 100 ms
    at 200 req/s).

    python benchmarks/tokens.py --accounts 100000 --rate 200 --seconds 30

Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from partner_pull import free_port, stop, wait_http
from result_file import row, save_result
from sqlalchemy import insert

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.config import Settings
from evroam.partners.model import Partner
from evroam.shared.ids import OperatorId
from evroam.storage.engine import create_database_engine
from evroam.storage.partner_repository import SqlPartnerRepository
from evroam.storage.partner_secrets import CredentialSeal
from evroam.storage.token_tables import driver_tokens
from evroam.tokens.model import new_app_uid

TOKEN_B = "bench-cpo-token-" + secrets.token_hex(8)


def prepare(directory: Path, accounts: int) -> tuple[dict[str, str], list[str]]:
    """The serve environment and the uids of the tokens made."""
    env = {
        **os.environ,
        "EVROAM_DATABASE_URL": f"sqlite:///{directory / 'hub.db'}",
        "EVROAM_DATA_DIR": str(directory),
    }
    subprocess.run(
        [sys.executable, "-m", "evroam", "db", "upgrade", "--init"],
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update({k: v for k, v in env.items() if k.startswith("EVROAM_")})
    settings = Settings()
    engine = create_database_engine(settings.database_url)
    start = datetime.now(UTC) - timedelta(days=1)
    uids = [new_app_uid() for _ in range(accounts)]
    rows = [
        {
            "uid": uid,
            "kind": "app",
            "contract_id": f"CN-EVR-C{n:08d}",
            "account_id": f"acc_{n:016x}",
            "state": "active",
            "visual_number": None,
            "updated_at": start + timedelta(milliseconds=n),
        }
        for n, uid in enumerate(uids)
    ]
    with engine.begin() as conn:
        for first in range(0, len(rows), 10_000):
            conn.execute(insert(driver_tokens), rows[first : first + 10_000])
    SqlPartnerRepository(engine, CredentialSeal(settings.data_key)).save(
        Partner(
            OperatorId("benchcpo"),
            "Bench CPO",
            Protocol.OCPI,
            OperatorProfile.FAST,
            "http://127.0.0.1:9/ocpi/versions",
            {"token_b": TOKEN_B, "token_c": "unused", "endpoints": "{}"},
        )
    )
    engine.dispose()
    return env, uids


def auth() -> dict[str, str]:
    return {"Authorization": f"Token {base64.b64encode(TOKEN_B.encode()).decode()}"}


async def pull_all(base: str) -> tuple[int, float]:
    url: str | None = f"{base}/ocpi/2.2.1/tokens?offset=0&limit=1000"
    count = 0
    began = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as http:
        while url is not None:
            response = await http.get(url, headers=auth())
            response.raise_for_status()
            count += len(response.json()["data"])
            link = response.links.get("next")
            url = link["url"] if link else None
    return count, time.perf_counter() - began


async def authorize_once(
    http: httpx.AsyncClient, base: str, uid: str, latencies: list[float]
) -> bool:
    """One real-time authorization of ``uid``, its latency in ms appended to
    ``latencies``; whether the hub answered ALLOWED."""
    began = time.perf_counter()
    try:
        response = await http.post(
            f"{base}/ocpi/2.2.1/tokens/{uid}/authorize?type=APP_USER", headers=auth()
        )
        ok = response.json()["data"]["allowed"] == "ALLOWED"
    except (httpx.HTTPError, KeyError, ValueError):
        ok = False
    latencies.append((time.perf_counter() - began) * 1000)
    return ok


async def authorize_load(
    base: str, uids: list[str], rate: float, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(timeout=10, limits=limits) as http:

        async def one() -> None:
            nonlocal errors
            ok = await authorize_once(http, base, rng.choice(uids), latencies)
            errors += 0 if ok else 1

        tasks = []
        start = time.perf_counter()
        total = int(rate * seconds)
        for n in range(total):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env, uids = prepare(Path(tmp), args.accounts)
        print(f"made {len(uids):,} tokens", flush=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "evroam", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/api/v1/health", server)
            pulled, pull_s = asyncio.run(pull_all(base))
            print(f"pulled {pulled:,} in {pull_s:.1f} s", flush=True)
            latencies, errors = asyncio.run(
                authorize_load(base, uids, args.rate, args.seconds)
            )
        finally:
            stop([server])
    cuts = statistics.quantiles(latencies, n=100)
    p50, p99 = statistics.median(latencies), cuts[98]
    print("| measure | value |\n| --- | --- |")
    print(f"| tokens pulled | {pulled:,} in {pull_s:.1f} s |")
    print(f"| authorize requests | {len(latencies):,} at {args.rate:.0f}/s |")
    print(f"| authorize p50 / p99 | {p50:.1f} / {p99:.1f} ms |")
    print(f"| authorize errors | {errors} |")
    save_result(
        "tokens",
        [
            row(
                f"OCPI full token pull ({pulled:,} app tokens, pages of 1,000)",
                f"{pull_s:.1f} s (target <= 60 s)",
                "benchmarks/tokens.py",
            ),
            row(
                f"OCPI real-time authorize at {args.rate:.0f} req/s "
                "(load from a second process)",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} errors "
                "(target p99 <= 100 ms)",
                "benchmarks/tokens.py",
            ),
        ],
        {
            "accounts": args.accounts,
            "pulled": pulled,
            "pull_s": round(pull_s, 2),
            "rate": args.rate,
            "requests": len(latencies),
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "errors": errors,
        },
    )


if __name__ == "__main__":
    main()

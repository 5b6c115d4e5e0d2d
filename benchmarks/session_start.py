"""Charging session start benchmark: POST /charging-sessions to the partner's accept.

Starts the demo topology (the three simulators and the hub as processes on free
loopback ports, no status churn, sessions at ``--speedup``), onboards the
partners, opens drivers over HTTP and tops them up in the sandbox, then starts
``--sessions`` sessions at free piles across the partners, ``--concurrency`` at
a time, and times per protocol:

(a) ``POST /api/v1/charging-sessions`` (hold + remote start + the partner's
    synchronous accept; target p99 <= 300 ms), and
(b) the POST until ``GET /api/v1/charging-sessions/{id}`` shows ``charging``
    (the partner's asynchronous start confirmation, after its accept delay).

Then stops every session once it has energy, waits for the charge records and
counts receipts.

    python benchmarks/session_start.py --sessions 200 --concurrency 8

Prints markdown tables; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
from partner_pull import (
    admin_headers,
    free_port,
    partners_on_free_ports,
    stop,
    wait_http,
)
from result_file import row, save_result

from evroam.catalogue.model import Protocol
from evroam.cli.demo import DemoPartner, partner_request

PARTNERS = ["swapway", "rapidgrid", "neighbourly"]
TOP_UP = "3000.00"


@dataclass(frozen=True, slots=True)
class Topology:
    hub_url: str
    partners: tuple[DemoPartner, ...]


@contextlib.contextmanager
def topology(
    speedup: float, report_every_s: float, changes_per_s: float = 0.0
) -> Iterator[Topology]:
    partners = partners_on_free_ports(PARTNERS)
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    procs: list[subprocess.Popen[bytes]] = []
    evroam = [sys.executable, "-m", "evroam"]
    with tempfile.TemporaryDirectory(prefix="evroam-bench-") as tmp:
        try:
            for p in partners:
                args = ["simulate-partner", "--profile", p.profile.value]
                args += ["--protocol", p.protocol.value, "--port", str(p.port)]
                args += ["--hub-url", hub_url, "--changes-per-s", str(changes_per_s)]
                args += ["--session-speedup", str(speedup)]
                args += ["--session-report-every-s", str(report_every_s)]
                procs.append(
                    subprocess.Popen([*evroam, *args], stdout=subprocess.DEVNULL)
                )
            db = f"sqlite:///{Path(tmp) / 'hub.db'}"
            os.environ["EVROAM_DATA_DIR"] = tmp  # secrets.json, read back here
            env = {
                **os.environ,
                "EVROAM_PUBLIC_URL": hub_url,
                "EVROAM_PAYMENT_PROVIDER": "sandbox",
            }
            init = ["db", "upgrade", "--init", "--db", db]
            subprocess.run([*evroam, *init], check=True, env=env)
            hub = subprocess.Popen(
                [*evroam, "serve", "--db", db, "--port", str(hub_port)],
                stdout=subprocess.DEVNULL,
                env=env,
            )
            procs.append(hub)
            wait_http(f"{hub_url}/api/v1/health", hub)
            for p, proc in zip(partners, procs, strict=False):
                wait_http(f"{p.base}/sim/state", proc)
            yield Topology(hub_url, partners)
        finally:
            stop(procs)


def pile_id(partner: DemoPartner, name: str) -> str:
    """The hub's pile id of a simulator pile (docs/simulators.md)."""
    if partner.protocol is Protocol.OCPI:
        station, evse = name.split("/")
        return f"{partner.id}-{station}-{evse}"
    cut = name.rindex("E")
    return f"{partner.id}-{name[:cut]}-{name}"


def free_piles(partner: DemoPartner, count: int) -> list[tuple[str, str]]:
    piles = httpx.get(f"{partner.base}/sim/piles", timeout=30).json()
    names = sorted(n for n, status in piles.items() if status == "available")
    step = max(1, len(names) // count)
    return [(partner.id, pile_id(partner, n)) for n in names[::step][:count]]


@dataclass
class Run:
    post_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    charging_ms: dict[str, list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    outcomes: Counter[str] = field(default_factory=Counter)
    started: list[tuple[str, str]] = field(default_factory=list)  # (token, id)


async def open_driver(http: httpx.AsyncClient, n: int) -> str:
    reply = await http.post("/api/v1/accounts", json={"name": f"bench driver {n}"})
    token: str = reply.json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    top_up = await http.post(
        "/api/v1/wallet/top-ups",
        json={"amount": TOP_UP},
        headers={**auth, "Idempotency-Key": f"bench-top-up-{n:04d}"},
    )
    paid = await http.post(top_up.json()["confirm_url"], headers=auth)
    assert paid.status_code == 200, paid.text
    return token


async def start_one(
    http: httpx.AsyncClient, run: Run, token: str, operator: str, pile: str, n: int
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    headers = {**auth, "Idempotency-Key": f"bench-start-{n:06d}"}
    t0 = time.perf_counter()
    reply = await http.post(
        "/api/v1/charging-sessions", json={"pile_id": pile}, headers=headers
    )
    run.post_ms[operator].append((time.perf_counter() - t0) * 1000)
    if reply.status_code != 201:
        run.outcomes[f"{operator} start {reply.status_code}"] += 1
        return
    session_id = reply.json()["id"]
    while time.perf_counter() - t0 < 30:
        now = await http.get(f"/api/v1/charging-sessions/{session_id}", headers=auth)
        status = now.json()["status"]
        if status != "requested":
            break
        await asyncio.sleep(0.005)
    run.outcomes[f"{operator} {status}"] += 1
    if status == "charging":
        run.charging_ms[operator].append((time.perf_counter() - t0) * 1000)
        run.started.append((token, session_id))


async def start_all(
    hub_url: str, piles: list[tuple[str, str]], drivers: int, concurrency: int
) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=hub_url, timeout=60, limits=limits) as http:
        tokens = [await open_driver(http, n) for n in range(drivers)]
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(len(piles)):
            queue.put_nowait(n)

        async def worker() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                operator, pile = piles[n]
                await start_one(http, run, tokens[n % drivers], operator, pile, n)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return run


async def stop_and_bill(hub_url: str, run: Run, timeout_s: float) -> Counter[str]:
    """Stop each session once it has energy; then count sessions by status and
    receipts."""
    async with httpx.AsyncClient(base_url=hub_url, timeout=60) as http:
        pending = list(run.started)
        deadline = time.monotonic() + timeout_s
        while pending and time.monotonic() < deadline:
            left = []
            for token, session_id in pending:
                auth = {"Authorization": f"Bearer {token}"}
                path = f"/api/v1/charging-sessions/{session_id}"
                now = (await http.get(path, headers=auth)).json()
                if now["status"] == "charging" and Decimal(now["kwh"]) > 0:
                    headers = {**auth, "Idempotency-Key": f"stop-{session_id}"}
                    await http.post(f"{path}/stop", headers=headers)
                elif now["status"] in ("requested", "charging"):
                    left.append((token, session_id))
            pending = left
            await asyncio.sleep(0.5)
        tally: Counter[str] = Counter()
        while time.monotonic() < deadline:
            tally = Counter()
            for token in {t for t, _ in run.started}:
                auth = {"Authorization": f"Bearer {token}"}
                mine = (await http.get("/api/v1/receipts", headers=auth)).json()
                tally["receipts"] += len(mine["items"])
            if tally["receipts"] >= len(run.started):
                break
            await asyncio.sleep(1)
        tally["sessions charging"] = len(run.started)
        return tally


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def print_table(
    title: str, by_operator: dict[str, list[float]], protocols: dict[str, str]
) -> None:
    print(f"\n{title}\n")
    print("| partner | protocol | n | p50 ms | p95 ms | p99 ms | max ms | mean ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for operator, values in sorted(by_operator.items()):
        print(
            f"| {operator} | {protocols[operator]} | {len(values)} "
            f"| {pct(values, 0.5):.1f} | {pct(values, 0.95):.1f} "
            f"| {pct(values, 0.99):.1f} | {max(values):.1f} "
            f"| {statistics.fmean(values):.1f} |"
        )
    every = [v for values in by_operator.values() for v in values]
    print(
        f"| all | | {len(every)} | {pct(every, 0.5):.1f} | {pct(every, 0.95):.1f} "
        f"| {pct(every, 0.99):.1f} | {max(every):.1f} | {statistics.fmean(every):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--drivers", type=int, default=25)
    parser.add_argument("--speedup", type=float, default=60.0)
    parser.add_argument("--report-every-s", type=float, default=300.0)
    args = parser.parse_args()
    with topology(args.speedup, args.report_every_s) as topo:
        t0 = time.perf_counter()
        with httpx.Client(
            base_url=topo.hub_url, headers=admin_headers(), timeout=600
        ) as http:
            for p in topo.partners:
                reply = http.post("/api/v1/admin/partners", json=partner_request(p))
                assert reply.status_code == 201, reply.text
        print(
            f"onboarded {len(topo.partners)} partners in {time.perf_counter() - t0:.1f} s"
        )
        share = -(-args.sessions // len(topo.partners))
        piles = [pile for p in topo.partners for pile in free_piles(p, share)]
        piles = [piles[i] for i in sorted(range(len(piles)), key=lambda i: i % share)]
        piles = piles[: args.sessions]
        t0 = time.perf_counter()
        run = asyncio.run(
            start_all(topo.hub_url, piles, args.drivers, args.concurrency)
        )
        wall = time.perf_counter() - t0
        protocols = {p.id: p.protocol.value for p in topo.partners}
        print(
            f"\n{len(piles)} starts, concurrency {args.concurrency}, "
            f"{args.drivers} drivers, {wall:.1f} s wall"
        )
        print_table(
            "(a) POST /charging-sessions (hold + remote start + accept)",
            run.post_ms,
            protocols,
        )
        print_table(
            "(b) POST until the session shows `charging`", run.charging_ms, protocols
        )
        print("\noutcomes:", dict(sorted(run.outcomes.items())))
        tally = asyncio.run(stop_and_bill(topo.hub_url, run, timeout_s=300))
        print("billing:", dict(tally))
    post = [v for values in run.post_ms.values() for v in values]
    charging = [v for values in run.charging_ms.values() for v in values]
    measured = (
        f"POST p50 {pct(post, 0.5):.1f} ms, p99 {pct(post, 0.99):.1f} ms; showing "
        f"`charging` p99 {pct(charging, 0.99):.0f} ms (concurrency {args.concurrency},"
        f" {len(post)} starts)"
    )
    save_result(
        "session_start",
        [
            row(
                "session start → partner accepted, demo topology (p99 ≤ 300 ms)",
                measured,
                "`session_start.py`",
            )
        ],
        {
            "post_ms": run.post_ms,
            "charging_ms": run.charging_ms,
            "outcomes": dict(run.outcomes),
            "billing": dict(tally),
        },
    )


if __name__ == "__main__":
    main()

"""Partner pull benchmark: onboarding and full resync of a partner over its protocol.

Starts the partner simulator (its own process) and a hub (``python -m evroam
serve``, SQLite file) on free loopback ports, onboards the partner through the
admin API (handshake + paged pull + tariffs + live status) and times it, then
times ``POST /api/v1/admin/partners/{id}/sync`` ``--resyncs`` times.

    python benchmarks/partner_pull.py                      # swap/T/CEC and fast/OCPI
    python benchmarks/partner_pull.py --partners swapway

Also the process harness of ``benchmarks/live_status.py``. Prints one table;
nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from result_file import row, save_result

from evroam.cli.demo import (
    DemoPartner,
    demo_partners,
    partner_request,
    simulator_command,
)
from evroam.config import Settings

TARGET_S = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def partners_on_free_ports(ids: list[str]) -> tuple[DemoPartner, ...]:
    """The demo partners named ``ids``, each moved to a free loopback port."""
    chosen = [p for p in demo_partners(9101) if p.id in ids]
    return tuple(replace(p, port=free_port()) for p in chosen)


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process for {url} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not come up in {timeout_s:.0f} s")


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True, slots=True)
class Topology:
    """A running hub and simulators, all on loopback."""

    hub_url: str
    db_path: Path
    partners: tuple[DemoPartner, ...]


@contextlib.contextmanager
def topology(
    partner_ids: list[str], chaos_rate: float = 0.0, seed: int = 7
) -> Iterator[Topology]:
    """Start the simulators and a hub (fresh SQLite file); stop them all after."""
    partners = partners_on_free_ports(partner_ids)
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="evroam-bench-") as tmp:
        db = Path(tmp) / "hub.db"
        os.environ["EVROAM_DATA_DIR"] = tmp  # the hub's secrets.json, read back here
        env = {**os.environ, "EVROAM_PUBLIC_URL": hub_url}
        init = ["db", "upgrade", "--init", "--db", f"sqlite:///{db}"]
        subprocess.run(
            [sys.executable, "-m", "evroam", *init],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        try:
            for p in partners:
                procs.append(
                    subprocess.Popen(
                        simulator_command(
                            p, hub_url, seed, "--chaos-rate", str(chaos_rate)
                        ),
                        stdout=subprocess.DEVNULL,
                    )
                )
            hub_cmd = [sys.executable, "-m", "evroam", "serve"]
            hub = subprocess.Popen(
                [*hub_cmd, "--db", f"sqlite:///{db}", "--port", str(hub_port)],
                stdout=subprocess.DEVNULL,
                env=env,
            )
            procs.append(hub)
            wait_http(f"{hub_url}/api/v1/health", hub)
            for p, proc in zip(partners, procs, strict=False):
                wait_http(f"{p.base}/sim/state", proc)
            yield Topology(hub_url, db, partners)
        finally:
            stop(procs)


def admin_headers() -> dict[str, str]:
    """The admin token of the hub ``topology`` started (its secrets.json)."""
    return {"Authorization": f"Bearer {Settings().admin_token}"}


def admin_client(hub_url: str) -> httpx.Client:
    return httpx.Client(base_url=hub_url, headers=admin_headers(), timeout=600)


def onboard(http: httpx.Client, p: DemoPartner) -> tuple[float, dict[str, int]]:
    """POST the partner to the admin API; returns (seconds, response body)."""
    t0 = time.perf_counter()
    reply = http.post("/api/v1/admin/partners", json=partner_request(p))
    seconds = time.perf_counter() - t0
    if reply.status_code != 201:
        raise SystemExit(f"onboarding {p.id} failed: {reply.status_code} {reply.text}")
    return seconds, reply.json()


def resync(http: httpx.Client, partner_id: str) -> float:
    t0 = time.perf_counter()
    reply = http.post(f"/api/v1/admin/partners/{partner_id}/sync")
    seconds = time.perf_counter() - t0
    if reply.status_code != 200:
        raise SystemExit(f"sync {partner_id} failed: {reply.status_code} {reply.text}")
    return seconds


@dataclass(frozen=True, slots=True)
class PullResult:
    partner: DemoPartner
    stations: int
    piles: int
    onboard_s: float
    resyncs_s: list[float]


def measure(partner_id: str, resyncs: int) -> PullResult:
    with topology([partner_id]) as topo, admin_client(topo.hub_url) as http:
        p = topo.partners[0]
        seconds, body = onboard(http, p)
        times = [resync(http, p.id) for _ in range(resyncs)]
        return PullResult(p, body["stations"], body["piles"], seconds, times)


def print_table(results: list[PullResult]) -> None:
    print(
        "\n| partner | protocol | stations | piles | onboard s | resync s (each) "
        "| resync mean s |"
    )
    print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
    for r in results:
        each = " / ".join(f"{s:.1f}" for s in r.resyncs_s)
        mean = statistics.fmean(r.resyncs_s) if r.resyncs_s else float("nan")
        print(
            f"| {r.partner.id} ({r.partner.profile.value}) | "
            f"{r.partner.protocol.value.upper()} | {r.stations:,} | {r.piles:,} "
            f"| {r.onboard_s:.1f} | {each} | {mean:.1f} |"
        )
    worst = max(
        [r.onboard_s for r in results] + [s for r in results for s in r.resyncs_s]
    )
    verdict = "meets" if worst <= TARGET_S else "MISSES"
    print(
        f"\ntarget <= {TARGET_S:.0f} s per full pull: {verdict} (worst {worst:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--partners",
        type=lambda s: s.split(","),
        default=["swapway", "rapidgrid"],
        help="demo partner ids: swapway (swap, T/CEC), rapidgrid (fast, OCPI), "
        "neighbourly (community, T/CEC)",
    )
    parser.add_argument("--resyncs", type=int, default=3)
    args = parser.parse_args()
    results = [measure(pid, args.resyncs) for pid in args.partners]
    print_table(results)
    save_result(
        "partner_pull",
        [row(WHAT, summary(results), "`partner_pull.py`")],
        {
            r.partner.id: {
                "protocol": r.partner.protocol.value,
                "stations": r.stations,
                "piles": r.piles,
                "onboard_s": r.onboard_s,
                "resyncs_s": r.resyncs_s,
            }
            for r in results
        },
    )


WHAT = "full pull of the 14,000-pile partner through T/CEC (≤ 30 s)"


def summary(results: list[PullResult]) -> str:
    parts = []
    for r in results:
        pulls = [r.onboard_s, *r.resyncs_s]
        parts.append(
            f"{r.partner.protocol.value.upper()} {r.piles:,} piles: "
            f"{min(pulls):.1f}–{max(pulls):.1f} s (onboard {r.onboard_s:.1f} s)"  # noqa: RUF001
        )
    return "; ".join(parts)


if __name__ == "__main__":
    main()

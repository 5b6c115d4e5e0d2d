"""Two hub workers over one database price the same after a partner's price change.

The OCPI partner raises its service fee; ``evroam partners sync`` (a third
process) stores the new tariff version; both ``evroam serve`` processes then
show and quote the new price at their next request (ADR 0023). Asserted
eventually (a generous deadline against a loaded machine, no timing figure).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from .processes import Hub, Simulator, fast_ocpi, free_port, running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

RAISE = Decimal("0.1000")
PATIENCE_S = 30.0


def price_now(hub: Hub, station_id: str) -> Decimal:
    with hub.client() as http:
        body = http.get(f"/api/v1/stations/{station_id}").json()
    return Decimal(body["price_now"]["total_per_kwh"])


def quote(hub: Hub, pile_id: str) -> Decimal:
    with hub.client() as http:
        reply = http.post(
            "/api/v1/quotes",
            json={
                "pile_id": pile_id,
                "start_at": "2026-11-26T03:00:00+08:00",
                "kwh": "10",
            },
        )
    assert reply.status_code == 200, reply.text
    return Decimal(reply.json()["partner_total"])


def first_station(hub: Hub) -> tuple[str, str]:
    with hub.client() as http:
        reply = http.get(
            "/api/v1/stations",
            params={"bbox": "73,18,135,54", "operator": "rapidgrid", "limit": 1},
        )
    station = reply.json()["items"][0]
    with hub.client() as http:
        detail = http.get(f"/api/v1/stations/{station['id']}").json()
    return station["id"], detail["piles_detail"][0]["id"]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[Hub, Hub, Simulator, Path]]:
    db = tmp_path / "hub.db"
    first = Hub(db)
    second = Hub(db, port=free_port())
    sim = Simulator(fast_ocpi(free_port()), first.url)
    with running(first, second, sim):
        first.start()
        second.start()
        sim.start()
        first.onboard(sim.partner)
        yield first, second, sim, db


def test_a_sync_reaches_both_workers_at_their_next_request(workers):
    first, second, sim, db = workers
    station_id, pile_id = first_station(first)
    before = [price_now(hub, station_id) for hub in (first, second)]
    quoted = [quote(hub, pile_id) for hub in (first, second)]
    assert before[0] == before[1]
    assert quoted[0] == quoted[1]

    httpx.post(f"{sim.url}/sim/tariffs/service-fee", json={"per_kwh": str(RAISE)})
    subprocess.run(
        [
            sys.executable,
            "-m",
            "evroam",
            "partners",
            "sync",
            "rapidgrid",
            "--db",
            f"sqlite:///{db}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )

    deadline = time.monotonic() + PATIENCE_S
    while True:
        after = [price_now(hub, station_id) for hub in (first, second)]
        if after == [before[0] + RAISE] * 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert after == [before[0] + RAISE] * 2
    assert [quote(hub, pile_id) for hub in (first, second)] == [quoted[0] + 1] * 2

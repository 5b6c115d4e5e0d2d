"""The hub and two partner simulators over real sockets: onboard, push, refuse."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from evroam.protocols.tcec_102.client import SeqCounter, TcecClient
from evroam.protocols.tcec_102.envelope import seal_request
from evroam.protocols.tcec_102.models import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
)
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE, format_timestamp
from evroam.shared.clock import SystemClock
from evroam.simulator.credentials import default_tcec_credentials

from .processes import (
    ADMIN,
    Hub,
    Simulator,
    community_tcec,
    fast_ocpi,
    free_port,
    hub_ids,
    pick_pile,
    running,
    sse,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# How long we wait before calling a push lost; how fast pushes arrive is
# benchmarks/live_status.py's figure, not an assertion here.
LIVE_WAIT_S = 15.0


@dataclass(frozen=True)
class World:
    hub: Hub
    tcec: Simulator
    ocpi: Simulator


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    hub = Hub(tmp_path_factory.mktemp("hub") / "hub.db")
    tcec = Simulator(community_tcec(free_port()), hub.url)
    ocpi = Simulator(fast_ocpi(free_port()), hub.url)
    with running(hub, tcec, ocpi):
        hub.start()
        tcec.start()
        ocpi.start()
        hub.onboard(tcec.partner)
        hub.onboard(ocpi.partner)
        yield World(hub, tcec, ocpi)


def station_pile_status(hub: Hub, station_id: str, pile_id: str) -> str:
    with hub.client() as http:
        detail = http.get(f"/api/v1/stations/{station_id}").json()
    return str(next(p["status"] for p in detail["piles_detail"] if p["id"] == pile_id))


class TestOnboarding:
    def test_both_networks_are_on_the_map_with_their_protocols(self, world):
        with world.hub.client() as http:
            operators = http.get("/api/v1/operators").json()["items"]
        seen = {o["id"]: (o["protocol"], o["piles"]) for o in operators}
        assert seen == {"neighbourly": ("tcec", 6000), "rapidgrid": ("ocpi", 9000)}

    def test_the_map_matches_each_partner_once_churn_pauses(self, world):
        for sim in (world.tcec, world.ocpi):
            sim.pause()
            try:
                time.sleep(0.6)  # a tick in flight finishes its pushes
                truth = sorted(sim.piles().items())[::401]
                for name, status in truth:
                    station_id, pile_id = hub_ids(sim.partner, name)
                    seen = station_pile_status(world.hub, station_id, pile_id)
                    assert seen == status, name
            finally:
                sim.resume()


class TestLivePushes:
    @pytest.mark.parametrize("side", ["tcec", "ocpi"])
    async def test_a_forced_change_reaches_sse_clients_and_the_station(
        self, world, side
    ):
        sim: Simulator = getattr(world, side)
        name = pick_pile(sim.piles(), "charging", skip=3)
        station_id, pile_id = hub_ids(sim.partner, name)
        async with sse(world.hub.url) as events:
            sim.force(name, "charging")
            event = await events.wait_for(
                lambda e: e["pile_id"] == pile_id and e["status"] == "charging",
                LIVE_WAIT_S,
            )
        assert event is not None, f"no pile_status for {pile_id} in {LIVE_WAIT_S:.0f} s"
        assert event["station_id"] == station_id
        assert event["category"] == "busy"
        assert station_pile_status(world.hub, station_id, pile_id) == "charging"

    def test_feed_health_shows_pushes_lag_and_no_errors(self, world):
        with world.hub.client() as http:
            items = http.get("/api/v1/admin/partners", headers=ADMIN).json()["items"]
        assert {i["id"] for i in items} == {"neighbourly", "rapidgrid"}
        for item in items:
            assert item["is_reachable"] is True
            assert item["pushes_total"] > 0
            assert item["lag_s"] is not None
            assert item["lag_s"] >= 0
            assert item["errors_total"] == 0
            assert item["unknown_piles"] == 0


def _forged_push(connector_id: str, status: int) -> dict[str, str]:
    creds = default_tcec_credentials("community")
    now = datetime.now(UTC)
    info = ConnectorStatusInfo(
        ConnectorID=connector_id,
        Status=status,
        StatusTime=now.astimezone(WIRE_ZONE).strftime("%Y-%m-%d %H:%M:%S.000"),
    )
    body = NotificationStationStatusRequest(ConnectorStatusInfo=info).to_wire()
    envelope = seal_request(
        creds.secrets, creds.partner_operator_id, body, format_timestamp(now), "9001"
    )
    envelope["Sig"] = "0" * 32  # not the MAC of this envelope
    return envelope


class TestRefusals:
    async def test_a_tcec_push_with_a_wrong_sig_is_refused_and_changes_nothing(
        self, world
    ):
        name = pick_pile(world.tcec.piles(), "faulted", skip=5)
        station_id, pile_id = hub_ids(world.tcec.partner, name)
        before = station_pile_status(world.hub, station_id, pile_id)
        creds = default_tcec_credentials("community")
        async with httpx.AsyncClient(timeout=10) as http:
            client = TcecClient(
                http,
                base_url=f"{world.hub.url}/evcs/v1",
                operator_id=creds.partner_operator_id,
                operator_secret=creds.operator_secret,
                secrets=creds.secrets,
                clock=SystemClock(),
                seq=SeqCounter(8000),
            )
            token = (await client.query_token()).AccessToken
            reply = await http.post(
                f"{world.hub.url}/evcs/v1/notification_stationStatus",
                json=_forged_push(name, 255),
                headers={"Authorization": f"Bearer {token}"},
            )
        assert reply.status_code == 200
        assert reply.json()["Ret"] == 4001
        assert (
            station_pile_status(world.hub, station_id, pile_id) == before != "faulted"
        )

    def test_an_ocpi_patch_with_a_wrong_token_gets_401_and_changes_nothing(self, world):
        name = pick_pile(world.ocpi.piles(), "faulted", skip=5)
        station_id, pile_id = hub_ids(world.ocpi.partner, name)
        location, evse = name.split("/")
        before = station_pile_status(world.hub, station_id, pile_id)
        reply = httpx.patch(
            f"{world.hub.url}/ocpi/2.2.1/locations/CN/RPG/{location}/{evse}",
            json={
                "status": "OUTOFORDER",
                "last_updated": datetime.now(UTC).isoformat(),
            },
            headers={"Authorization": "Token bm90LWEtdG9rZW4="},
            timeout=10,
        )
        assert reply.status_code == 401
        assert (
            station_pile_status(world.hub, station_id, pile_id) == before != "faulted"
        )

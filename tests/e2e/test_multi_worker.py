"""Two API workers sharing Redis: SSE clients see every change, tokens work anywhere."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from evroam.protocols.tcec_102.envelope import open_response, seal_request
from evroam.protocols.tcec_102.models import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
    QueryTokenRequest,
    Wire,
)
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE, format_timestamp
from evroam.simulator.credentials import default_tcec_credentials

from .processes import (
    Hub,
    Simulator,
    SseClient,
    community_tcec,
    free_port,
    hub_ids,
    pick_pile,
    running,
    sse,
    worker_of_connections,
)

pytestmark = [pytest.mark.e2e, pytest.mark.redis, pytest.mark.xdist_group("e2e")]

MAX_SSE_CLIENTS = 12


@dataclass(frozen=True)
class Cluster:
    hub: Hub
    partner: Simulator
    pushes_after_onboarding: dict[str, int]


@pytest.fixture(scope="module")
def cluster(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    hub = Hub(
        tmp_path_factory.mktemp("workers") / "hub.db",
        # Its own Redis keys: another hub on this Redis (a parallel test run)
        # would otherwise share the status stream and the replay keys.
        env={"EVROAM_BUS_NAMESPACE": f"test-{uuid.uuid4().hex[:12]}"},
        workers=2,
        bus_url=redis_url,
    )
    sim = Simulator(community_tcec(free_port()), hub.url)
    with running(hub, sim):
        hub.start()
        sim.start()
        hub.onboard(sim.partner)
        yield Cluster(hub, sim, _settled_push_counts(sim))


def _settled_push_counts(sim: Simulator) -> dict[str, Any]:
    """The partner's push counters once no push is on its way: pushes sent
    while the hub was still pulling the network may fail, and their answers
    can come back after onboarding returns."""
    sim.pause()
    deadline = time.monotonic() + 10
    pushes = sim.state()["pushes"]
    while pushes["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
        pushes = sim.state()["pushes"]
    sim.resume()
    return dict(pushes)


async def _clients_on_both_workers(
    hub: Hub, stack: contextlib.AsyncExitStack
) -> list[SseClient]:
    """Opens SSE clients (at least 4) until both workers serve some of them."""
    clients: list[SseClient] = []
    while len(clients) < MAX_SSE_CLIENTS:
        clients.append(await stack.enter_async_context(sse(hub.url)))
        ports = [c.client_port for c in clients if c.client_port is not None]
        workers = set(worker_of_connections(hub, ports).values())
        if len(clients) >= 4 and len(workers) >= 2:
            return clients
    pytest.fail(f"{MAX_SSE_CLIENTS} SSE connections all went to one worker")


async def _until_each_hears_something(clients: list[SseClient]) -> None:
    """The partner's churn flows until every client has a live subscription."""
    for client in clients:
        assert await client.wait_for(lambda _: True, 10) is not None


def _reserved(pile_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e["pile_id"] == pile_id and e["status"] == "reserved"


class TestLiveEventsAcrossWorkers:
    async def test_every_sse_client_on_either_worker_gets_every_change(self, cluster):
        sim = cluster.partner
        async with contextlib.AsyncExitStack() as stack:
            clients = await _clients_on_both_workers(cluster.hub, stack)
            await _until_each_hears_something(clients)
            sim.pause()
            piles = sim.piles()
            forced = [pick_pile(piles, "reserved", skip=n * 131) for n in range(5)]
            for name in forced:
                sim.force(name, "reserved")
            for name in forced:
                _, pile_id = hub_ids(sim.partner, name)
                for client in clients:
                    event = await client.wait_for(_reserved(pile_id), 2)
                    assert event is not None, f"a client missed {pile_id}"
            sim.resume()


CREDS = default_tcec_credentials("community")


def _sealed(body: Wire, seq: int) -> dict[str, str]:
    now = format_timestamp(datetime.now(UTC))
    return seal_request(
        CREDS.secrets, CREDS.partner_operator_id, body.to_wire(), now, f"{seq:04d}"
    )


def _push(connector_id: str) -> NotificationStationStatusRequest:
    when = datetime.now(UTC).astimezone(WIRE_ZONE)
    info = ConnectorStatusInfo(
        ConnectorID=connector_id,
        Status=3,
        StatusTime=when.strftime("%Y-%m-%d %H:%M:%S.")
        + f"{when.microsecond // 1000:03d}",
    )
    return NotificationStationStatusRequest(ConnectorStatusInfo=info)


async def _post_on_new_connection(
    hub: Hub, message: str, envelope: dict[str, str], token: str | None
) -> tuple[dict[str, Any], int | None]:
    """The opened reply and which worker answered it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=hub.url, timeout=10) as http:
        reply = await http.post(f"/evcs/v1/{message}", json=envelope, headers=headers)
        # The connection stays open (keep-alive) until the client closes.
        port = reply.extensions["network_stream"].get_extra_info("client_addr")[1]
        worker = worker_of_connections(hub, [port]).get(port)
    return open_response(CREDS.secrets, reply.json()), worker


class TestTcecTokensAcrossWorkers:
    async def test_a_token_from_one_worker_is_accepted_by_the_other(self, cluster):
        cluster.partner.pause()  # its own pushes would share our Seq space
        connector = pick_pile(cluster.partner.piles(), "charging")
        ask = QueryTokenRequest(
            OperatorID=CREDS.partner_operator_id, OperatorSecret=CREDS.operator_secret
        )
        grant, issuer = await _post_on_new_connection(
            cluster.hub, "query_token", _sealed(ask, 9100), None
        )
        assert issuer is not None
        workers = []
        for seq in range(9101, 9131):
            reply, worker = await _post_on_new_connection(
                cluster.hub,
                "notification_stationStatus",
                _sealed(_push(connector), seq),
                grant["AccessToken"],
            )
            assert reply["Status"] == 0
            workers.append(worker)
            if worker != issuer:
                break
            await asyncio.sleep(0.01)
        assert any(w != issuer for w in workers), "every push reached the issuer"
        cluster.partner.resume()

    def test_the_partners_own_pushes_all_succeed(self, cluster):
        before = cluster.pushes_after_onboarding
        deadline = time.monotonic() + 10  # churn may just have been resumed
        pushes = cluster.partner.state()["pushes"]
        while pushes["sent"] <= before["sent"] and time.monotonic() < deadline:
            time.sleep(0.2)
            pushes = cluster.partner.state()["pushes"]
        assert pushes["sent"] > before["sent"]
        assert pushes["failed"] == before["failed"], pushes["last_failure"]

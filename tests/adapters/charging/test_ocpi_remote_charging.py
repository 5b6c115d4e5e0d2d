"""Remote charging over OCPI 2.2.1: hub adapter and routers vs the CPO simulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.charging.remote import (
    ChargeRecord,
    PileAddress,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    new_session_ref,
)
from evroam.gateways.ocpi.commands import OcpiRemoteCharging, command_result_sink
from evroam.gateways.ocpi.sessions import cdr_sink, session_sink
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1.commands import build_command_result_router
from evroam.protocols.ocpi_2_2_1.sessions import (
    build_cdrs_receiver_router,
    build_sessions_receiver_router,
)
from evroam.protocols.ocpi_2_2_1.tokens import (
    InMemoryTokenStore,
    Peer,
    authorization_header,
)
from evroam.shared.clock import SystemClock
from evroam.shared.ids import OperatorId
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.ocpi_app import (
    HUB_KEY,
    OcpiSimulatorConfig,
    build_ocpi_simulator,
)
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.sessions import SessionSettings
from evroam.simulator.site import PileState
from tests.adapters.charging.conftest import Recorder
from tests.adapters.charging.test_pricing import expected_money
from tests.asgi_network import HostRouter

HUB, CPO = "http://hub.test", "http://cpo.test"
TOKEN_B, TOKEN_C = "token-b-the-cpo-shows-the-hub", "token-c-the-hub-shows-the-cpo"
FAST = SessionSettings(speedup=3600, accept_delay_s=0.01, report_every_s=60)


@dataclass
class World:
    network: SimulatedNetwork
    cpo: FastAPI
    remote: OcpiRemoteCharging
    partner: Partner
    events: Recorder
    http: httpx.AsyncClient


def hub_app(events: Recorder) -> FastAPI:
    tokens = InMemoryTokenStore(
        (Peer("rapidgrid", TOKEN_B, is_registered=True, outgoing_token=TOKEN_C),)
    )
    app = FastAPI()
    app.include_router(
        build_command_result_router(
            tokens=tokens, on_result=command_result_sink(events)
        )
    )
    app.include_router(
        build_sessions_receiver_router(tokens=tokens, on_session=session_sink(events))
    )
    app.include_router(
        build_cdrs_receiver_router(
            tokens=tokens, on_cdr=cdr_sink(events), public_url=HUB
        )
    )
    return app


@pytest.fixture
async def world() -> AsyncIterator[World]:
    router, events = HostRouter(), Recorder()
    http = httpx.AsyncClient(transport=router)
    network = SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7)
    config = OcpiSimulatorConfig(
        CPO, "token-a", SimulationSettings(changes_per_s=0), sessions=FAST
    )
    cpo = build_ocpi_simulator(network, config, http=http)
    cpo.state.tokens.save(  # as the credentials handshake would leave it
        Peer(
            HUB_KEY,
            TOKEN_C,
            is_registered=True,
            outgoing_token=TOKEN_B,
            endpoints={
                "sessions": f"{HUB}/ocpi/2.2.1/sessions",
                "cdrs": f"{HUB}/ocpi/2.2.1/cdrs",
            },
        )
    )
    router.mount("hub.test", hub_app(events))
    router.mount("cpo.test", cpo)
    partner = Partner(
        OperatorId("rapidgrid"),
        "Rapid Grid",
        Protocol.OCPI,
        OperatorProfile.FAST,
        f"{CPO}/ocpi/cpo/versions",
        {
            "token_c": TOKEN_C,
            "endpoints": json.dumps({"commands": f"{CPO}/ocpi/cpo/2.2.1/commands"}),
        },
    )
    remote = OcpiRemoteCharging(
        lambda: httpx.AsyncClient(transport=router),
        response_url_base=f"{HUB}/ocpi/2.2.1/commands",
        country_code="CN",
        party_id="EVR",
        clock=SystemClock(),
    )
    yield World(network, cpo, remote, partner, events, http)
    await cpo.state.sessions.close()
    await http.aclose()


def pile_with(network: SimulatedNetwork, status: PileState) -> PileAddress:
    name = next(
        n
        for n, s in network.pile_statuses().items()
        if s is status and not network.pile_named(n).is_swap_bay
    )
    location_id, evse_uid = name.split("/")
    return PileAddress(location_id, evse_uid)


def name_of(pile: PileAddress) -> str:
    return f"{pile.station_external_id}/{pile.pile_external_uid}"


class TestStartToRecord:
    async def test_a_session_starts_progresses_stops_and_ends_with_a_cdr(self, world):
        pile, ref = pile_with(world.network, PileState.AVAILABLE), new_session_ref()
        result = await world.remote.start(world.partner, pile, ref, "driver-42")
        assert result.is_accepted

        started = (await world.events.wait_for(SessionStarted, ref))[0]
        assert world.network.pile_statuses()[name_of(pile)] is PileState.CHARGING
        progress = await world.events.wait_for(SessionProgress, ref, count=4)
        assert progress[0].kwh == 0  # the Session as it started
        assert progress[-1].kwh > progress[1].kwh > 0
        assert progress[-1].cost_so_far_fen > 0

        stopped = await world.remote.stop(
            world.partner, pile, ref, started.partner_session_id
        )
        assert stopped.is_accepted
        await world.events.wait_for(SessionEnded, ref)
        record = (await world.events.wait_for(ChargeRecord, ref))[0]
        assert record.protocol == "ocpi"
        assert record.kwh == sum(p.kwh for p in record.periods) > 0
        assert record.total_money == record.electricity_money + record.service_money
        assert world.network.pile_statuses()[name_of(pile)] is PileState.AVAILABLE

    async def test_the_cdr_is_priced_at_the_tariffs_time_of_use_prices(self, world):
        pile, ref = pile_with(world.network, PileState.AVAILABLE), new_session_ref()
        await world.remote.start(world.partner, pile, ref, "driver-42")
        started = (await world.events.wait_for(SessionStarted, ref))[0]
        await world.events.wait_for(SessionProgress, ref, count=5)
        await world.remote.stop(world.partner, pile, ref, started.partner_session_id)
        record = (await world.events.wait_for(ChargeRecord, ref))[0]

        index = world.network.find_station(pile.station_external_id)
        tariff = world.network.tariff_of(index)
        assert expected_money(tariff, record.periods) == (
            record.electricity_money,
            record.service_money,
        )

    async def test_the_cpo_keeps_the_cdr_for_reconciliation(self, world):
        pile, ref = pile_with(world.network, PileState.AVAILABLE), new_session_ref()
        await world.remote.start(world.partner, pile, ref, "driver-42")
        started = (await world.events.wait_for(SessionStarted, ref))[0]
        await world.remote.stop(world.partner, pile, ref, started.partner_session_id)
        record = (await world.events.wait_for(ChargeRecord, ref))[0]

        cdrs = await world.http.get(
            f"{CPO}/ocpi/cpo/2.2.1/cdrs",
            params={"date_from": datetime(2000, 1, 1, tzinfo=UTC).isoformat()},
            headers={"Authorization": authorization_header(TOKEN_C)},
        )
        assert cdrs.json()["status_code"] == 1000
        assert [c["id"] for c in cdrs.json()["data"]] == [record.partner_record_id]
        assert cdrs.headers["X-Total-Count"] == "1"
        sent = (await world.http.get(f"{CPO}/sim/charge-records")).json()
        assert [r["ref"] for r in sent] == [ref]


class TestRefusals:
    async def test_a_start_on_an_offline_pile_is_rejected(self, world):
        pile = pile_with(world.network, PileState.AVAILABLE)
        index = world.network.pile_named(name_of(pile)).index
        world.network.apply(Change(index, PileState.OFFLINE, datetime.now(UTC)))
        ref = new_session_ref()

        result = await world.remote.start(world.partner, pile, ref, "driver-42")

        assert result.is_accepted  # the request was taken ...
        rejected = await world.events.wait_for(SessionRejected, ref)
        assert "EVSE_INOPERATIVE" in rejected[0].reason  # ... the pile refused
        assert not world.events.of(SessionStarted, ref)

    async def test_a_start_at_an_unknown_evse_is_refused_at_once(self, world):
        result = await world.remote.start(
            world.partner, PileAddress("S9999999", "E01"), new_session_ref(), "d-1"
        )
        assert not result.is_accepted
        assert "unknown location" in (result.reason or "")

    async def test_stopping_a_session_the_cpo_does_not_know_is_refused(self, world):
        pile = pile_with(world.network, PileState.AVAILABLE)
        result = await world.remote.stop(
            world.partner, pile, new_session_ref(), "no-such-session"
        )
        assert not result.is_accepted
        assert result.reason == "UNKNOWN_SESSION"

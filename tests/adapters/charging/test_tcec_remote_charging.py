"""Remote charging over T/CEC 102.4: the hub's client and handlers vs the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.charging.remote import (
    ChargeRecord,
    DisputeReason,
    OrderCheck,
    OrderTotals,
    PileAddress,
    SessionEnded,
    SessionProgress,
    SessionStarted,
    find_disputes,
    new_session_ref,
)
from evroam.gateways.tcec.charging import TcecChargingReceiver, TcecRemoteCharging
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.charging import build_charging_handlers
from evroam.protocols.tcec_102.charging_models import QueryEquipAuthRequest
from evroam.protocols.tcec_102.client import SeqCounter, TcecClient
from evroam.protocols.tcec_102.endpoint import PeerConfig, TcecEndpoint, build_router
from evroam.protocols.tcec_102.profiles import SpellingProfile
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE
from evroam.shared.clock import SystemClock
from evroam.shared.ids import OperatorId
from evroam.shared.money import Money
from evroam.simulator.credentials import default_tcec_credentials
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.sessions import SessionSettings
from evroam.simulator.site import PileState
from evroam.simulator.tcec_app import (
    TcecSimulatorConfig,
    build_tcec_simulator,
)
from tests.adapters.charging.conftest import Recorder
from tests.adapters.charging.test_pricing import expected_money
from tests.asgi_network import HostRouter

CREDS = default_tcec_credentials(OperatorProfile.COMMUNITY)
FAST = SessionSettings(speedup=3600, accept_delay_s=0.01, report_every_s=60)
PARTNER = Partner(
    OperatorId("neighbourly"),
    "Neighbourly",
    Protocol.TCEC,
    OperatorProfile.COMMUNITY,
    "http://sim.test/evcs/v1",
)


@dataclass
class World:
    network: SimulatedNetwork
    sim: FastAPI
    remote: TcecRemoteCharging
    events: Recorder
    records: list[ChargeRecord]
    http: httpx.AsyncClient


def hub_app(events: Recorder, records: list[ChargeRecord]) -> FastAPI:
    async def on_order(key: str, record: Any) -> None:
        await events(key, record)
        records.append(record)

    async def on_check(_: str, check: OrderCheck):
        ours = [OrderTotals(r.ref, r.kwh, r.total_money) for r in records]
        return find_disputes(check.orders, ours)

    async def station_status(_: str, __: dict[str, Any]) -> dict[str, Any]:
        return {"Status": 0}

    handlers = build_charging_handlers(
        TcecChargingReceiver(
            on_start_result=events,
            on_status=events,
            on_stop_result=events,
            on_order=on_order,
            on_check=on_check,
            clock=SystemClock(),
            hub_operator_id=CREDS.hub_operator_id,
            partner_for=lambda op: (
                "neighbourly" if op == CREDS.partner_operator_id else None
            ),
        )
    )
    endpoint = TcecEndpoint(
        {CREDS.partner_operator_id: PeerConfig(CREDS.operator_secret, CREDS.secrets)},
        token_ttl_s=7200,
        clock=SystemClock(),
        handlers={**handlers, "notification_stationStatus": station_status},
    )
    app = FastAPI()
    app.include_router(build_router(endpoint))
    return app


@pytest.fixture
async def world() -> AsyncIterator[World]:
    router, events, records = HostRouter(), Recorder(), []
    http = httpx.AsyncClient(transport=router)
    network = SimulatedNetwork.for_profile(OperatorProfile.COMMUNITY, Protocol.TCEC, 7)
    config = TcecSimulatorConfig(
        CREDS, "http://hub.test", SimulationSettings(changes_per_s=0), sessions=FAST
    )
    sim = build_tcec_simulator(network, config, http=http)
    router.mount("hub.test", hub_app(events, records))
    router.mount("sim.test", sim)

    seq = SeqCounter()  # one per peer, as the hub's gateway keeps: no replays

    @asynccontextmanager
    async def clients(partner: Partner) -> AsyncIterator[TcecClient]:
        yield TcecClient(
            http,
            base_url=partner.url,
            operator_id=CREDS.hub_operator_id,
            operator_secret=CREDS.operator_secret,
            secrets=CREDS.secrets,
            clock=SystemClock(),
            spelling=SpellingProfile.STANDARD,
            seq=seq,
        )

    remote = TcecRemoteCharging(clients, CREDS.hub_operator_id)
    yield World(network, sim, remote, events, records, http)
    await sim.state.sessions.close()
    await http.aclose()


def free_pile(network: SimulatedNetwork) -> PileAddress:
    name = next(
        n
        for n, s in network.pile_statuses().items()
        if s is PileState.AVAILABLE and not network.pile_named(n).is_swap_bay
    )
    station = network.station(network.pile_named(name).station_index)
    return PileAddress(station.external_id, name)


async def charge_once(world: World, reports: int = 3) -> ChargeRecord:
    pile, ref = free_pile(world.network), new_session_ref()
    result = await world.remote.start(PARTNER, pile, ref, "driver-7")
    assert result.is_accepted
    await world.events.wait_for(SessionStarted, ref)
    await world.events.wait_for(SessionProgress, ref, count=reports)
    assert (await world.remote.stop(PARTNER, pile, ref, None)).is_accepted
    return (await world.events.wait_for(ChargeRecord, ref))[0]


class TestStartToRecord:
    async def test_a_session_starts_progresses_stops_and_ends_with_an_order(
        self, world
    ):
        pile, ref = free_pile(world.network), new_session_ref()
        result = await world.remote.start(PARTNER, pile, ref, "driver-7")
        assert result.is_accepted
        assert result.partner_session_id == f"{CREDS.hub_operator_id}{ref}"

        await world.events.wait_for(SessionStarted, ref)
        (key, started), *_ = [
            (k, e) for k, e in world.events.events if isinstance(e, SessionStarted)
        ]
        assert key == "neighbourly"
        assert started.ref == ref
        assert world.network.pile_statuses()[pile.pile_external_uid] is (
            PileState.CHARGING
        )
        progress = await world.events.wait_for(SessionProgress, ref, count=3)
        assert progress[-1].kwh > progress[0].kwh > 0
        assert progress[-1].power_kw > 0
        assert 0 < progress[-1].soc <= 100

        assert (await world.remote.stop(PARTNER, pile, ref, None)).is_accepted
        await world.events.wait_for(SessionEnded, ref)
        record = (await world.events.wait_for(ChargeRecord, ref))[0]
        assert record.protocol == "tcec"
        assert record.kwh == sum(p.kwh for p in record.periods) > 0
        assert record.total_money == record.electricity_money + record.service_money
        assert world.network.pile_statuses()[pile.pile_external_uid] is (
            PileState.AVAILABLE
        )

    async def test_the_order_is_priced_at_the_tariffs_time_of_use_prices(self, world):
        record = await charge_once(world, reports=5)
        pile = world.network.pile_named(
            (await world.http.get("http://sim.test/sim/charge-records")).json()[0][
                "pile"
            ]
        )
        tariff = world.network.tariff_of(pile.station_index)
        assert expected_money(tariff, record.periods) == (
            record.electricity_money,
            record.service_money,
        )


class TestRefusals:
    async def test_a_start_on_an_offline_pile_is_refused_at_once(self, world):
        pile = free_pile(world.network)
        index = world.network.pile_named(pile.pile_external_uid).index
        world.network.apply(Change(index, PileState.OFFLINE, datetime.now(UTC)))

        ref = new_session_ref()
        result = await world.remote.start(PARTNER, pile, ref, "d-7")

        assert not result.is_accepted
        assert result.reason == "query_equip_auth FailReason 2: equipment offline"
        assert world.network.pile_statuses()[pile.pile_external_uid] is (
            PileState.OFFLINE
        )
        sessions = world.sim.state.sessions
        assert sessions.find(f"{CREDS.hub_operator_id}{ref}") is None  # never asked

    async def test_an_unknown_connector_fails_its_authorisation(self, world):
        pile = PileAddress("S-none", "S-noneE99")
        result = await world.remote.start(PARTNER, pile, new_session_ref(), "d-7")
        assert result.reason == "query_equip_auth FailReason 1: no such equipment"

    async def test_stopping_a_session_that_is_not_running_is_refused(self, world):
        result = await world.remote.stop(
            PARTNER, free_pile(world.network), new_session_ref(), None
        )
        assert not result.is_accepted


class TestCheckChargeOrders:
    async def test_orders_the_hub_holds_reconcile_without_dispute(self, world):
        await charge_once(world)
        await charge_once(world)
        reply = await world.sim.state.session_reporter.check_orders(
            "CHK0001",
            datetime.now(UTC) - timedelta(days=1),
            datetime.now(UTC) + timedelta(days=1),
        )
        assert reply.TotalDisputeOrder == 0
        assert reply.DisputeOrders == []

    async def test_an_order_the_hub_lost_comes_back_disputed(self, world):
        lost = await charge_once(world)
        await charge_once(world)
        world.records.remove(lost)
        body = {
            "check_id": "CHK0002",
            "starts_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "ends_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        }
        reply = (
            await world.http.post("http://sim.test/sim/charge-records/check", json=body)
        ).json()
        assert reply["TotalDisputeOrder"] == 1
        (dispute,) = reply["DisputeOrders"]
        assert dispute["StartChargeSeq"] == lost.partner_record_id
        assert dispute["DisputeReason"] == DisputeReason.NOT_FOUND


def hub_client(world: World) -> TcecClient:
    """Another client of the hub's; its Seq starts far from the gateway's."""
    return TcecClient(
        world.http,
        base_url=PARTNER.url,
        operator_id=CREDS.hub_operator_id,
        operator_secret=CREDS.operator_secret,
        secrets=CREDS.secrets,
        clock=SystemClock(),
        seq=SeqCounter(5000),
    )


class TestEquipAuth:
    async def ask(self, world: World, connector: str) -> dict[str, Any]:
        client = hub_client(world)
        request = QueryEquipAuthRequest(
            EquipAuthSeq=f"{CREDS.hub_operator_id}{new_session_ref()}",
            ConnectorID=connector,
        )
        return await client.call("query_equip_auth", request)

    async def test_a_free_connector_is_authorised(self, world):
        pile = free_pile(world.network)
        reply = await self.ask(world, pile.pile_external_uid)
        assert (reply["SuccStat"], reply["FailReason"]) == (0, 0)
        assert reply["ConnectorID"] == pile.pile_external_uid

    async def test_a_connector_in_use_is_not(self, world):
        pile = free_pile(world.network)
        index = world.network.pile_named(pile.pile_external_uid).index
        world.network.apply(Change(index, PileState.CHARGING, datetime.now(UTC)))
        reply = await self.ask(world, pile.pile_external_uid)
        assert (reply["SuccStat"], reply["FailReason"]) == (1, 3)


class TestChasingASilentPartner:
    async def test_a_running_charge_is_reported_as_progress(self, world):
        pile, ref = free_pile(world.network), new_session_ref()
        assert (await world.remote.start(PARTNER, pile, ref, "d-7")).is_accepted
        await world.events.wait_for(SessionProgress, ref, count=2)

        events = await world.remote.query_charge_status(PARTNER, ref)

        (progress,) = events
        assert isinstance(progress, SessionProgress)
        assert progress.ref == ref
        assert progress.kwh > 0

    async def test_a_finished_charge_is_reported_ended_with_its_totals(self, world):
        record = await charge_once(world)

        events = await world.remote.query_charge_status(PARTNER, record.ref)

        progress, ended = events
        assert isinstance(ended, SessionEnded)
        assert (progress.kwh, progress.cost_so_far_fen) == (
            record.kwh,
            Money.of(record.total_money).fen,
        )


class TestStationStats:
    async def test_a_stations_energy_is_the_sum_of_its_records_per_connector(
        self, world
    ):
        record = await charge_once(world)
        charged = (await world.http.get("http://sim.test/sim/charge-records")).json()
        pile = world.network.pile_named(charged[0]["pile"])
        station = world.network.station(pile.station_index)
        client = hub_client(world)
        today = datetime.now(WIRE_ZONE).date()
        reply = await client.query_station_stats(
            station.external_id, today - timedelta(days=1), today + timedelta(days=1)
        )
        stats = reply.StationStats
        assert stats.StationID == station.external_id
        assert stats.StationElectricity == record.kwh
        by_connector = {
            c.ConnectorID: c.ConnectorElectricity
            for e in stats.EquipmentStatsInfos
            for c in e.ConnectorStatsInfos
        }
        assert by_connector[charged[0]["pile"]] == record.kwh
        assert sum(by_connector.values()) == record.kwh

    async def test_days_without_charges_count_zero(self, world):
        await charge_once(world)
        station = world.network.station(0)
        client = hub_client(world)
        long_ago = datetime(2020, 1, 1, tzinfo=UTC).date()
        reply = await client.query_station_stats(
            station.external_id, long_ago, long_ago
        )
        assert reply.StationStats.StationElectricity == 0

"""The hub's protocol adapters against the real partner simulators, in process.

The hub app and two simulator apps (OCPI CPO, T/CEC) are wired to each other
through ASGI transports, so handshakes, paged pulls, pushes and reconciliation
run through the real protocol code without sockets (e2e/ covers sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from evroam.api.app import create_app
from evroam.bootstrap import Services, build_services
from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.catalogue.search import NearQuery, StationFilter
from evroam.cli.demo import DemoPartner, partner_request
from evroam.config import Settings
from evroam.partners.errors import HandshakeError, PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.pricing.tariff import IdleFee, Tariff
from evroam.protocols.tcec_102.client import TcecClient
from evroam.protocols.tcec_102.envelope import seal_request
from evroam.protocols.tcec_102.timestamp import format_timestamp
from evroam.shared.clock import SystemClock
from evroam.shared.errors import InvalidInputError
from evroam.shared.geo import GeoPoint, distance_m
from evroam.shared.ids import OperatorId, TariffId, pile_id_for, station_id_for
from evroam.simulator.credentials import (
    default_ocpi_token_a,
    default_tcec_credentials,
)
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.ocpi_app import (
    OcpiSimulatorConfig,
    build_ocpi_simulator,
)
from evroam.simulator.runner import SimulationSettings
from evroam.simulator.sessions import SessionSettings
from evroam.simulator.tcec_app import (
    TcecSimulatorConfig,
    build_tcec_simulator,
)
from evroam.storage.database import DatabaseAccess
from tests.asgi_network import HostRouter
from tests.builders import a_station, a_tariff, an_operator
from tests.hub_keys import ADMIN

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class World:
    services: Services
    router: HostRouter
    fast: SimulatedNetwork
    community: SimulatedNetwork
    fast_app: FastAPI
    community_app: FastAPI


def record(partner: DemoPartner, host: str) -> Partner:
    body = partner_request(partner)
    url = body["url"].replace(f"127.0.0.1:{partner.port}", host)
    return Partner(
        OperatorId(body["id"]),
        body["name"],
        Protocol(body["protocol"]),
        OperatorProfile(body["profile"]),
        url,
        body["credentials"],
    )


FAST = DemoPartner("rapidgrid", "Rapid Grid", OperatorProfile.FAST, Protocol.OCPI, 1)
COMMUNITY = DemoPartner(
    "neighbourly", "Neighbourly Charge", OperatorProfile.COMMUNITY, Protocol.TCEC, 2
)


@contextlib.asynccontextmanager
async def running_world(
    directory: Path,
    sessions: SessionSettings | None = None,
    database_url: str | None = None,
    networks: tuple[SimulatedNetwork, SimulatedNetwork] | None = None,
) -> AsyncIterator[World]:
    """The hub and the OCPI and T/CEC simulators on one in-process network,
    both partners onboarded; ``sessions`` sets how fast simulated charges run.
    The hub keeps its data in SQLite under ``directory`` unless given a URL.
    ``networks`` (OCPI, T/CEC) replaces the reference networks of seed 7."""
    sessions = sessions or SessionSettings()
    router = HostRouter()
    settings = Settings(
        database_url=database_url or f"sqlite:///{directory / 'hub.db'}",
        public_url="http://hub.test",
        maintenance_interval_s=0,
        payment_provider="sandbox",
    )
    services = build_services(
        settings,
        http=lambda: httpx.AsyncClient(transport=router),
        access=DatabaseAccess.UPGRADE,
    )
    router.mount("hub.test", create_app(settings, services))
    to_hub = httpx.AsyncClient(transport=router)
    quiet = SimulationSettings(changes_per_s=0)
    fast, community = networks or (
        SimulatedNetwork.for_profile(OperatorProfile.FAST, Protocol.OCPI, 7),
        SimulatedNetwork.for_profile(OperatorProfile.COMMUNITY, Protocol.TCEC, 7),
    )
    fast_app = build_ocpi_simulator(
        fast,
        OcpiSimulatorConfig(
            "http://fast.test", default_ocpi_token_a("fast"), quiet, sessions=sessions
        ),
        http=to_hub,
    )
    community_app = build_tcec_simulator(
        community,
        TcecSimulatorConfig(
            default_tcec_credentials("community"),
            "http://hub.test",
            quiet,
            sessions=sessions,
        ),
        http=to_hub,
    )
    router.mount("fast.test", fast_app)
    router.mount("community.test", community_app)
    await services.partners.add_partner(record(FAST, "fast.test"))
    await services.partners.add_partner(record(COMMUNITY, "community.test"))
    try:
        yield World(services, router, fast, community, fast_app, community_app)
    finally:
        await to_hub.aclose()
        await asyncio.to_thread(services.close)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with running_world(Path(tmp_path_factory.mktemp("hub"))) as running:
        yield running


def hub_pile_status(
    world: World, operator: str, station_ext: str, uid: str
) -> PileStatus:
    station = world.services.catalogue.find_station(
        station_id_for(operator, station_ext)
    )
    pile_id = pile_id_for(station.id, uid)
    return next(p.status for p in station.piles if p.id == pile_id)


def split_name(world: World, operator: str, name: str) -> tuple[str, str]:
    """A simulator pile name as (station external id, pile uid) in hub terms."""
    if operator == "rapidgrid":  # OCPI: "{location_id}/{evse_uid}"
        location_id, evse_uid = name.split("/")
        return location_id, evse_uid
    ref = world.community.pile_named(name)  # T/CEC: the ConnectorID
    return world.community.station(ref.station_index).external_id, name


class TestOnboarding:
    async def test_both_partners_arrive_whole_with_their_protocols(self, world):
        stats = {s.operator.id: s for s in world.services.catalogue.list_operators()}
        assert (stats["rapidgrid"].piles, stats["rapidgrid"].operator.protocol) == (
            9000,
            Protocol.OCPI,
        )
        assert (stats["neighbourly"].piles, stats["neighbourly"].operator.protocol) == (
            6000,
            Protocol.TCEC,
        )

    async def test_the_ocpi_handshake_leaves_us_tokens_b_and_c(self, world):
        partner = world.services.partners.get_partner(OperatorId("rapidgrid"))
        assert partner.credentials["token_b"]
        assert partner.credentials["token_c"]
        assert partner.credentials["token_c"] != partner.credentials["token_a"]
        assert (partner.country_code, partner.party_id) == ("CN", "RPG")

    async def test_every_pulled_pile_has_a_live_status_and_every_station_a_price(
        self, world
    ):
        for operator in ("rapidgrid", "neighbourly"):
            health = world.services.partners.partner_health(OperatorId(operator))
            assert health.unknown_piles == 0
        truth = world.community.pile_statuses()
        name = next(iter(truth))
        assert (
            hub_pile_status(
                world, "neighbourly", *split_name(world, "neighbourly", name)
            )
            == truth[name]
        )
        station = world.community.station(0)
        page = world.services.catalogue.find_stations_near(
            NearQuery(GeoPoint(station.lat, station.lon), 1000.0, StationFilter(), 5)
        )
        assert any(
            h.summary.id == f"neighbourly-{station.external_id}" for h in page.items
        )


class TestDatum:
    async def test_tcec_stations_published_in_gcj02_are_stored_where_they_are(
        self, world
    ):
        network = world.community
        for index in range(0, network.station_count, 50):
            truth = network.station(index)
            stored = world.services.catalogue.find_station(
                station_id_for("neighbourly", truth.external_id)
            )
            assert distance_m(stored.lat, stored.lon, truth.lat, truth.lon) < 1.0


class TestStationStats:
    async def test_the_admin_reads_a_tcec_stations_energy_as_the_partner_counts_it(
        self, world
    ):
        station = world.community.station(0)
        async with httpx.AsyncClient(transport=world.router) as http:
            reply = await http.get(
                "http://hub.test/api/v1/admin/partners/neighbourly/stations/"
                f"{station.external_id}/energy",
                params={"first_day": "2026-12-01", "last_day": "2026-12-07"},
                headers=ADMIN,
            )
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert (body["station_id"], body["kwh"]) == (station.external_id, "0")
        assert set(body["kwh_by_connector"]) == {p.external_uid for p in station.piles}

    async def test_an_ocpi_partner_has_no_such_statistics(self, world):
        with pytest.raises(InvalidInputError, match="not a T/CEC partner"):
            await world.services.partner_station_energy(
                OperatorId("rapidgrid"), "S1", date(2026, 12, 1), date(2026, 12, 7)
            )


class TestPushes:
    @pytest.mark.parametrize(
        ("operator", "app_name"),
        [
            ("rapidgrid", "fast_app"),
            ("neighbourly", "community_app"),
        ],
    )
    async def test_a_change_at_the_partner_reaches_the_hub(
        self, world, operator, app_name
    ):
        network = world.fast if operator == "rapidgrid" else world.community
        name, before = next(iter(network.pile_statuses().items()))
        after = (
            PileStatus.FAULTED if before != PileStatus.FAULTED else PileStatus.AVAILABLE
        )
        await getattr(world, app_name).state.runner.force(name, after)
        assert (
            hub_pile_status(world, operator, *split_name(world, operator, name))
            is after
        )
        health = world.services.partners.partner_health(OperatorId(operator))
        assert health.feed.pushes_total >= 1
        assert health.feed.errors_total == 0


class TestReconciling:
    @pytest.mark.parametrize("operator", ["rapidgrid", "neighbourly"])
    async def test_a_change_the_partner_never_pushed_is_healed(self, world, operator):
        network = world.fast if operator == "rapidgrid" else world.community
        name, before = list(network.pile_statuses().items())[7]
        after = (
            PileStatus.RESERVED
            if before != PileStatus.RESERVED
            else PileStatus.AVAILABLE
        )
        ref = network.pile_named(name)
        network.apply(Change(ref.index, after, datetime.now(UTC)))  # no push: "lost"
        hub_station = split_name(world, operator, name)
        assert hub_pile_status(world, operator, *hub_station) == before
        changed = await world.services.partners.reconcile_status(OperatorId(operator))
        assert changed >= 1
        assert hub_pile_status(world, operator, *hub_station) is after


class TestRefusals:
    async def test_a_wrong_token_a_is_a_handshake_error_and_leaves_nothing(self, world):
        wrong = replace(
            record(FAST, "fast.test"),
            id=OperatorId("impostor"),
            credentials={"token_a": "not-the-token"},
        )
        with pytest.raises(HandshakeError):
            await world.services.partners.add_partner(wrong)
        assert world.services.partner_records.find(OperatorId("impostor")) is None

    async def test_a_wrong_tcec_secret_is_refused(self, world):
        good = record(COMMUNITY, "community.test")
        wrong = replace(
            good,
            id=OperatorId("impostor"),
            credentials={**good.credentials, "operator_secret": "x" * 16},
        )
        with pytest.raises(HandshakeError):
            await world.services.partners.add_partner(wrong)

    async def test_an_unreachable_partner_is_reported_as_such(self, world):
        gone = replace(record(FAST, "nowhere.test"), id=OperatorId("ghost"))
        with pytest.raises(PartnerUnreachableError):
            await world.services.partners.add_partner(gone)

    async def test_a_forged_tcec_push_gets_ret_4001_and_changes_nothing(self, world):
        creds = default_tcec_credentials("community")
        envelope = {
            "OperatorID": creds.partner_operator_id,
            "Data": "AAAA",
            "TimeStamp": "20261126120000",
            "Seq": "0001",
            "Sig": "0" * 32,
        }
        async with httpx.AsyncClient(transport=world.router) as http:
            reply = await http.post(
                "http://hub.test/evcs/v1/notification_stationStatus", json=envelope
            )
        assert reply.json()["Ret"] == 4001

    async def test_an_authentic_push_with_a_string_status_gets_ret_4004_and_why(
        self, world
    ):
        name = next(iter(world.community.pile_statuses()))
        station_ext, uid = split_name(world, "neighbourly", name)
        before = hub_pile_status(world, "neighbourly", station_ext, uid)
        body = {"ConnectorStatusInfo": {"ConnectorID": name, "Status": "255"}}
        reply = await signed_push(world, body)
        assert reply["Ret"] == 4004
        assert "ConnectorStatusInfo.Status" in reply["Msg"]
        assert "'255'" in reply["Msg"]
        assert hub_pile_status(world, "neighbourly", station_ext, uid) == before


async def signed_push(world: World, body: dict[str, object]) -> dict[str, object]:
    """An authentic notification_stationStatus from the T/CEC partner, ``body``
    sent as it is (not through a wire model, which would fix its types)."""
    creds = default_tcec_credentials("community")
    clock = SystemClock()
    async with httpx.AsyncClient(transport=world.router) as http:
        client = TcecClient(
            http,
            base_url="http://hub.test/evcs/v1",
            operator_id=creds.partner_operator_id,
            operator_secret=creds.operator_secret,
            secrets=creds.secrets,
            clock=clock,
        )
        token = (await client.query_token()).AccessToken
        envelope = seal_request(
            creds.secrets,
            creds.partner_operator_id,
            body,
            format_timestamp(clock.now()),
            "0042",
        )
        reply = await http.post(
            "http://hub.test/evcs/v1/notification_stationStatus",
            json=envelope,
            headers={"Authorization": f"Bearer {token}"},
        )
    answer: dict[str, object] = reply.json()
    return answer


PLAIN_TCEC_TARIFF_ID = "neighbourly-pd4e9b8aaee"  # a_tariff()'s prices
IDLE = IdleFee(15, Decimal("0.5000"), Decimal("30.00"))
OTHER_IDLE = IdleFee(0, Decimal("1.2500"))


def idle_network(partner: DemoPartner) -> SimulatedNetwork:
    """Five stations on three tariffs with the same prices: two without an idle
    fee, two with ``IDLE``, one with ``OTHER_IDLE``."""
    plain = a_tariff(id=TariffId("t-plain"))
    tariffs = [
        plain,
        replace(plain, id=TariffId("t-idle"), idle=IDLE),
        replace(plain, id=TariffId("t-other"), idle=OTHER_IDLE),
    ]
    on = ["t-plain", "t-idle", "t-other", "t-plain", "t-idle"]
    stations = [
        a_station(f"S{n:04d}", operator_id=partner.id, tariff_id=TariffId(t))
        for n, t in enumerate(on, start=1)
    ]
    operator = an_operator(
        id=OperatorId(partner.id),
        name=partner.name,
        profile=partner.profile,
        protocol=partner.protocol,
    )
    return SimulatedNetwork.of_generated(
        operator, partner.protocol, stations, {t.id: t for t in tariffs}
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def idle_world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    networks = (idle_network(FAST), idle_network(COMMUNITY))
    directory = Path(tmp_path_factory.mktemp("idle"))
    async with running_world(directory, networks=networks) as running:
        yield running


class TestIdleFees:
    def hub_tariffs(self, world: World, partner: DemoPartner) -> dict[str, Tariff]:
        """The hub's tariff of each of the partner's stations, by external id."""
        catalogue = world.services.catalogue
        network = world.fast if partner is FAST else world.community
        stations = {
            s.external_id: catalogue.find_station(
                station_id_for(partner.id, s.external_id)
            )
            for s in network.stations()
        }
        held = world.services.stations.tariffs_by_id(
            {s.tariff_id for s in stations.values()}
        )
        return {ext: held[s.tariff_id] for ext, s in stations.items()}

    @pytest.mark.parametrize("partner", [FAST, COMMUNITY], ids=["ocpi", "tcec"])
    async def test_the_hub_stores_each_stations_idle_fee_with_its_tariff(
        self, idle_world, partner
    ):
        tariffs = self.hub_tariffs(idle_world, partner)
        assert {ext: t.idle for ext, t in tariffs.items()} == {
            "S0001": None,
            "S0002": IDLE,
            "S0003": OTHER_IDLE,
            "S0004": None,
            "S0005": IDLE,
        }
        assert {frozenset(t.prices) for t in tariffs.values()} == {
            frozenset(a_tariff().prices)
        }

    async def test_tcec_stations_with_the_same_prices_share_a_tariff_per_idle_fee(
        self, idle_world
    ):
        ids = {ext: t.id for ext, t in self.hub_tariffs(idle_world, COMMUNITY).items()}
        assert ids["S0001"] == ids["S0004"]
        assert ids["S0002"] == ids["S0005"]
        assert len({ids["S0001"], ids["S0002"], ids["S0003"]}) == 3
        # Content-addressed from the prices alone, as before idle fees were read:
        # a station without one keeps the tariff id the hub already holds.
        assert ids["S0001"] == PLAIN_TCEC_TARIFF_ID

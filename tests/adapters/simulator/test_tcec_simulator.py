"""The T/CEC simulator answers a real TcecClient and pushes to a T/CEC hub."""

from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.gateways.tcec.mapping import code_from_pile_status
from evroam.protocols.tcec_102.client import TcecClient
from evroam.protocols.tcec_102.endpoint import PeerConfig, TcecEndpoint, build_router
from evroam.protocols.tcec_102.models import (
    ConnectorInfo,
    EquipmentInfo,
    NotificationStationStatusRequest,
    QueryStationsInfoRequest,
    StationInfo,
    Wire,
    parse_body,
)
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE
from evroam.shared.datum import Datum, from_wgs84
from evroam.shared.geo import distance_m
from evroam.simulator.credentials import default_tcec_credentials
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.tcec_app import (
    TcecSimulatorConfig,
    build_tcec_simulator,
)

CREDS = default_tcec_credentials(OperatorProfile.COMMUNITY)
SIM_URL = "http://sim.test"
HUB_URL = "http://hub.test"


class FakeTcecHub:
    """The hub's T/CEC side: records every notification_stationStatus."""

    def __init__(self, clock) -> None:
        self.received: list[dict[str, Any]] = []
        peer = PeerConfig(CREDS.operator_secret, CREDS.secrets)
        endpoint = TcecEndpoint(
            {CREDS.partner_operator_id: peer},
            token_ttl_s=7200,
            clock=clock,
            handlers={"notification_stationStatus": self.on_status},
        )
        self.app = FastAPI()
        self.app.include_router(build_router(endpoint))

    async def on_status(self, operator_id: str, body: dict[str, Any]):
        request = parse_body(NotificationStationStatusRequest, body)
        self.received.append(request.ConnectorStatusInfo.to_wire())
        return {"Status": 0}


def simulator(network, clock, hub: FakeTcecHub | None = None):
    to_hub = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub.app if hub else FastAPI())
    )
    config = TcecSimulatorConfig(credentials=CREDS, hub_url=HUB_URL)
    return build_tcec_simulator(network, config, http=to_hub, clock=clock)


@pytest.fixture
async def hub_client(community_tcec, clock):
    app = simulator(community_tcec, clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield TcecClient(
            http,
            base_url=f"{SIM_URL}/evcs/v1",
            operator_id=CREDS.hub_operator_id,
            operator_secret=CREDS.operator_secret,
            secrets=CREDS.secrets,
            clock=clock,
        )


class TestPulling:
    async def test_all_pages_hold_every_pile_of_the_community_network(self, hub_client):
        stations = [s async for s in hub_client.iter_all_stations(page_size=100)]
        connectors = [
            c.ConnectorID
            for s in stations
            for e in s.EquipmentInfos
            for c in e.ConnectorInfos
        ]
        assert len(stations) == 1236
        assert len(connectors) == len(set(connectors)) == 6000

    async def test_a_page_reports_its_count_and_the_total(self, hub_client):
        page = await hub_client.query_stations_info(page_no=2, page_size=50)
        assert page.PageNo == 2
        assert page.ItemSize == 1236
        assert page.PageCount == 25  # ceil(1236 / 50)
        assert len(page.StationInfos) == 50

    async def test_page_size_is_capped_so_a_page_fits_an_envelope(self, hub_client):
        page = await hub_client.query_stations_info(page_no=1, page_size=1000)
        assert len(page.StationInfos) == 100
        assert page.PageCount == 13  # ceil(1236 / 100)

    async def test_connector_ids_are_the_station_id_then_the_pile_uid(self, hub_client):
        page = await hub_client.query_stations_info(page_no=1, page_size=1)
        station = page.StationInfos[0]
        first = station.EquipmentInfos[0].ConnectorInfos[0].ConnectorID
        assert first == f"{station.StationID}E01"

    async def test_station_status_reports_every_connector_as_the_network_holds_it(
        self, hub_client, community_tcec
    ):
        reply = await hub_client.query_station_status(["S0000001", "NOPE"])
        (info,) = reply.StationStatusInfos
        truth = community_tcec.pile_statuses()
        assert {c.ConnectorID: c.Status for c in info.ConnectorStatusInfos} == {
            name: code_from_pile_status(status)
            for name, status in truth.items()
            if name.startswith("S0000001E")
        }

    async def test_business_policy_gives_the_piles_tariff_prices(
        self, hub_client, community_tcec, clock
    ):
        pile = community_tcec.pile_named("S0000001E01")
        tariff = community_tcec.tariff_of(pile.station_index)
        reply = await hub_client.query_equip_business_policy("S0000001E01")
        assert reply.SuccStat == 0
        assert reply.SumPeriod == len(reply.PolicyInfos) > 1
        local = clock.now().astimezone(WIRE_ZONE)
        offered = {(p.ElecPrice, p.SevicePrice) for p in reply.PolicyInfos}
        expected = {(p.electricity_per_kwh, p.service_per_kwh) for p in tariff.prices}
        assert offered <= expected
        now_price = tariff.price_for(tariff.kind_at(local))
        assert (now_price.electricity_per_kwh, now_price.service_per_kwh) in offered

    async def test_business_policy_of_an_unknown_connector_fails_politely(
        self, hub_client
    ):
        reply = await hub_client.query_equip_business_policy("S9999999E01")
        assert reply.SuccStat == 1
        assert reply.FailReason == 1


class TestPushing:
    async def test_a_forced_change_reaches_the_hub_with_its_new_status(
        self, community_tcec, clock
    ):
        hub = FakeTcecHub(clock)
        app = simulator(community_tcec, clock, hub)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            answer = await http.post(
                f"{SIM_URL}/sim/piles/S0000001E02/status", json={"status": "faulted"}
            )
        assert answer.status_code == 200
        (pushed,) = hub.received
        assert (pushed["ConnectorID"], pushed["Status"]) == ("S0000001E02", 255)
        assert pushed["StatusTime"].startswith("2024-11-01 19:00:00")  # Beijing time
        assert app.state.runner.counters.sent == 1

    async def test_churn_pushes_one_notification_per_change(
        self, community_tcec, clock
    ):
        hub = FakeTcecHub(clock)
        runner = simulator(community_tcec, clock, hub).state.runner
        await runner.tick(clock.now())
        clock.set(clock.now().replace(second=5))
        changes = await runner.tick(clock.now())
        assert len(changes) == 50
        assert len(hub.received) == 50
        assert runner.counters.sent == 50

    async def test_a_swap_bay_push_carries_its_stock_and_queue(self, clock):
        network = SimulatedNetwork.for_profile(OperatorProfile.SWAP, Protocol.TCEC, 7)
        hub = FakeTcecHub(clock)
        runner = simulator(network, clock, hub).state.runner
        await runner.tick(clock.now())
        clock.set(clock.now().replace(second=2))
        changes = await runner.tick(clock.now())
        swaps = [c for c in changes if c.swap is not None]
        pushed = {r["ConnectorID"]: r for r in hub.received if "SwapInfo" in r}
        assert swaps
        for change in swaps:
            name = network.piles[change.pile].name
            assert (
                pushed[name]["SwapInfo"]["BatteryStock"]
                == change.swap.batteries_in_stock
            )

    async def test_pushes_to_a_hub_that_does_not_know_us_are_counted_as_failed(
        self, community_tcec, clock
    ):
        runner = simulator(community_tcec, clock).state.runner
        await runner.tick(clock.now())
        clock.set(clock.now().replace(second=1))
        changes = await runner.tick(clock.now())
        assert runner.counters.failed == len(changes) == 10
        assert runner.counters.sent == 0


EXTENSIONS = {"City", "SwapInfo"}  # evroam's own (ADR 0004), not T/CEC 102.2


def standard_fields(model: type[Wire]) -> set[str]:
    return set(model.model_fields) - EXTENSIONS


class TestStationInfoFidelity:
    """Every StationInfo/EquipmentInfo/ConnectorInfo field T/CEC 102.2 defines is
    sent, with its standard's JSON type, in the standard's spelling."""

    async def page(self, hub_client) -> list[dict[str, Any]]:
        request = QueryStationsInfoRequest(PageNo=1, PageSize=100)
        body = await hub_client.call("query_stations_info", request)
        return body["StationInfos"]

    async def test_every_station_carries_every_field_of_the_standard(self, hub_client):
        stations = await self.page(hub_client)
        assert stations
        for station in stations:
            assert standard_fields(StationInfo) <= set(station)
            for equipment in station["EquipmentInfos"]:
                assert standard_fields(EquipmentInfo) <= set(equipment)
                for connector in equipment["ConnectorInfos"]:
                    assert standard_fields(ConnectorInfo) <= set(connector)

    async def test_fields_have_the_standards_json_types(self, hub_client):
        station = (await self.page(hub_client))[0]
        assert isinstance(station["StationLng"], Decimal)  # a JSON number
        assert isinstance(station["StationType"], int)
        assert isinstance(station["AreaCode"], str)
        assert isinstance(station["Pictures"], list)
        connector = station["EquipmentInfos"][0]["ConnectorInfos"][0]
        assert isinstance(connector["ConnectorType"], int)
        assert isinstance(connector["NationalStandard"], int)
        parse_body(StationInfo, station)  # strict: a wrong type would raise

    async def test_area_code_and_service_line_are_filled(self, hub_client):
        for station in await self.page(hub_client):
            assert station["AreaCode"].isdigit()
            assert len(station["AreaCode"]) == 6
            assert station["AreaCode"] != "000000"
            assert station["ServiceTel"].startswith("400-")

    async def test_coordinates_are_published_in_gcj02_as_chinese_platforms_do(
        self, hub_client, community_tcec
    ):
        for station in (await self.page(hub_client))[:20]:
            index = community_tcec.find_station(station["StationID"])
            truth = community_tcec.station(index)
            published = (float(station["StationLat"]), float(station["StationLng"]))
            assert published == pytest.approx(
                from_wgs84(truth.lat, truth.lon, Datum.GCJ02), abs=1e-9
            )
            assert 300 < distance_m(*published, truth.lat, truth.lon) < 700

    async def test_service_fee_is_spelt_as_part_2_spells_it(self, hub_client):
        station = (await self.page(hub_client))[0]
        assert "ServiceFee" in station
        assert "ServiceTel" in station
        assert not any(key.startswith("Sevice") for key in station)

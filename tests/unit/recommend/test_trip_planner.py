"""Trip planning over the catalogue: stops, costs, alternatives, API and CLI edges."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI

from evroam.api.problem import install_problem_handlers
from evroam.api.routes import trips as trips_route
from evroam.catalogue.model import ConnectorStandard, PileStatus, SwapBay
from evroam.catalogue.service import CatalogueService
from evroam.cli.trip import parse_point
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.recommend.errors import VehicleNotFoundError
from evroam.recommend.trip import (
    NoFeasibleTripError,
    TripObjective,
    TripPlanner,
    TripRequest,
)
from evroam.recommend.vehicle import CurvePoint, VehicleModel
from evroam.shared.errors import InvalidInputError
from evroam.shared.geo import GeoPoint
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import FixedClock, InMemoryStationRepository

LAT = 31.0
ORIGIN = GeoPoint(LAT, 110.0)
DESTINATION = GeoPoint(LAT, 116.0)  # about 570 km east, 690 km by road
DOLPHIN = VehicleModel(  # 44.9 kWh: needs two or three stops on this trip
    id="small-car",
    brand="Test",
    model="small car",
    usable_battery_kwh=44.9,
    consumption_kwh_per_100km=12.5,
    max_ac_kw=7.0,
    max_dc_kw=60.0,
    dc_curve=tuple(
        CurvePoint(soc, kw)
        for soc, kw in ((0, 40), (10, 60), (60, 58), (80, 45), (90, 25), (100, 6))
    ),
    connectors=frozenset({ConnectorStandard.GBT_DC, ConnectorStandard.GBT_AC}),
    pack_voltage_v=400,
)
NIO = "nio-et5"
ALL_BUSY = (PileStatus.CHARGING,) * 8


def catalogue(*stations) -> CatalogueService:
    repo = InMemoryStationRepository()
    repo.save_operator(an_operator())
    repo.save_tariffs([a_tariff()])
    repo.save_stations(stations)
    return CatalogueService(repo, FixedClock(EPOCH))


def every_100_km(**overrides):
    """A 120 kW station every degree of longitude (about 95 km) on the way."""
    return [
        a_station(f"S{lon}", lat=LAT, lon=float(lon), **overrides)
        for lon in range(111, 116)
    ]


def planner(*stations) -> TripPlanner:
    return TripPlanner(catalogue(*stations), FixedClock(EPOCH))


def request(vehicle=DOLPHIN, soc=90.0, **overrides) -> TripRequest:
    return TripRequest(vehicle, soc, ORIGIN, DESTINATION, **overrides)


class TestPlan:
    def test_stops_in_route_order_and_never_arrives_below_the_floor(self):
        plan = planner(*every_100_km()).plan(request())

        lons = [s.station.lon for s in plan.stops]
        assert plan.stops
        assert lons == sorted(lons)
        assert all(s.arrival_soc >= 10.0 for s in plan.stops)
        assert plan.arrival_soc >= 10.0

    def test_totals_add_up_from_legs_and_stops(self):
        plan = planner(*every_100_km()).plan(request())

        stop_minutes = sum(
            s.overhead_minutes + s.wait_minutes + s.charge_minutes for s in plan.stops
        )
        assert plan.total_km == pytest.approx(sum(leg.distance_km for leg in plan.legs))
        assert plan.total_minutes == pytest.approx(plan.drive_minutes + stop_minutes)
        assert plan.arrives_at == plan.departs_at + timedelta(
            minutes=plan.total_minutes
        )
        assert plan.total_cost.amount == sum(s.cost.amount for s in plan.stops)

    def test_each_stop_costs_what_the_pricing_engine_quotes_at_arrival(self):
        plan = planner(*every_100_km()).plan(request())

        for stop in plan.stops:
            plugged_at = stop.leaves_at - timedelta(minutes=stop.charge_minutes)
            kwh = Decimal(str(stop.energy_kwh)).quantize(Decimal("0.001"))
            bill = quote_charge(
                a_tariff(),
                a_station().parking,
                ChargeSession.flat(plugged_at, stop.leaves_at, kwh),
                "Asia/Shanghai",
            )
            assert stop.cost == bill.driver_total

    def test_drives_straight_through_when_the_battery_suffices(self):
        short = TripRequest(DOLPHIN, 90.0, ORIGIN, GeoPoint(LAT, 111.5))

        plan = planner(*every_100_km()).plan(short)

        assert plan.stops == ()
        assert len(plan.legs) == 1

    def test_a_cost_plan_is_never_dearer_at_the_model_price_than_a_time_plan(self):
        service = planner(*every_100_km())

        fast = service.plan(request())
        cheap = service.plan(request(objective=TripObjective.COST))

        assert cheap.total_minutes >= fast.total_minutes - 1e-6
        assert cheap.objective is TripObjective.COST

    def test_ignores_offline_stations(self):
        stations = every_100_km()
        dead = a_station(
            "DEAD", lat=LAT, lon=113.5, power_kw=350.0,
            statuses=(PileStatus.OFFLINE, PileStatus.FAULTED),
        )  # fmt: skip

        plan = planner(*stations, dead).plan(request())

        assert "rapidgrid-DEAD" not in {s.station.id for s in plan.stops}

    def test_a_swap_car_swaps_at_its_network_and_leaves_full(self):
        bay = SwapBay(batteries_in_stock=5, queue_length=0)
        swaps = [
            a_station(
                f"W{lon}", operator_id="swapway", lat=LAT, lon=float(lon) + 0.05,
                standard=ConnectorStandard.SWAP, power_kw=0.0, swap=bay,
                statuses=(PileStatus.AVAILABLE,),
            )
            for lon in range(111, 116)
        ]  # fmt: skip
        slow = every_100_km(power_kw=50.0)

        plan = planner(*slow, *swaps).plan(request(vehicle=NIO, soc=60.0))

        swapped = [s for s in plan.stops if s.is_swap]
        assert swapped
        assert all(s.departure_soc == 100.0 for s in swapped)
        assert all(s.charge_minutes == 3.0 for s in swapped)

    def test_a_car_without_a_swap_pack_never_swaps(self):
        bay = SwapBay(batteries_in_stock=5, queue_length=0)
        swaps = [
            a_station(
                f"W{lon}", operator_id="swapway", lat=LAT, lon=float(lon) + 0.05,
                standard=ConnectorStandard.SWAP, power_kw=0.0, swap=bay,
            )
            for lon in range(111, 116)
        ]  # fmt: skip

        plan = planner(*every_100_km(), *swaps).plan(request())

        assert not any(s.is_swap for s in plan.stops)


class TestAlternatives:
    def test_a_busy_stop_offers_free_stations_nearby(self):
        busy = every_100_km(statuses=ALL_BUSY, power_kw=180.0)
        spare = [
            a_station(f"F{lon}", lat=LAT + 0.02, lon=float(lon), power_kw=50.0)
            for lon in range(111, 116)
        ]

        plan = planner(*busy, *spare).plan(request(vehicle="xiaomi-su7"))

        busy_stops = [s for s in plan.stops if s.station.piles.free == 0]
        assert busy_stops
        for stop in busy_stops:
            assert stop.alternatives
            assert stop.alternatives[0].piles.free > 0
            assert len(stop.alternatives) <= 2

    def test_waits_longer_at_a_station_whose_piles_are_all_busy(self):
        both_busy = (PileStatus.CHARGING, PileStatus.CHARGING)
        busy = planner(*every_100_km(statuses=both_busy)).plan(request())
        free = planner(*every_100_km()).plan(request())

        assert sum(s.wait_minutes for s in busy.stops) > sum(
            s.wait_minutes for s in free.stops
        )


class TestRefusals:
    def test_a_gap_longer_than_the_range_names_the_stretch_and_the_range(self):
        far = a_station("FAR", lat=LAT, lon=111.0)

        with pytest.raises(NoFeasibleTripError) as refused:
            planner(far).plan(request())

        message = str(refused.value)
        assert "between Test station FAR (km 95" in message
        assert "and the destination (km 572)" in message
        assert "covers about 287 km between charges (10-90 %)" in message

    def test_an_unknown_vehicle_is_not_found(self):
        with pytest.raises(VehicleNotFoundError):
            planner(*every_100_km()).plan(request(vehicle="no-such-car"))

    def test_rejects_a_departure_below_the_floor(self):
        with pytest.raises(InvalidInputError) as caught:
            request(soc=5.0)

        assert caught.value.field == "soc"

    def test_rejects_a_target_at_or_below_the_floor(self):
        with pytest.raises(InvalidInputError):
            request(target_soc_max_percent=10.0)


def trip_app(service: TripPlanner) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(trips_route.router)
    app.state.services = SimpleNamespace(trips=service)
    return app


BODY = {
    "vehicle_id": "xiaomi-su7",
    "soc": 90,
    "from": {"lat": LAT, "lon": 110.0},
    "to": {"lat": LAT, "lon": 116.0},
}


async def post(body):
    app = trip_app(planner(*every_100_km()))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/api/v1/trips", json=body)


class TestTripsApi:
    async def test_returns_a_plan_with_stops_and_costs(self):
        response = await post(BODY)

        assert response.status_code == 200
        plan = response.json()
        assert plan["stops"]
        assert plan["currency"] == "CNY"
        assert all(s["arrival_soc"] >= 10 for s in plan["stops"])
        assert Decimal(plan["total_cost"]) == sum(
            Decimal(s["cost"]) for s in plan["stops"]
        )

    async def test_takes_a_custom_vehicle(self):
        custom = {"usable_battery_kwh": 60, "consumption_kwh_per_100km": 15,
                  "max_dc_kw": 120}  # fmt: skip
        body = {**{k: v for k, v in BODY.items() if k != "vehicle_id"}}

        response = await post({**body, "vehicle": custom})

        assert response.status_code == 200
        assert response.json()["vehicle_id"] == "custom"

    @pytest.mark.parametrize(
        "change",
        [{"soc": 150}, {"vehicle": {"usable_battery_kwh": 60,
          "consumption_kwh_per_100km": 15, "max_dc_kw": 120}}, {"prefer": "fun"}],
    )  # fmt: skip
    async def test_bad_input_is_a_422_problem(self, change):
        response = await post({**BODY, **change})

        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    async def test_an_impossible_trip_is_a_422_naming_the_soc(self):
        response = await post({**BODY, "to": {"lat": LAT, "lon": 140.0}})

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "soc"


class TestCommandLinePoints:
    def test_reads_lat_comma_lon(self):
        assert parse_point("39.9042,116.4074", "--from") == GeoPoint(39.9042, 116.4074)

    @pytest.mark.parametrize("text", ["39.9", "north,east", "95,10"])
    def test_rejects_anything_else_naming_the_option(self, text):
        with pytest.raises(InvalidInputError) as caught:
            parse_point(text, "--to")

        assert caught.value.field == "--to"

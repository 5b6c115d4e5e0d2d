"""The reachability search: station by station, and on cells when stations are many."""

from __future__ import annotations

import itertools
import random

import pytest

from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import StationPoint
from evroam.recommend.road import road_km
from evroam.recommend.trip_reach import Window, reach
from evroam.recommend.vehicle import CurvePoint, VehicleModel
from evroam.shared.geo import GeoPoint, distance_m
from evroam.shared.ids import OperatorId, StationId

CAR = VehicleModel(  # 80 % of its 44.9 kWh: about 287 km
    id="small-car",
    brand="Test",
    model="small car",
    usable_battery_kwh=44.9,
    consumption_kwh_per_100km=12.5,
    max_ac_kw=7.0,
    max_dc_kw=60.0,
    dc_curve=(CurvePoint(0, 40), CurvePoint(100, 10)),
    connectors=frozenset({ConnectorStandard.GBT_DC}),
    pack_voltage_v=400,
)
WINDOW = Window(start_soc=80.0, floor=10.0, target=90.0)
ORIGIN = GeoPoint(31.0, 110.0)
DESTINATION = GeoPoint(31.0, 120.0)  # about 950 km east


def point(name: str, lat: float, lon: float) -> StationPoint:
    return StationPoint(
        StationId(f"op-{name}"), OperatorId("op"), name, lat, lon, False,
        frozenset({ConnectorStandard.GBT_DC}), 2,
    )  # fmt: skip


def crowds(lons, per_crowd: int = 30, seed: int = 3) -> list[StationPoint]:
    """A crowd of stations within a few km of each longitude on the route."""
    rng = random.Random(seed)
    return [
        point(
            f"{lon}-{k}",
            31.0 + rng.uniform(-0.03, 0.03),
            lon + rng.uniform(-0.03, 0.03),
        )
        for lon in lons
        for k in range(per_crowd)
    ]


def hops_km(chain) -> list[float]:
    places = [ORIGIN, *(GeoPoint(p.lat, p.lon) for p in chain), DESTINATION]
    return [
        road_km(distance_m(a.lat, a.lon, b.lat, b.lon) / 1000.0)
        for a, b in itertools.pairwise(places)
    ]


@pytest.mark.parametrize("exact_up_to", [10_000, 0], ids=["stations", "cells"])
def test_finds_a_chain_of_real_stations_each_hop_within_range(exact_up_to):
    stations = crowds([112.0, 114.0, 116.0, 118.0])

    found = reach(CAR, stations, ORIGIN, DESTINATION, WINDOW, exact_up_to)

    assert found.path is not None
    assert set(found.path) <= set(stations)
    first, *rest = hops_km(found.path)
    assert first <= CAR.range_km(80.0 - 10.0)
    assert all(hop <= CAR.range_km(90.0 - 10.0) for hop in rest)


@pytest.mark.parametrize("exact_up_to", [10_000, 0], ids=["stations", "cells"])
def test_names_the_stretch_no_hop_covers(exact_up_to):
    stations = crowds([112.0, 113.5, 117.5])  # 113.5 to 117.5: about 450 km by road

    found = reach(CAR, stations, ORIGIN, DESTINATION, WINDOW, exact_up_to)

    assert found.path is None
    assert found.gap is not None
    assert found.gap.from_name.startswith("113.5-")
    assert found.gap.to_name.startswith("117.5-")
    assert found.gap.hop_km > found.gap.range_km


def test_cells_never_claim_a_way_the_stations_do_not_have():
    rng = random.Random(11)
    ways = 0
    for _ in range(25):
        stations = [
            point(str(k), 31.0 + rng.uniform(-0.4, 0.4), rng.uniform(110.0, 120.0))
            for k in range(rng.randint(3, 40))
        ]
        exact = reach(CAR, stations, ORIGIN, DESTINATION, WINDOW, 10_000)
        cells = reach(CAR, stations, ORIGIN, DESTINATION, WINDOW, 0)
        if cells.path is not None:
            ways += 1
            assert exact.path is not None
            first, *rest = hops_km(cells.path)
            assert first <= CAR.range_km(70.0)
            assert max(rest, default=0.0) <= CAR.range_km(80.0)
        if exact.path is None:
            assert cells.path is None
    assert 3 <= ways <= 22  # both answers occur


def test_finer_cells_settle_what_coarse_cells_leave_open():
    # From crowd A to crowd B is about 247 km straight, some 4 km of road past
    # the car's range: 5 km cells (widened by 14 km) cannot rule it out, 1 km
    # cells (widened by 2.8 km) can; the finer level's answer is the one given.
    stations = crowds([112.0], per_crowd=20) + crowds([114.592], per_crowd=20, seed=4)
    stations = [
        point(p.name, 31.0 + (p.lat - 31.0) / 3, 112.0 + (p.lon - 112.0) / 3)
        if p.name.startswith("112.0")
        else point(p.name, 31.0 + (p.lat - 31.0) / 3, 114.592 + (p.lon - 114.592) / 3)
        for p in stations
    ]  # crowds of about 2 km across
    destination = GeoPoint(31.0, 115.6)

    exact = reach(CAR, stations, ORIGIN, destination, WINDOW, 10_000)
    cells = reach(CAR, stations, ORIGIN, destination, WINDOW, 0)

    assert exact.path is None
    assert cells.path is None
    assert cells.gap is not None
    assert cells.gap.from_name.startswith("112.0-")
    assert cells.gap.to_name.startswith("114.592-")

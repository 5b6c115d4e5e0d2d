"""One contract for every StationRepository: in-memory, SQLite R*Tree, PostGIS."""

from __future__ import annotations

import random
from datetime import time
from decimal import Decimal

import pytest

from evroam.catalogue.model import (
    ConnectorStandard,
    PileStatus,
    StatusCategory,
    SwapBay,
)
from evroam.catalogue.search import BoxQuery, NearQuery, StationFilter
from evroam.pricing.tariff import PeriodKind, PeriodPrice, TouWindow
from evroam.shared.geo import BoundingBox, GeoPoint, distance_m
from evroam.shared.ids import OperatorId, StationId, TariffId
from tests.builders import a_station, a_tariff, an_operator

SHANGHAI = GeoPoint(31.2304, 121.4737)


def scattered_stations(n: int, seed: int = 1, spread_deg: float = 0.3):
    rng = random.Random(seed)
    operators = ("rapidgrid", "swapway", "neighbourly")
    standards = (
        ConnectorStandard.GBT_DC,
        ConnectorStandard.GBT_AC,
        ConnectorStandard.CCS2,
    )
    out = []
    for i in range(n):
        out.append(
            a_station(
                f"S{i:05d}",
                operator_id=operators[i % 3],
                lat=SHANGHAI.lat + rng.uniform(-spread_deg, spread_deg),
                lon=SHANGHAI.lon + rng.uniform(-spread_deg, spread_deg),
                standard=standards[i % 3],
                power_kw=(7.0, 60.0, 120.0, 180.0)[i % 4],
                statuses=((PileStatus.AVAILABLE,) if i % 2 else (PileStatus.CHARGING,)),
            )
        )
    return out


class TestSavingAndFinding:
    def test_a_saved_station_comes_back_with_its_piles_parking_and_swap_bay(self, repo):
        station = a_station(swap=SwapBay(7, 2))
        repo.save_stations([station])
        found = repo.find_station(station.id)
        assert found == station

    def test_saving_a_station_again_replaces_it_instead_of_duplicating(self, repo):
        repo.save_operator(an_operator())
        repo.save_stations([a_station(name="Old name")])
        repo.save_stations([a_station(name="New name")])
        assert repo.find_station(StationId("rapidgrid-S0001")).name == "New name"
        [stats] = repo.list_operator_stats()
        assert (stats.stations, stats.piles) == (1, 2)

    def test_stations_come_back_together_in_the_order_asked(self, repo):
        stations = scattered_stations(12)
        repo.save_stations(stations)
        asked = [stations[7].id, StationId("nobody-S1"), stations[2].id, stations[9].id]

        found = repo.find_stations(asked)

        assert found == [stations[7], stations[2], stations[9]]

    def test_an_unknown_station_is_not_found(self, repo):
        assert repo.find_station(StationId("nobody-S1")) is None

    def test_operator_stats_count_stations_piles_and_swap_stations(self, repo):
        repo.save_operator(an_operator())
        repo.save_operator(an_operator(id=OperatorId("swapway"), name="SwapWay"))
        repo.save_stations(
            [
                a_station("A", statuses=(PileStatus.AVAILABLE,) * 3),
                a_station(
                    "B",
                    operator_id="swapway",
                    swap=SwapBay(5, 0),
                    statuses=(PileStatus.AVAILABLE,),
                ),
                a_station(
                    "C", operator_id="swapway", statuses=(PileStatus.OFFLINE,) * 2
                ),
            ]
        )
        stats = {s.operator.id: s for s in repo.list_operator_stats()}
        assert (stats["rapidgrid"].stations, stats["rapidgrid"].piles) == (1, 3)
        assert (stats["swapway"].stations, stats["swapway"].piles) == (2, 3)
        assert stats["swapway"].swap_stations == 1
        assert stats["rapidgrid"].swap_stations == 0

    def test_tariffs_round_trip_with_wrapping_and_seasonal_windows(self, repo):
        tariff = a_tariff(
            prices=(
                *a_tariff().prices,
                PeriodPrice(PeriodKind.SHARP, Decimal("1.2345"), Decimal("0.8000")),
            ),
            windows=(
                TouWindow(time(23), time(7), PeriodKind.VALLEY),
                TouWindow(time(19), time(21), PeriodKind.SHARP, frozenset({7, 8})),
            ),
        )
        repo.save_tariffs([tariff])
        assert repo.tariffs_by_id([TariffId("t-standard"), TariffId("nope")]) == {
            tariff.id: tariff
        }


class TestRadiusSearch:
    def test_returns_exactly_the_stations_within_the_radius_nearest_first(self, repo):
        stations = scattered_stations(300)
        repo.save_stations(stations)
        query = NearQuery(SHANGHAI, 12_000.0)
        got = repo.candidates_near(query, 10_000)
        expected = sorted(
            (distance_m(SHANGHAI.lat, SHANGHAI.lon, s.lat, s.lon), s.id)
            for s in stations
        )
        expected_ids = [i for d, i in expected if d <= 12_000.0]
        assert [c.station_id for c in got] == expected_ids
        assert all(c.distance_m <= 12_000.0 for c in got)

    def test_asking_for_a_few_still_returns_the_nearest_ones(self, repo):
        stations = scattered_stations(300)
        repo.save_stations(stations)
        got = repo.candidates_near(NearQuery(SHANGHAI, 50_000.0), 5)
        nearest = sorted(
            (distance_m(SHANGHAI.lat, SHANGHAI.lon, s.lat, s.lon), s.id)
            for s in stations
        )[:5]
        assert [c.station_id for c in got[:5]] == [i for _, i in nearest]

    def test_continues_after_the_mark_of_the_previous_page(self, repo):
        repo.save_stations(scattered_stations(200))
        everything = repo.candidates_near(NearQuery(SHANGHAI, 40_000.0), 1_000)
        mark = (everything[9].distance_m, everything[9].station_id)
        rest = repo.candidates_near(NearQuery(SHANGHAI, 40_000.0, after=mark), 1_000)
        assert [c.station_id for c in rest] == [c.station_id for c in everything[10:]]

    def test_a_small_page_after_a_mark_inside_a_crowd_at_one_spot(self, repo):
        # 30 stations at one point, 10 more a little further: a page of 3 after
        # the 12th must be the 13th to 15th, ties in id order, however the
        # database sorts and limits its rows.
        crowd = [
            a_station(f"C{i:02d}", lat=SHANGHAI.lat, lon=SHANGHAI.lon + 0.01)
            for i in range(30)
        ]
        beyond = [
            a_station(f"B{i:02d}", lat=SHANGHAI.lat, lon=SHANGHAI.lon + 0.02 + i / 1e4)
            for i in range(10)
        ]
        repo.save_stations([*beyond, *crowd])
        query = NearQuery(SHANGHAI, 20_000.0)
        everything = repo.candidates_near(query, 1_000)
        assert [c.station_id for c in everything][:30] == sorted(s.id for s in crowd)
        mark = (everything[11].distance_m, everything[11].station_id)
        page = repo.candidates_near(NearQuery(SHANGHAI, 20_000.0, after=mark), 3)
        assert [c.station_id for c in page][:3] == [
            c.station_id for c in everything[12:15]
        ]
        last = (everything[29].distance_m, everything[29].station_id)
        rest = repo.candidates_near(NearQuery(SHANGHAI, 20_000.0, after=last), 2)
        assert [c.station_id for c in rest][:2] == [s.id for s in beyond[:2]]

    @pytest.mark.parametrize(
        ("flt", "check"),
        [
            (
                StationFilter(connectors=frozenset({ConnectorStandard.GBT_AC})),
                lambda s: ConnectorStandard.GBT_AC in s.connector_standards,
            ),
            (StationFilter(min_power_kw=120.0), lambda s: s.max_power_kw >= 120.0),
            (
                StationFilter(operator_ids=frozenset({OperatorId("swapway")})),
                lambda s: s.operator_id == "swapway",
            ),
            (
                StationFilter(is_available=True),
                lambda s: any(p.status is PileStatus.AVAILABLE for p in s.piles),
            ),
            (StationFilter(is_swap=False), lambda s: not s.is_swap),
        ],
        ids=["connector", "min_power", "operator", "available", "not_swap"],
    )
    def test_filters_keep_exactly_the_matching_stations(self, repo, flt, check):
        stations = scattered_stations(150)
        repo.save_stations(stations)
        got = {
            c.station_id
            for c in repo.candidates_near(NearQuery(SHANGHAI, 100_000.0, flt), 1000)
        }
        assert got == {s.id for s in stations if check(s)}
        assert got  # the filter is not vacuous on this data


class TestStationPoints:
    def test_every_matching_station_in_the_box_with_its_online_piles(self, repo):
        stations = scattered_stations(200)
        repo.save_stations(stations)
        box = BoundingBox(121.4, 31.1, 121.6, 31.3)
        flt = StationFilter(connectors=frozenset({ConnectorStandard.GBT_DC}))

        got = {p.id: p for p in repo.points_in_box(box, flt)}

        inside = [
            s
            for s in stations
            if box.contains(s.lat, s.lon)
            and ConnectorStandard.GBT_DC in s.connector_standards
        ]
        assert set(got) == {s.id for s in inside}
        assert got
        for s in inside:
            p = got[s.id]
            assert (p.lat, p.lon, p.name, p.is_swap) == (s.lat, s.lon, s.name, False)
            online = sum(
                x.status.category is not StatusCategory.OFFLINE for x in s.piles
            )
            assert p.online_piles == online
            assert p.connectors == s.connector_standards


class TestBoxSearch:
    def test_returns_the_stations_inside_the_box_by_id(self, repo):
        stations = scattered_stations(200)
        repo.save_stations(stations)
        box = BoundingBox(121.4, 31.1, 121.6, 31.3)
        got = repo.candidates_in_box(BoxQuery(box, limit=500), 1000)
        expected = sorted(s.id for s in stations if box.contains(s.lat, s.lon))
        assert [c.station_id for c in got] == expected

    def test_pages_continue_after_the_last_id(self, repo):
        repo.save_stations(scattered_stations(60))
        box = BoundingBox(120.0, 30.0, 123.0, 33.0)
        first = repo.candidates_in_box(BoxQuery(box, limit=20), 20)
        rest = repo.candidates_in_box(
            BoxQuery(box, limit=500, after=first[-1].station_id), 500
        )
        assert len(first) == 20
        assert len(rest) == 40
        assert first[-1].station_id < rest[0].station_id

    def test_works_far_north_where_degrees_of_longitude_are_short(self, repo):
        near_mohe = a_station("N1", lat=52.97, lon=122.54)
        repo.save_stations([near_mohe, a_station("N2", lat=52.97, lon=123.9)])
        got = repo.candidates_in_box(
            BoxQuery(BoundingBox(122.0, 52.5, 123.0, 53.5)), 10
        )
        assert [c.station_id for c in got] == [near_mohe.id]


class TestClusters:
    def test_clusters_account_for_every_station_and_pile_in_the_box(self, repo):
        stations = scattered_stations(120)
        repo.save_stations(stations)
        box = BoundingBox(120.0, 30.0, 123.0, 33.0)
        clusters = repo.clusters(box, 0.1)
        assert sum(c.stations for c in clusters) == 120
        assert sum(c.piles.total for c in clusters) == sum(
            len(s.piles) for s in stations
        )
        assert len(clusters) > 1


class TestPileDirectory:
    def test_finds_hub_pile_ids_and_station_ids_of_one_operator(self, repo):
        mine = a_station("S1")
        theirs = a_station("S1", operator_id="swapway", lat=31.3)
        repo.save_stations([mine, theirs])
        found = repo.pile_ids_for(OperatorId("rapidgrid"), ["E01", "E02", "E99"])
        assert found == {"E01": mine.piles[0].id, "E02": mine.piles[1].id}
        assert list(repo.external_station_ids(OperatorId("rapidgrid"))) == ["S1"]
        assert repo.pile_counts(OperatorId("swapway")) == (1, 2, 0)

    def test_saving_with_keep_status_keeps_what_we_hold(self, repo):
        station = a_station(statuses=(PileStatus.CHARGING, PileStatus.AVAILABLE))
        repo.save_stations([station])
        pulled = a_station(
            name="Renamed", statuses=(PileStatus.OFFLINE, PileStatus.OFFLINE)
        )
        repo.save_stations([pulled], keep_status=True)
        held = repo.find_station(station.id)
        assert held.name == "Renamed"
        assert [p.status for p in held.piles] == [
            PileStatus.CHARGING,
            PileStatus.AVAILABLE,
        ]


class TestFindingAPilesStation:
    def test_a_pile_leads_to_its_station_and_an_unknown_pile_to_none(self, repo):
        station = a_station("S7")
        repo.save_stations([station, a_station("S8", lat=31.4)])
        assert repo.find_station_of_pile(station.piles[1].id) == station
        assert repo.find_station_of_pile("rapidgrid-S9-E01") is None

"""The reference scenario: the three partner networks of the announcement."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime
from itertools import islice

import pytest

from evroam.catalogue.model import ConnectorStandard, PileStatus, PowerType
from evroam.scenario import GENERATION_EPOCH, reference_scenario, service_areas
from evroam.scenario.cities import CITIES
from evroam.shared.geo import distance_m
from evroam.shared.ids import pile_id_for, station_id_for

from .conftest import REFERENCE_SEED

CITY_BY_NAME = {city.name: city for city in CITIES}
AREA_BY_ID = {area.id: area for area in service_areas()}


def _piles_by_operator(stations):
    counts: Counter[str] = Counter()
    for station in stations:
        counts[station.operator_id] += len(station.piles)
    return counts


class TestReferenceCounts:
    def test_has_exactly_the_announced_piles_per_operator(self, reference_stations):
        assert _piles_by_operator(reference_stations) == {
            "swapway": 14_000,
            "rapidgrid": 9_000,
            "neighbourly": 6_000,
        }

    def test_has_exactly_3000_swap_stations_of_one_swap_pile_each(
        self, reference_stations
    ):
        swaps = [s for s in reference_stations if s.is_swap]
        assert len(swaps) == 3_000
        assert {s.operator_id for s in swaps} == {"swapway"}
        for station in swaps:
            (pile,) = station.piles
            assert [c.standard for c in pile.connectors] == [ConnectorStandard.SWAP]

    def test_announces_the_totals_it_generates(self, reference, reference_stations):
        assert reference.expected_piles == 29_000
        assert reference.expected_stations == len(reference_stations)
        assert reference.expected_piles_by_operator() == _piles_by_operator(
            reference_stations
        )

    def test_lists_the_three_fictional_partners(self, reference):
        assert [(o.id, o.party_id, o.country_code) for o in reference.operators] == [
            ("swapway", "SWP", "CN"),
            ("rapidgrid", "RPG", "CN"),
            ("neighbourly", "NBC", "CN"),
        ]


class TestDeterminism:
    def test_same_seed_gives_the_same_stations(self, reference):
        again = reference_scenario(REFERENCE_SEED)
        assert list(islice(again.iter_stations(), 200)) == list(
            islice(reference.iter_stations(), 200)
        )
        assert again.expected_stations == reference.expected_stations
        assert again.tariffs == reference.tariffs
        assert again.covered_service_area_ids == reference.covered_service_area_ids

    def test_another_seed_gives_other_stations(self, reference):
        other = reference_scenario(REFERENCE_SEED + 1)
        first = [(s.lat, s.lon, s.name) for s in islice(reference.iter_stations(), 200)]
        second = [(s.lat, s.lon, s.name) for s in islice(other.iter_stations(), 200)]
        assert first != second
        assert other.covered_service_area_ids != reference.covered_service_area_ids

    def test_streams_one_operator_alone_identically(
        self, reference, reference_stations
    ):
        alone = tuple(reference.iter_stations("rapidgrid"))
        assert alone == tuple(
            s for s in reference_stations if s.operator_id == "rapidgrid"
        )

    def test_stamps_statuses_with_the_given_epoch_not_the_clock(
        self, reference_stations
    ):
        for station in islice(reference_stations, 500):
            assert station.updated_at == GENERATION_EPOCH
            assert {p.status_at for p in station.piles} == {GENERATION_EPOCH}

    def test_refuses_a_naive_generation_time(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            reference_scenario(1, datetime(2024, 11, 1))  # noqa: DTZ001


class TestPlausibility:
    def test_every_station_is_in_china_near_its_city_or_a_service_area(
        self, reference_stations
    ):
        for station in reference_stations:
            assert 18.0 <= station.lat <= 53.6
            assert 73.5 <= station.lon <= 135.1
            area_tags = [t for t in station.tags if t.startswith("service-area:")]
            if area_tags:
                area = AREA_BY_ID[area_tags[0].removeprefix("service-area:")]
                assert distance_m(station.lat, station.lon, area.lat, area.lon) < 1_000
            else:
                city = CITY_BY_NAME[station.city]
                gap_km = distance_m(station.lat, station.lon, city.lat, city.lon) / 1000
                assert gap_km <= city.radius_km * 1.6 + 0.1
                assert (
                    station.city in station.address or city.name_zh in station.address
                )

    def test_names_stations_after_their_operator_and_city(self, reference_stations):
        names = {
            "swapway": "SwapWay Energy",
            "rapidgrid": "Rapid Grid",
            "neighbourly": "Neighbourly Charge",
        }
        for station in islice(reference_stations, 0, None, 7):
            assert station.name.startswith(f"{names[station.operator_id]} · ")
            assert station.name.endswith("站")

    def test_ids_follow_the_shared_id_rules_and_are_unique(self, reference_stations):
        station_ids = [s.id for s in reference_stations]
        assert len(set(station_ids)) == len(station_ids)
        for station in islice(reference_stations, 0, None, 11):
            assert station.id == station_id_for(
                station.operator_id, station.external_id
            )
            assert station.external_id.startswith("S")
            assert len(station.external_id) == 8
            uids = [p.external_uid for p in station.piles]
            assert len(set(uids)) == len(uids)
            assert all(
                p.id == pile_id_for(station.id, p.external_uid) for p in station.piles
            )

    def test_covers_85_percent_of_service_areas_with_swap_stations(self, reference):
        assert 0.83 <= reference.swap_service_area_coverage <= 0.87
        assert reference.service_area_count == len(service_areas())

    def test_puts_a_swap_station_at_every_covered_service_area(
        self, reference, reference_stations
    ):
        swap_areas = {
            tag.removeprefix("service-area:")
            for s in reference_stations
            if s.is_swap
            for tag in s.tags
            if tag.startswith("service-area:")
        }
        assert swap_areas == set(reference.covered_service_area_ids)

    def test_swap_bays_hold_0_to_13_batteries_and_queues_of_0_to_4(
        self, reference_stations
    ):
        bays = [s.swap for s in reference_stations if s.swap is not None]
        assert {b.batteries_in_stock for b in bays} == set(range(14))
        assert {b.queue_length for b in bays} == set(range(5))
        assert all(s.parking.is_free for s in reference_stations if s.is_swap)

    def test_rapidgrid_is_dc_fast_up_to_180kw_in_stations_of_6_to_20(
        self, reference_stations
    ):
        stations = [
            s
            for s in reference_stations
            if s.operator_id == "rapidgrid" and "expressway" not in s.tags
        ]
        piles = [p for s in stations for p in s.piles]
        assert max(p.max_power_kw for p in piles) <= 180
        dc = sum(p.connectors[0].power_type is PowerType.DC for p in piles)
        assert dc / len(piles) >= 0.9
        assert all(6 <= len(s.piles) <= 20 for s in stations)
        tiers = {CITY_BY_NAME[s.city].tier.value for s in stations}
        assert tiers <= {"1", "new 1", "2"}

    def test_neighbourly_is_mostly_ac_in_small_compounds_below_tier_1(
        self, reference_stations
    ):
        stations = [
            s
            for s in reference_stations
            if s.operator_id == "neighbourly" and "expressway" not in s.tags
        ]
        piles = [p for s in stations for p in s.piles]
        ac = sum(p.connectors[0].power_type is PowerType.AC for p in piles)
        assert ac / len(piles) >= 0.7
        assert all(2 <= len(s.piles) <= 8 for s in stations)
        tiers = {CITY_BY_NAME[s.city].tier.value for s in stations}
        assert tiers <= {"2", "3", "4"}

    def test_fast_and_community_partners_have_dc_sites_at_service_areas(
        self, reference, reference_stations
    ):
        sites = {
            operator: [
                s
                for s in reference_stations
                if s.operator_id == operator and "expressway" in s.tags
            ]
            for operator in ("rapidgrid", "neighbourly")
        }
        areas = reference.service_area_count
        piles = {op: [p for s in st for p in s.piles] for op, st in sites.items()}
        assert all(
            p.connectors[0].power_type is PowerType.DC for p in piles["rapidgrid"]
        )
        assert {p.max_power_kw for p in piles["neighbourly"]} == {250.0, 480.0}
        assert all(4 <= len(s.piles) <= 6 for s in sites["rapidgrid"])
        assert 0.18 <= len(sites["neighbourly"]) / areas <= 0.22
        assert 0.1 <= len(sites["rapidgrid"]) / areas <= 0.2

    def test_community_sites_are_every_fifth_service_area_of_each_corridor(
        self, reference_stations
    ):
        chosen = {
            t.removeprefix("service-area:")
            for s in reference_stations
            if s.operator_id == "neighbourly"
            for t in s.tags
            if t.startswith("service-area:")
        }
        by_corridor: dict[str, list[str]] = {}
        for area in service_areas():
            by_corridor.setdefault(area.corridor, []).append(area.id)
        for ids in by_corridor.values():
            where = [i for i, a in enumerate(ids) if a in chosen]
            assert len(ids) < 5 or where
            assert all(b - a == 5 for a, b in itertools.pairwise(where))

    def test_swapway_chargers_are_mostly_dc(self, reference_stations):
        piles = [
            p
            for s in reference_stations
            if s.operator_id == "swapway" and not s.is_swap
            for p in s.piles
        ]
        assert len(piles) == 11_000
        dc = sum(p.connectors[0].power_type is PowerType.DC for p in piles)
        assert dc / len(piles) > 0.6

    def test_about_two_percent_of_piles_are_offline_or_faulted(
        self, reference_stations
    ):
        statuses = Counter(p.status for s in reference_stations for p in s.piles)
        total = sum(statuses.values())
        down = statuses[PileStatus.OFFLINE] + statuses[PileStatus.FAULTED]
        assert 0.01 <= down / total <= 0.03
        assert statuses[PileStatus.AVAILABLE] / total > 0.5
        assert statuses[PileStatus.CHARGING] > 0
        assert statuses[PileStatus.OCCUPIED] > 0

    def test_every_station_has_a_tariff_of_its_operator(
        self, reference, reference_stations
    ):
        tariff_ids = {t.id for t in reference.tariffs}
        for station in reference_stations:
            assert station.tariff_id in tariff_ids
            assert station.tariff_id.startswith(f"{station.operator_id}-")

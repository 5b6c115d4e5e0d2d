"""The national scenario: ~1.6 M piles over ~300 k stations, streamed fast."""

from __future__ import annotations

from collections import Counter
from itertools import islice

import pytest

from evroam.catalogue.model import Station
from evroam.scenario import Scenario, national_scenario
from evroam.scenario.cities import CITIES
from evroam.shared.geo import distance_m

CITY_BY_NAME = {city.name: city for city in CITIES}
SAMPLE = 20_000


@pytest.fixture(scope="module")
def national() -> Scenario:
    return national_scenario(3)


@pytest.fixture(scope="module")
def first_stations(national: Scenario) -> tuple[Station, ...]:
    return tuple(islice(national.iter_stations(), SAMPLE))


class TestNationalPlan:
    def test_announces_about_1_6_million_piles_and_300k_stations(self, national):
        assert national.expected_piles == 1_600_000
        assert national.expected_stations is not None
        assert 270_000 <= national.expected_stations <= 330_000

    def test_has_the_three_partners_and_six_more_fictional_operators(self, national):
        ids = [o.id for o in national.operators]
        assert ids[:3] == ["swapway", "rapidgrid", "neighbourly"]
        assert len(ids) == 9
        assert len({o.party_id for o in national.operators}) == 9

    def test_puts_most_piles_in_the_biggest_cities(self, national):
        by_city: Counter[str] = Counter()
        for block in national.blocks:
            by_city[block.city_key] += block.piles
        top = [key for key, _ in by_city.most_common(5) if key]
        assert {"beijing", "shanghai", "guangzhou", "shenzhen"} <= set(top)

    def test_has_a_tariff_for_every_operator_and_province_it_serves(self, national):
        assert 100 <= len(national.tariffs) <= 1000


class TestNationalStream:
    def test_streams_stations_one_by_one_without_building_the_network(self, national):
        # The rate is a figure for benchmarks/, not a timed test.
        count = sum(1 for _ in islice(national.iter_stations("starfield"), SAMPLE))
        assert count == SAMPLE

    def test_first_stations_are_plausible(self, first_stations):
        ids = {s.id for s in first_stations}
        assert len(ids) == SAMPLE
        for station in first_stations:
            assert 18.0 <= station.lat <= 53.6
            assert 73.5 <= station.lon <= 135.1
            city = CITY_BY_NAME[station.city]
            gap_km = distance_m(station.lat, station.lon, city.lat, city.lon) / 1000
            is_expressway = "expressway" in station.tags
            assert is_expressway or gap_km <= city.radius_km * 1.6 + 0.1
            assert station.piles

    def test_is_deterministic(self, national, first_stations):
        again = national_scenario(3)
        assert tuple(islice(again.iter_stations(), 300)) == first_stations[:300]


@pytest.mark.slow
class TestNationalFullCount:
    def test_generates_exactly_the_announced_totals(self, national):
        stations = piles = 0
        for station in national.iter_stations():
            stations += 1
            piles += len(station.piles)
        assert stations == national.expected_stations
        assert piles == national.expected_piles == 1_600_000

"""The city table: real places, right coordinates, every top-tier city."""

from __future__ import annotations

import pytest

from evroam.scenario.cities import CITIES, CITY_BY_KEY, PROVINCES, CityTier
from evroam.shared.geo import distance_m

TIER_1 = {"beijing", "shanghai", "guangzhou", "shenzhen"}
NEW_TIER_1 = {
    "chengdu", "hangzhou", "chongqing", "suzhou", "wuhan", "xian", "nanjing",
    "changsha", "tianjin", "zhengzhou", "dongguan", "wuxi", "ningbo", "qingdao",
    "hefei",
}  # fmt: skip


class TestCityTable:
    def test_lists_every_tier_1_and_new_tier_1_city(self):
        by_tier = {c.key for c in CITIES if c.tier is CityTier.TIER_1}
        new = {c.key for c in CITIES if c.tier is CityTier.NEW_TIER_1}
        assert by_tier == TIER_1
        assert new == NEW_TIER_1

    def test_spreads_over_tiers_2_to_4_and_most_provinces(self):
        for tier in (CityTier.TIER_2, CityTier.TIER_3, CityTier.TIER_4):
            assert sum(c.tier is tier for c in CITIES) >= 25
        assert len({c.province for c in CITIES}) == len(PROVINCES)

    def test_keys_and_english_names_are_unique(self):
        assert len({c.key for c in CITIES}) == len(CITIES)
        assert len({c.name for c in CITIES}) == len(CITIES)

    @pytest.mark.parametrize(
        ("key", "lat", "lon"),
        [
            ("beijing", 39.9087, 116.3975),  # Tiananmen
            ("shanghai", 31.2397, 121.4998),  # the Bund / Lujiazui
            ("guangzhou", 23.1066, 113.3245),  # Canton Tower
            ("shenzhen", 22.5410, 114.0540),  # Civic Center
            ("chengdu", 30.6574, 104.0658),  # Tianfu Square
            ("xian", 34.2590, 108.9470),  # Bell Tower
            ("urumqi", 43.8000, 87.6000),
            ("lhasa", 29.6550, 91.1170),  # Potala Palace
        ],
    )
    def test_puts_well_known_cities_where_they_are(self, key, lat, lon):
        city = CITY_BY_KEY[key]
        assert distance_m(city.lat, city.lon, lat, lon) < 12_000

    def test_every_city_lies_inside_china(self):
        for city in CITIES:
            assert 18.0 <= city.lat <= 53.6, city.key
            assert 73.5 <= city.lon <= 135.1, city.key

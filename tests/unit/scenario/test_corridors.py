"""Expressway corridors and their service areas."""

from __future__ import annotations

from evroam.scenario.cities import CITIES, CITY_BY_KEY
from evroam.scenario.corridors import (
    CORRIDORS,
    MERGE_RADIUS_KM,
    corridor_length_km,
    service_areas,
)
from evroam.shared.geo import distance_m


class TestCorridors:
    def test_models_at_least_fifteen_national_expressways(self):
        codes = {c.code for c in CORRIDORS}
        assert len(codes) >= 15
        assert {"G1", "G2", "G4", "G15", "G30", "G60", "G85"} <= codes

    def test_runs_g4_from_beijing_through_wuhan_to_shenzhen(self):
        g4 = next(c for c in CORRIDORS if c.code == "G4")
        (leg,) = g4.legs
        assert leg[0] == "beijing"
        assert leg[-1] == "shenzhen"
        assert leg.index("shijiazhuang") < leg.index("zhengzhou") < leg.index("wuhan")
        assert leg.index("wuhan") < leg.index("changsha") < leg.index("guangzhou")

    def test_every_waypoint_is_a_known_city(self):
        for corridor in CORRIDORS:
            for leg in corridor.legs:
                assert all(key in CITY_BY_KEY for key in leg), corridor.code

    def test_g4_is_about_as_long_as_the_real_road(self):
        g4 = next(c for c in CORRIDORS if c.code == "G4")
        assert 2000 < corridor_length_km(g4) < 2500  # real: ~2,285 km


class TestServiceAreas:
    def test_places_hundreds_of_service_areas_with_unique_ids(self):
        areas = service_areas()
        assert len(areas) > 500
        assert len({a.id for a in areas}) == len(areas)
        assert len({a.name_zh for a in areas}) == len(areas)

    def test_counts_sites_shared_by_two_corridors_once(self):
        areas = service_areas()
        for i, a in enumerate(areas):
            for b in areas[i + 1 :]:
                gap = distance_m(a.lat, a.lon, b.lat, b.lon)
                assert gap >= MERGE_RADIUS_KM * 1000

    def test_keeps_service_areas_out_of_city_centres(self):
        for area in service_areas():
            for city in CITIES:
                gap_km = distance_m(area.lat, area.lon, city.lat, city.lon) / 1000
                assert gap_km >= city.radius_km

    def test_names_each_service_area_after_a_nearby_city(self):
        for area in service_areas():
            city = CITY_BY_KEY[area.city_key]
            assert area.name_zh.startswith(city.name_zh)
            assert area.name_zh.endswith("服务区")

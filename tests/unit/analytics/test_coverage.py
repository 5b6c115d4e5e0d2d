import pytest

from evroam.analytics.coverage import AreaPoint, SiteFacts, service_area_coverage
from evroam.scenario.corridors import service_areas
from evroam.scenario.generator import reference_scenario

AREA = AreaPoint("G2-0100", 32.0, 118.0)
OTHER = AreaPoint("G2-0150", 32.5, 118.5)


class TestServiceAreaCoverage:
    def test_counts_a_swap_station_within_two_km(self):
        site = SiteFacts(32.015, 118.0, is_swap=True, dc_power_kw=0.0)  # ~1.7 km
        found = service_area_coverage([AREA, OTHER], [site])
        assert found.swap_covered == ("G2-0100",)
        assert found.swap_share == 0.5
        assert found.dc_fast_covered == ()

    def test_ignores_stations_further_away(self):
        site = SiteFacts(32.03, 118.0, is_swap=True, dc_power_kw=120.0)  # ~3.3 km
        assert service_area_coverage([AREA], [site]).swap_share == 0

    def test_counts_a_station_tagged_with_the_service_area_wherever_it_is(self):
        site = SiteFacts(33.0, 119.0, False, 120.0, tags=("service-area:G2-0150",))
        found = service_area_coverage([AREA, OTHER], [site])
        assert found.dc_fast_covered == ("G2-0150",)

    def test_needs_dc_power_of_at_least_60_kw(self):
        slow = SiteFacts(32.0, 118.0, is_swap=False, dc_power_kw=40.0)
        fast = SiteFacts(32.5, 118.5, is_swap=False, dc_power_kw=60.0)
        found = service_area_coverage([AREA, OTHER], [slow, fast])
        assert found.dc_fast_covered == ("G2-0150",)


class TestReferenceScenarioCoverage:
    def test_swap_stations_cover_about_85_percent_of_service_areas(self):
        scenario = reference_scenario(7)
        areas = [AreaPoint(a.id, a.lat, a.lon) for a in service_areas()]
        sites = [
            SiteFacts(
                s.lat,
                s.lon,
                s.is_swap,
                0.0 if s.is_swap else s.max_power_kw,
                s.tags,
            )
            for s in scenario.iter_stations()
        ]
        found = service_area_coverage(areas, sites)
        assert found.swap_share == pytest.approx(0.85, abs=0.02)
        assert 0 < found.dc_fast_share < found.swap_share

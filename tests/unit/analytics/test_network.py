from datetime import UTC, datetime, timedelta

import pytest

from evroam.analytics.network import (
    BusySpan,
    DemandPoint,
    Grouping,
    PileRef,
    SupplyPoint,
    Window,
    demand_hotspots,
    occupancy_heatmap,
    shared_hotspots,
    underserved_areas,
    utilisation,
)

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # 08:00 Monday in Shanghai
DAY = Window(MONDAY, MONDAY + timedelta(days=1))
WEEK = Window(MONDAY, MONDAY + timedelta(days=7))
PILES = (
    PileRef("p1", "s1", "rapidgrid", "Shanghai"),
    PileRef("p2", "s1", "rapidgrid", "Shanghai"),
    PileRef("p3", "s2", "swapway", "Hangzhou"),
    PileRef("p4", "s2", "swapway", "Hangzhou"),
)


def busy(pile: str, start_h: float, hours: float) -> BusySpan:
    start = MONDAY + timedelta(hours=start_h)
    return BusySpan(pile, start, start + timedelta(hours=hours))


class TestUtilisation:
    def test_share_is_busy_pile_hours_over_pile_hours(self):
        spans = [busy("p1", 0, 12), busy("p2", 0, 6)]
        rows = utilisation(PILES, spans, DAY, Grouping.STATION)
        s1 = next(r for r in rows if r.key == "s1")
        assert s1.busy_hours == pytest.approx(18)
        assert s1.pile_hours == pytest.approx(48)
        assert s1.share == pytest.approx(18 / 48)

    def test_counts_only_the_part_of_a_span_inside_the_window(self):
        spans = [busy("p3", -5, 7), busy("p4", 23, 5)]
        rows = utilisation(PILES, spans, DAY, Grouping.PARTNER)
        swapway = next(r for r in rows if r.key == "swapway")
        assert swapway.busy_hours == pytest.approx(2 + 1)

    def test_lists_idle_groups_with_zero_and_the_busiest_first(self):
        rows = utilisation(PILES, [busy("p3", 0, 24)], DAY, Grouping.CITY)
        assert [(r.key, r.share) for r in rows] == [("Hangzhou", 0.5), ("Shanghai", 0)]

    def test_rejects_a_window_without_a_time_zone(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            Window(datetime(2026, 1, 1), datetime(2026, 1, 2))  # noqa: DTZ001


class TestOccupancyHeatmap:
    def test_bins_by_hour_and_weekday_in_shanghai_time(self):
        # 16:00-17:00 UTC Monday is 00:00-01:00 Tuesday in Shanghai.
        heatmap = occupancy_heatmap(1, [busy("p1", 16, 1)], WEEK)
        assert heatmap.time_zone == "Asia/Shanghai"
        assert heatmap.shares[1][0] == pytest.approx(1.0)
        assert heatmap.shares[0][0] == 0
        assert sum(map(sum, heatmap.shares)) == pytest.approx(1.0)

    def test_splits_a_span_across_hour_boundaries(self):
        heatmap = occupancy_heatmap(2, [busy("p1", 1.5, 1)], WEEK)  # 09:30-10:30
        assert heatmap.shares[0][9] == pytest.approx(0.25)
        assert heatmap.shares[0][10] == pytest.approx(0.25)

    def test_averages_over_every_occurrence_of_a_bin_in_the_window(self):
        two_weeks = Window(MONDAY, MONDAY + timedelta(days=14))
        heatmap = occupancy_heatmap(1, [busy("p1", 2, 1)], two_weeks)  # Mon 10:00
        assert heatmap.shares[0][10] == pytest.approx(0.5)


def point(lat: float, lon: float, driver: str, kwh: float = 10.0) -> DemandPoint:
    return DemandPoint(lat, lon, kwh, driver)


class TestDemandHotspots:
    def test_ranks_grid_cells_by_kwh(self):
        demand = [point(31.21, 121.41, "a", 30), point(31.22, 121.42, "b", 30)] + [
            point(30.26, 120.16, "c", 5) for _ in range(5)
        ]
        spots = demand_hotspots(demand)
        assert [(s.sessions, s.kwh, s.drivers) for s in spots] == [
            (2, 60.0, 2),
            (5, 25.0, 1),
        ]
        assert spots[0].lat == pytest.approx(31.225)

    def test_partner_view_pools_or_withholds_cells_of_fewer_than_k_drivers(self):
        crowded = [point(31.21, 121.41, f"d{i}") for i in range(12)]
        # Two neighbouring cells of 5 drivers each share one coarser cell.
        pooled = [point(31.26, 121.41, f"e{i}") for i in range(5)] + [
            point(31.26, 121.46, f"f{i}") for i in range(5)
        ]
        lonely = [point(40.0, 116.4, "g")]
        shared = shared_hotspots(crowded + pooled + lonely, k=10)
        assert sorted(s.drivers for s in shared.spots) == [10, 12]
        assert all(s.drivers >= 10 for s in shared.spots)
        assert (shared.suppressed_cells, shared.suppressed_sessions) == (1, 1)


class TestUnderservedAreas:
    def test_ranks_demand_far_from_spare_dc_capacity_first(self):
        demand = [point(31.21, 121.41, "a", 500), point(35.0, 110.0, "b", 100)]
        supply = [SupplyPoint(31.22, 121.43, 120.0, busy_share=0.5)]
        areas = underserved_areas(demand, supply, DAY)
        assert [a.demand_kwh for a in areas] == [500, 100]
        assert areas[0].spare_dc_kwh == pytest.approx(0.1 * 120 * 0.5 * 24)
        assert areas[0].unmet_kwh == pytest.approx(500 - 144)
        assert areas[1].unmet_kwh == 100

    def test_leaves_out_cells_whose_demand_nearby_spare_capacity_meets(self):
        demand = [point(31.21, 121.41, "a", 100)]
        supply = [SupplyPoint(31.26, 121.46, 180.0, busy_share=0.1)]  # next cell
        assert underserved_areas(demand, supply, DAY) == ()

    def test_ignores_slow_piles(self):
        demand = [point(31.21, 121.41, "a", 100)]
        supply = [SupplyPoint(31.21, 121.41, 22.0, busy_share=0.0)]
        assert underserved_areas(demand, supply, DAY)[0].unmet_kwh == 100

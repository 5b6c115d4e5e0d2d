"""Availability at arrival (ADR 0039): live state fading into learned history,
used in ranking and trip stops."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from evroam.catalogue.model import PileStatus
from evroam.catalogue.service import CatalogueService
from evroam.recommend.availability import (
    ChanceBasis,
    HistoricShare,
    arrival,
    brier_score,
    free_chance,
    hour_of_week,
    shrunk_share,
)
from evroam.recommend.request import RecommendRequest
from evroam.recommend.road import GreatCircleRoads
from evroam.recommend.service import RecommendService
from evroam.recommend.trip import TripPlanner
from evroam.recommend.vehicles import get_vehicle
from evroam.recommend.wait import PileState
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId, StationId
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import FixedClock, InMemoryStationRepository

HERE = GeoPoint(31.2304, 121.4737)


class FixedShares:
    """An ``AvailabilityHistory`` that knows some stations' free share."""

    def __init__(self, shares: dict[str, float]) -> None:
        self._shares = shares
        self.asked: list[int] = []

    def share(
        self, station_id: StationId, operator_id: OperatorId, hour_of_week: int
    ) -> HistoricShare | None:
        self.asked.append(hour_of_week)
        if station_id not in self._shares:
            return None
        return HistoricShare(self._shares[station_id], 0.5, ChanceBasis.STATION)


class TestTheModel:
    def test_hour_of_week_counts_from_monday_midnight(self):
        local = EPOCH.astimezone(ZoneInfo("Asia/Shanghai"))
        assert hour_of_week(local) == 10  # a Monday, 10:00
        assert hour_of_week(local + timedelta(days=6, hours=13)) == 167

    def test_the_live_state_tells_at_once_and_history_later(self):
        assert free_chance(True, 0.2, 0.0, 20.0) == 1.0
        assert free_chance(False, 0.2, 0.0, 20.0) == 0.0
        assert free_chance(True, 0.2, 600.0, 20.0) == pytest.approx(0.2)
        near, far = free_chance(True, 0.2, 10.0, 20.0), free_chance(True, 0.2, 40.0, 20)
        assert 1.0 > near > far > 0.2

    def test_little_history_stays_near_the_prior_and_much_follows_the_data(self):
        assert shrunk_share(0.0, 0.0, 0.7) == pytest.approx(0.7)
        assert shrunk_share(0.0, 1.0, 0.7) == pytest.approx(0.56)
        assert shrunk_share(400.0, 400.0, 0.0) == pytest.approx(400 / 404)

    def test_brier_score_on_a_known_dataset(self):
        # (1-1)^2 + (0-1)^2 + (0.5-0)^2 + (0.8-1)^2 = 0 + 1 + 0.25 + 0.04
        assert brier_score([1.0, 0.0, 0.5, 0.8], [True, True, False, True]) == (
            pytest.approx(1.29 / 4)
        )
        with pytest.raises(ValueError, match="one outcome per forecast"):
            brier_score([0.5], [])

    def test_a_busy_hour_means_a_longer_expected_wait(self):
        state = PileState(usable=2, free=1)
        quiet = HistoricShare(0.9, 0.4, ChanceBasis.STATION)
        busy = HistoricShare(0.1, 0.4, ChanceBasis.STATION)
        a = arrival(state, quiet, 0.5, 30.0, 45.0, 20.0)
        b = arrival(state, busy, 0.5, 30.0, 45.0, 20.0)
        assert a.free_chance > b.free_chance
        assert a.wait_minutes < b.wait_minutes

    def test_without_history_the_chance_is_adr_0008s(self):
        out = arrival(PileState(2, 0), None, 0.5, 0.0, 45.0, 20.0)
        assert out.basis is ChanceBasis.PROFILE
        assert out.free_chance == 0.0  # none free now, no time for one to free up


def service(stations, history) -> RecommendService:
    repo = InMemoryStationRepository()
    catalogue = CatalogueService(repo, FixedClock(EPOCH))
    catalogue.import_network([an_operator()], [a_tariff()], stations)
    return RecommendService(
        catalogue, GreatCircleRoads(), FixedClock(EPOCH), availability=history
    )


def twins():
    """Two equal stations equally far from HERE, one free pile each now."""
    statuses = (PileStatus.AVAILABLE, PileStatus.CHARGING)
    return [
        a_station("QUIET", lat=31.2304, lon=121.5737, statuses=statuses),
        a_station("RUSH", lat=31.2304, lon=121.3737, statuses=statuses),
    ]


def ask(svc: RecommendService):
    request = RecommendRequest(
        vehicle=get_vehicle("xiaomi-su7-max"), soc_percent=30.0, position=HERE
    )
    return svc.recommend(request).options


class TestRanking:
    def test_a_station_usually_full_at_that_hour_ranks_below_its_twin(self):
        quiet, rush = twins()
        history = FixedShares({quiet.id: 0.95, rush.id: 0.05})
        first, second = ask(service([quiet, rush], history))
        assert (first.station_id, second.station_id) == (quiet.id, rush.id)
        assert first.free_chance > second.free_chance
        assert second.wait_minutes > first.wait_minutes
        chance = round(second.free_chance * 100)
        assert f"{chance} % chance one is free on arrival" in second.explanation
        assert second.free_chance_basis == "station"

    def test_the_arrival_hour_is_asked_in_the_stations_time(self):
        quiet, rush = twins()
        history = FixedShares({})
        ask(service([quiet, rush], history))
        assert set(history.asked) == {10}  # a Monday, 10:xx in Shanghai

    def test_a_fresh_hub_without_history_still_gives_a_chance(self):
        quiet, rush = twins()
        options = ask(service([quiet, rush], None))
        assert all(o.free_chance_basis == "profile" for o in options)
        assert all(0.0 <= o.free_chance <= 1.0 for o in options)
        assert all(o.status_age_s == 0 for o in options)

    def test_status_freshness_is_the_age_of_the_last_change(self):
        quiet, rush = twins()
        stale = replace(quiet, updated_at=EPOCH - timedelta(minutes=7))
        options = {o.station_id: o for o in ask(service([stale, rush], None))}
        assert options[quiet.id].status_age_s == 7 * 60


class TestTripStops:
    def test_stops_at_stations_usually_full_expect_a_longer_wait(self):
        from tests.unit.recommend.test_trip_planner import (
            catalogue,
            every_100_km,
            request,
        )

        stations = every_100_km(statuses=(PileStatus.AVAILABLE, PileStatus.CHARGING))
        full = FixedShares({s.id: 0.0 for s in stations})
        free = FixedShares({s.id: 1.0 for s in stations})

        def plan(history):
            planner = TripPlanner(
                catalogue(*stations), FixedClock(EPOCH), availability=history
            )
            return planner.plan(request())

        crowded, quiet = plan(full), plan(free)
        assert crowded.stops
        assert quiet.stops
        assert all(s.free_chance_basis == "station" for s in crowded.stops)
        assert max(s.free_chance for s in crowded.stops) < min(
            s.free_chance for s in quiet.stops
        )
        assert sum(s.wait_minutes for s in crowded.stops) > sum(
            s.wait_minutes for s in quiet.stops
        )

"""Pile reliability (ADR 0040): the score, and the recommender avoiding low piles."""

from __future__ import annotations

import pytest

from evroam.catalogue.model import PileStatus
from evroam.catalogue.service import CatalogueService
from evroam.recommend.reliability import LOW_BELOW, PileTrack
from evroam.recommend.request import RecommendRequest
from evroam.recommend.road import GreatCircleRoads
from evroam.recommend.service import RecommendService
from evroam.recommend.vehicles import get_vehicle
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import PileId
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import FixedClock, InMemoryStationRepository

HERE = GeoPoint(31.2304, 121.4737)
FREE = (PileStatus.AVAILABLE, PileStatus.AVAILABLE)


class Tracks:
    """A ``PileReliability`` that knows some piles' records."""

    def __init__(self, tracks: dict[str, PileTrack]) -> None:
        self._tracks = tracks

    def track(self, pile_id: PileId) -> PileTrack | None:
        return self._tracks.get(pile_id)


class TestScore:
    def test_a_pile_without_trouble_scores_full_marks(self):
        assert PileTrack().score == 100
        assert not PileTrack().is_low

    def test_each_kind_of_trouble_costs_its_points(self):
        track = PileTrack(
            faults=2, offline_share=0.05, failed_starts=1, broken_reports=3
        )
        assert track.score == 100 - 5 - 20 - 8 - 15

    def test_low_means_under_the_threshold_and_never_below_zero(self):
        assert PileTrack(faults=4).score == LOW_BELOW  # not low yet
        assert PileTrack(faults=5).is_low
        assert PileTrack(faults=50).score == 0

    def test_says_what_counted(self):
        text = PileTrack(faults=5, offline_share=0.06, broken_reports=1).describe()
        assert text == (
            "reliability 39/100: 5 faults, off line 6 % of the time, "
            "1 driver report in 30 days"
        )


def service(stations, tracks) -> RecommendService:
    repo = InMemoryStationRepository()
    catalogue = CatalogueService(repo, FixedClock(EPOCH))
    catalogue.import_network([an_operator()], [a_tariff()], stations)
    return RecommendService(
        catalogue, GreatCircleRoads(), FixedClock(EPOCH), reliability=Tracks(tracks)
    )


def ask(svc):
    request = RecommendRequest(
        vehicle=get_vehicle("xiaomi-su7-max"), soc_percent=30.0, position=HERE
    )
    return svc.recommend(request).options


class TestRanking:
    def test_a_pile_with_many_faults_ranks_below_an_equal_healthy_one(self):
        # FAULTY is nearer: without its record it would come first.
        faulty = a_station("FAULTY", lat=31.2404, lon=121.4737, statuses=FREE)
        healthy = a_station("HEALTHY", lat=31.2504, lon=121.4737, statuses=FREE)
        bad = PileTrack(faults=6, failed_starts=1)
        tracks = {p.id: bad for p in faulty.piles}
        assert [o.station_id for o in ask(service([faulty, healthy], {}))] == [
            faulty.id,
            healthy.id,
        ]

        first, second = ask(service([faulty, healthy], tracks))

        assert (first.station_id, second.station_id) == (healthy.id, faulty.id)
        assert second.reliability == bad.score
        assert "ranked below reliable piles: reliability 32/100: 6 faults" in (
            second.explanation
        )
        assert first.reliability is None
        assert "reliab" not in first.explanation

    def test_a_low_pile_is_left_out_where_a_healthy_one_fits(self):
        mixed = a_station("MIXED", statuses=FREE)
        tracks = {mixed.piles[0].id: PileTrack(faults=9)}
        (only,) = ask(service([mixed], tracks))
        assert only.usable_piles == 1
        assert only.reliability_note is None

    @pytest.mark.parametrize("faults", [0, 4])
    def test_a_pile_that_is_not_low_changes_nothing(self, faults):
        station = a_station("OK", statuses=FREE)
        tracks = {p.id: PileTrack(faults=faults) for p in station.piles}
        (only,) = ask(service([station], tracks))
        assert only.usable_piles == 2
        assert only.reliability is None

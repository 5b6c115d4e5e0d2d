"""One contract for every StatusStore: idempotent, order-safe, expiring."""

from __future__ import annotations

import threading
from datetime import timedelta

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import OperatorId, PileId
from evroam.status.model import PileStatusReport
from tests.adapters.storage.test_station_repository_contract import SHANGHAI
from tests.builders import EPOCH, a_station

LATER = EPOCH + timedelta(minutes=5)


def report(station, index, status, at):
    return PileStatusReport(station.piles[index].id, status, at)


class TestApplyingReports:
    def test_a_newer_report_changes_the_pile_and_the_station_counts(
        self, repo, status_store
    ):
        station = a_station(statuses=(PileStatus.AVAILABLE, PileStatus.AVAILABLE))
        repo.save_stations([station])
        events = status_store.apply([report(station, 0, PileStatus.CHARGING, LATER)])
        assert [(e.pile_id, e.status) for e in events] == [
            (station.piles[0].id, PileStatus.CHARGING)
        ]
        assert events[0].station_id == station.id
        assert (events[0].lat, events[0].lon) == (station.lat, station.lon)
        [summary] = repo.summaries([station.id])
        assert (summary.piles.free, summary.piles.busy) == (1, 1)
        assert repo.find_station(station.id).piles[0].status is PileStatus.CHARGING

    def test_an_older_or_equal_report_is_ignored(self, repo, status_store):
        station = a_station()
        repo.save_stations([station])
        status_store.apply([report(station, 0, PileStatus.FAULTED, LATER)])
        assert (
            status_store.apply([report(station, 0, PileStatus.AVAILABLE, EPOCH)]) == []
        )
        assert (
            status_store.apply([report(station, 0, PileStatus.AVAILABLE, LATER)]) == []
        )
        assert repo.find_station(station.id).piles[0].status is PileStatus.FAULTED

    def test_the_same_report_twice_changes_things_once(self, repo, status_store):
        station = a_station()
        repo.save_stations([station])
        r = report(station, 0, PileStatus.OFFLINE, LATER)
        assert len(status_store.apply([r, r])) == 1
        assert status_store.apply([r]) == []

    def test_within_a_batch_the_latest_report_wins_whatever_the_order(
        self, repo, status_store
    ):
        station = a_station()
        repo.save_stations([station])
        newest = report(station, 0, PileStatus.RESERVED, LATER + timedelta(seconds=2))
        older = report(station, 0, PileStatus.OFFLINE, LATER)
        status_store.apply([newest, older])
        assert repo.find_station(station.id).piles[0].status is PileStatus.RESERVED

    def test_a_report_for_an_unknown_pile_changes_nothing(self, repo, status_store):
        repo.save_stations([a_station()])
        ghost = PileStatusReport(PileId("rapidgrid-S9-E1"), PileStatus.CHARGING, LATER)
        assert status_store.apply([ghost]) == []

    def test_a_fresh_report_with_the_same_status_is_no_event(self, repo, status_store):
        station = a_station()
        repo.save_stations([station])
        assert (
            status_store.apply([report(station, 0, PileStatus.AVAILABLE, LATER)]) == []
        )


class TestExpiringSilentPiles:
    def test_piles_not_heard_from_within_the_ttl_turn_unknown(self, repo, status_store):
        station = a_station(statuses=(PileStatus.AVAILABLE, PileStatus.AVAILABLE))
        other = a_station("S0002", operator_id="swapway", lat=SHANGHAI.lat + 0.01)
        repo.save_stations([station, other])
        status_store.apply([report(station, 1, PileStatus.CHARGING, LATER)])
        events = status_store.expire(
            OperatorId("rapidgrid"), LATER, LATER + timedelta(minutes=15)
        )
        assert [e.pile_id for e in events] == [station.piles[0].id]
        assert events[0].status is PileStatus.UNKNOWN
        [summary] = repo.summaries([station.id])
        assert (summary.piles.unknown, summary.piles.busy) == (1, 1)
        assert repo.find_station(other.id).piles[0].status is PileStatus.AVAILABLE

    def test_a_report_after_expiry_brings_the_pile_back(self, repo, status_store):
        station = a_station()
        repo.save_stations([station])
        status_store.expire(OperatorId("rapidgrid"), LATER, LATER)
        back = status_store.apply([report(station, 0, PileStatus.AVAILABLE, LATER)])
        assert [e.status for e in back] == [PileStatus.AVAILABLE]

    def test_old_news_heard_again_keeps_a_pile_fresh(self, repo, status_store):
        """A pull repeats the CPO's old last_updated; hearing it is enough."""
        station = a_station()
        repo.save_stations([station])
        status_store.apply([report(station, 0, PileStatus.FAULTED, LATER)])
        much_later = LATER + timedelta(hours=6)
        again = PileStatusReport(
            station.piles[0].id, PileStatus.FAULTED, LATER, heard_at=much_later
        )
        assert status_store.apply([again]) == []
        expired = status_store.expire(
            OperatorId("rapidgrid"), much_later - timedelta(minutes=10), much_later
        )
        assert station.piles[0].id not in [e.pile_id for e in expired]
        assert repo.find_station(station.id).piles[0].status is PileStatus.FAULTED

    def test_the_same_status_heard_again_brings_a_silent_pile_back(
        self, repo, status_store
    ):
        station = a_station()
        repo.save_stations([station])
        status_store.apply([report(station, 0, PileStatus.FAULTED, LATER)])
        much_later = LATER + timedelta(hours=6)
        status_store.expire(OperatorId("rapidgrid"), much_later, much_later)
        assert repo.find_station(station.id).piles[0].status is PileStatus.UNKNOWN
        again = PileStatusReport(
            station.piles[0].id, PileStatus.FAULTED, LATER, heard_at=much_later
        )
        back = status_store.apply([again])
        assert [e.status for e in back] == [PileStatus.FAULTED]


class TestAResyncRacingAStatusUpdate:
    """SQL stores only (the in-memory one has no read-then-write window). A
    resync (``save_stations(keep_status=True)``) reads the statuses it holds,
    then rewrites the station's piles. A status update arriving in between must
    not be written over with the status read before it."""

    def test_the_update_is_kept(self, sql_store, monkeypatch):
        repo, status_store = sql_store
        station = a_station(statuses=(PileStatus.AVAILABLE, PileStatus.AVAILABLE))
        repo.save_stations([station])
        arrived = threading.Event()
        done: list[object] = []
        read_held = type(repo)._held_statuses

        def read_then_let_a_push_in(self, conn, sids):
            held = read_held(self, conn, sids)
            push = report(station, 0, PileStatus.CHARGING, LATER)
            worker = threading.Thread(
                target=lambda: done.append(status_store.apply([push]))
            )
            worker.start()
            # Without serialisation the update commits here, before the rewrite.
            worker.join(timeout=1.0)
            arrived.set()
            done.append(worker)
            return held

        monkeypatch.setattr(type(repo), "_held_statuses", read_then_let_a_push_in)
        repo.save_stations([a_station(name="Resynced")], keep_status=True)
        assert arrived.is_set()
        worker = next(d for d in done if isinstance(d, threading.Thread))
        worker.join(timeout=10)
        assert not worker.is_alive()
        held = repo.find_station(station.id)
        assert held.name == "Resynced"
        assert held.piles[0].status is PileStatus.CHARGING
        [summary] = repo.summaries([station.id])
        assert (summary.piles.free, summary.piles.busy) == (1, 1)

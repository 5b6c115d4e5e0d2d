"""One contract for the status history every StatusStore keeps (ADR 0024)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from evroam.catalogue.model import PileStatus
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId
from evroam.status.history import PileStatusChange, StatusAt
from evroam.status.model import PileStatusReport
from evroam.status.service import StatusService
from evroam.storage.engine import create_database_engine, create_schema, drop_schema
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_history import SqlStatusHistory
from tests.builders import EPOCH, a_station
from tests.fakes import FixedClock, RecordingEventBus

LATER = EPOCH + timedelta(minutes=5)
END = EPOCH + timedelta(days=30)


def rows(status_store, station):
    return [
        (c.pile_id, c.status, c.previous)
        for c in status_store.changes_of(
            [p.id for p in station.piles], EPOCH - timedelta(days=60), END
        )
    ]


class TestLiveChangesAreKept:
    def test_a_pile_first_seen_from_a_partner_opens_its_history(
        self, repo, status_store
    ):
        station = a_station(statuses=(PileStatus.CHARGING, PileStatus.AVAILABLE))
        repo.save_stations([station], keep_status=True)
        assert rows(status_store, station) == [
            (station.piles[0].id, PileStatus.CHARGING, None),
            (station.piles[1].id, PileStatus.AVAILABLE, None),
        ]

    def test_a_resync_of_piles_already_held_adds_nothing(self, repo, status_store):
        station = a_station()
        repo.save_stations([station], keep_status=True)
        repo.save_stations([a_station(name="Again")], keep_status=True)
        assert len(rows(status_store, station)) == len(station.piles)

    def test_every_real_change_is_a_row_with_the_status_before_it(
        self, repo, status_store
    ):
        station = a_station()
        repo.save_stations([station])
        pile = station.piles[0].id
        status_store.apply([_report(pile, PileStatus.CHARGING, LATER)])
        status_store.apply([_report(pile, PileStatus.CHARGING, LATER)])  # duplicate
        status_store.apply([_report(pile, PileStatus.AVAILABLE, EPOCH)])  # stale
        status_store.apply(
            [_report(pile, PileStatus.CHARGING, LATER + timedelta(minutes=1))]
        )  # fresher, same status: no change
        status_store.apply(
            [_report(pile, PileStatus.AVAILABLE, LATER + timedelta(minutes=2))]
        )
        assert rows(status_store, station) == [
            (pile, PileStatus.CHARGING, PileStatus.AVAILABLE),
            (pile, PileStatus.AVAILABLE, PileStatus.CHARGING),
        ]

    def test_a_pile_gone_silent_is_a_row_to_unknown(self, repo, status_store):
        station = a_station(statuses=(PileStatus.CHARGING,))
        repo.save_stations([station])
        status_store.expire(OperatorId("rapidgrid"), LATER, LATER)
        [change] = status_store.changes_of([station.piles[0].id], EPOCH, END)
        assert (change.status, change.previous, change.changed_at) == (
            PileStatus.UNKNOWN,
            PileStatus.CHARGING,
            LATER,
        )


class TestImportingThePast:
    def test_rows_stop_before_the_first_change_the_hub_recorded(
        self, repo, status_store
    ):
        station = a_station(statuses=(PileStatus.AVAILABLE,))
        repo.save_stations([station], keep_status=True)  # first seen at EPOCH
        pile = station.piles[0].id
        service = StatusService(status_store, RecordingEventBus(), FixedClock(END))
        week_ago = EPOCH - timedelta(days=7)
        timeline = [
            StatusAt(week_ago, PileStatus.AVAILABLE),
            StatusAt(week_ago + timedelta(hours=1), PileStatus.CHARGING),
            StatusAt(week_ago + timedelta(hours=2), PileStatus.CHARGING),
            StatusAt(EPOCH + timedelta(hours=1), PileStatus.AVAILABLE),  # too late
        ]
        added = service.import_history({pile: timeline}, ends_at=END)
        assert added == 3
        history = status_store.changes_of([pile], week_ago, END)
        assert [(c.status, c.previous) for c in history] == [
            (PileStatus.AVAILABLE, None),
            (PileStatus.CHARGING, PileStatus.AVAILABLE),
            (None, PileStatus.CHARGING),  # the import's knowledge ends here
            (PileStatus.AVAILABLE, None),  # what the hub saw itself
        ]
        assert history[2].changed_at < EPOCH
        assert repo.find_station(station.id).piles[0].status is PileStatus.AVAILABLE

    def test_the_future_cannot_be_imported(self, status_store):
        service = StatusService(status_store, RecordingEventBus(), FixedClock(EPOCH))
        with pytest.raises(InvalidInputError, match="ends_at"):
            service.import_history({}, ends_at=LATER)


class TestRetention:
    def test_only_rows_the_archive_holds_are_forgotten(self, sql_store):
        repo, status_store = sql_store
        station = a_station()
        repo.save_stations([station])
        pile = station.piles[0].id
        history = SqlStatusHistory(status_store._engine)
        old = EPOCH - timedelta(days=10)
        history.append(
            [
                PileStatusChange(pile, old, PileStatus.CHARGING, PileStatus.AVAILABLE),
                PileStatusChange(
                    pile, old + timedelta(days=1), PileStatus.AVAILABLE, None
                ),
                PileStatusChange(pile, EPOCH, PileStatus.CHARGING, None),
            ]
        )
        first_id = history.rows_after(0, 10)[0][0]
        assert history.prune(EPOCH - timedelta(days=2), archived_through=first_id) == 1
        left = [c.changed_at for c in history.changes_of([pile], old, END)]
        assert left == [old + timedelta(days=1), EPOCH]

    @pytest.mark.postgres
    @pytest.mark.xdist_group("pg")
    def test_postgres_keeps_one_partition_per_day(self, postgres_url):
        engine = create_database_engine(postgres_url)
        drop_schema(engine)
        create_schema(engine)
        try:
            station = a_station()
            SqlStationRepository(engine).save_stations([station], keep_status=True)
            history = SqlStatusHistory(engine)
            pile = station.piles[0].id
            history.append(
                [
                    PileStatusChange(
                        pile, EPOCH - timedelta(days=d), PileStatus.CHARGING, None
                    )
                    for d in (1, 3)
                ]
            )
            with engine.connect() as conn:
                partitions = (
                    conn.execute(
                        text(
                            "SELECT c.relname FROM pg_inherits i "
                            "JOIN pg_class c ON c.oid = i.inhrelid "
                            "JOIN pg_class p ON p.oid = i.inhparent "
                            "WHERE p.relname = 'pile_status_history' ORDER BY 1"
                        )
                    )
                    .scalars()
                    .all()
                )
            assert partitions == [
                "pile_status_history_p20261030",
                "pile_status_history_p20261101",
                "pile_status_history_p20261102",
            ]
            newest = history.rows_after(0, 100)[-1][0]
            assert history.prune(EPOCH - timedelta(days=1), newest) == 1
        finally:
            drop_schema(engine)
            engine.dispose()


def _report(pile, status, at):
    return PileStatusReport(pile, status, at)


class TestAPileBackFromSilence:
    def test_its_return_is_recorded_after_it_went_unknown(self, sql_store):
        repo, status_store = sql_store
        station = a_station(statuses=(PileStatus.CHARGING,))
        repo.save_stations([station])  # status CHARGING since EPOCH
        pile = station.piles[0].id
        status_store.expire(OperatorId("rapidgrid"), LATER, LATER)
        back = PileStatusReport(pile, PileStatus.CHARGING, EPOCH)  # old news again
        assert status_store.apply([back])
        history = status_store.changes_of([pile], EPOCH, END)
        assert [(c.status, c.previous) for c in history] == [
            (PileStatus.UNKNOWN, PileStatus.CHARGING),
            (PileStatus.CHARGING, PileStatus.UNKNOWN),
        ]
        assert history[0].changed_at <= history[1].changed_at

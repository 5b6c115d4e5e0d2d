"""The Parquet archive of the status history: each row once, whatever happens."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId
from evroam.status.history import PileStatusChange
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.history_archive import ParquetStatusArchive
from evroam.storage.history_keeper import Retention, StatusHistoryKeeper
from evroam.storage.status_history import SqlStatusHistory
from tests.builders import EPOCH
from tests.fakes import FixedClock

PILE = PileId("rapidgrid-S1-E01")


def rows(start, count, every=timedelta(hours=5)):
    statuses = (PileStatus.CHARGING, PileStatus.AVAILABLE)
    return [
        PileStatusChange(PILE, start + i * every, statuses[i % 2], statuses[i % 2 - 1])
        for i in range(count)
    ]


@pytest.fixture
def history(tmp_path: Path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'h.db'}")
    create_schema(engine)
    yield SqlStatusHistory(engine)
    engine.dispose()


def archived_ids(archive: ParquetStatusArchive) -> list[int]:
    paths = [str(f.path) for f in archive.files()]
    if not paths:
        return []
    return [
        r[0]
        for r in duckdb.sql(
            f"SELECT id FROM read_parquet({paths}) ORDER BY id"
        ).fetchall()
    ]


class TestKeeping:
    def test_archives_every_row_once_across_rounds(self, history, tmp_path):
        archive = ParquetStatusArchive(tmp_path / "a")
        clock = FixedClock(EPOCH + timedelta(days=3))
        keeper = StatusHistoryKeeper(history, archive, clock)
        history.append(rows(EPOCH, 10))
        keeper.keep()
        history.append(rows(EPOCH + timedelta(days=2), 4))
        keeper.keep()
        keeper.keep()
        assert archived_ids(archive) == list(range(1, 15))

    def test_merges_a_closed_day_into_one_file(self, history, tmp_path):
        archive = ParquetStatusArchive(tmp_path / "a")
        keeper = StatusHistoryKeeper(history, archive, FixedClock(EPOCH))
        for hour in range(3):  # three rounds, three files of the same day
            history.append(rows(EPOCH + timedelta(hours=hour), 1))
            keeper.keep()
        assert len(archive.files()) == 3
        StatusHistoryKeeper(
            history, archive, FixedClock(EPOCH + timedelta(days=1))
        ).keep()
        assert len(archive.files()) == 1
        assert archived_ids(archive) == [1, 2, 3]

    def test_a_merge_left_half_done_reads_each_row_once(self, history, tmp_path):
        archive = ParquetStatusArchive(tmp_path / "a")
        keeper = StatusHistoryKeeper(history, archive, FixedClock(EPOCH))
        for hour in range(2):
            history.append(rows(EPOCH + timedelta(hours=hour), 1))
            keeper.keep()
        part = archive.files()[0].path
        kept = tmp_path / "part.copy"
        shutil.copy(part, kept)
        StatusHistoryKeeper(
            history, archive, FixedClock(EPOCH + timedelta(days=1))
        ).keep()
        shutil.copy(kept, part)  # as if the crash came before the parts went
        assert archived_ids(archive) == [1, 2]

    def test_one_keeper_at_a_time(self, history, tmp_path):
        archive = ParquetStatusArchive(tmp_path / "a")
        keeper = StatusHistoryKeeper(history, archive, FixedClock(EPOCH))
        with archive.keeper_lock() as is_keeper:
            assert is_keeper
            assert keeper.keep() is None

    def test_retention_keeps_the_archive_and_forgets_the_database(
        self, history, tmp_path
    ):
        archive = ParquetStatusArchive(tmp_path / "a")
        now = EPOCH + timedelta(days=20)
        keeper = StatusHistoryKeeper(
            history, archive, FixedClock(now), Retention(database_days=8)
        )
        history.append(rows(EPOCH, 30, every=timedelta(days=0.6)))
        keeper.keep()
        left = history.changes_of([PILE], EPOCH, now)
        assert min(c.changed_at for c in left) >= now - timedelta(days=8)
        assert archived_ids(archive) == list(range(1, 31))
        history.append(rows(now, 1))
        assert history.rows_after(30, None)[0][0] == 31  # ids are never reused

    def test_the_maintenance_chore_forgets_old_rows_at_most_hourly(
        self, history, tmp_path
    ):
        archive = ParquetStatusArchive(tmp_path / "a")
        clock = FixedClock(EPOCH + timedelta(days=20))
        keeper = StatusHistoryKeeper(
            history, archive, clock, Retention(database_days=8)
        )
        keeper.chore()  # the first round prunes (nothing yet)
        history.append(rows(EPOCH, 3))  # old rows, archived by the next forced keep
        keeper.keep(is_forced=False)
        clock.set(clock.now() + timedelta(minutes=5))
        keeper.chore()
        assert len(history.changes_of([PILE], EPOCH, clock.now())) == 3
        clock.set(clock.now() + timedelta(hours=1))
        keeper.chore()
        assert history.changes_of([PILE], EPOCH, clock.now()) == []

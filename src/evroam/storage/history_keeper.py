"""Keeps the status history: archives new rows to Parquet, applies retention.

Run by the API worker that holds the maintenance lease (a chore of the feed
watcher, a bounded batch per round) and by the commands that write much
history at once (the demo's backfill), all through one lock on the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from evroam.shared.clock import Clock
from evroam.storage.history_archive import ParquetStatusArchive, rows_table, utc_day
from evroam.storage.status_history import SqlStatusHistory

BATCH_ROWS = 200_000
# Rows stay in the database until this many wait or the last export is this
# old: reports read them from there meanwhile, and a day gets few files.
EXPORT_ROWS = 100_000
EXPORT_EVERY = timedelta(hours=1)
# Retention deletes scan the table on SQLite: once an hour is enough.
PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Retention:
    """How long history stays: in the database (hot, for the archive and the
    newest rows of reports) and in the Parquet archive (for reports)."""

    database_days: int = 8
    archive_days: int = 400


@dataclass(frozen=True, slots=True)
class KeptHistory:
    archived_rows: int
    merged_days: int
    pruned_rows: int
    dropped_days: int


def archive_root(data_dir: Path, archive_id: str) -> Path:
    """Where a database's status history archive lives (ADR 0024)."""
    return data_dir / "history" / archive_id / "status"


class StatusHistoryKeeper:
    def __init__(
        self,
        history: SqlStatusHistory,
        archive: ParquetStatusArchive,
        clock: Clock,
        retention: Retention = Retention(),
    ) -> None:
        self._history = history
        self._archive = archive
        self._clock = clock
        self._retention = retention
        self._last_export: datetime | None = None
        self._last_prune: datetime | None = None

    def keep(
        self, max_rows: int | None = None, *, is_forced: bool = True
    ) -> KeptHistory | None:
        """Archive up to ``max_rows`` new rows (None: all), merge closed days,
        apply retention; None when another keeper holds the archive. Unless
        forced, rows are archived only when enough wait or enough time passed."""
        with self._archive.keeper_lock() as is_keeper:
            if not is_keeper:
                return None
            now = self._clock.now()
            archived = 0
            if is_forced or self._is_due(now):
                archived = self._archive_new(max_rows)
                self._last_export = now
            today = utc_day(now)
            merged = self._archive.compact(before=today)
            pruned = dropped = 0
            if (
                is_forced
                or self._last_prune is None
                or (now - self._last_prune >= PRUNE_EVERY)
            ):
                self._last_prune = now
                pruned = self._history.prune(
                    now - timedelta(days=self._retention.database_days),
                    self._archive.watermark(),
                )
                dropped = self._archive.drop_before(
                    today - timedelta(days=self._retention.archive_days)
                )
            return KeptHistory(archived, merged, pruned, dropped)

    def chore(self) -> None:
        """One bounded round, for the feed watcher."""
        self.keep(max_rows=BATCH_ROWS, is_forced=False)

    def _is_due(self, now: datetime) -> bool:
        if self._last_export is None or now - self._last_export >= EXPORT_EVERY:
            return True
        return self._history.count_after(self._archive.watermark()) >= EXPORT_ROWS

    def _archive_new(self, max_rows: int | None) -> int:
        done = 0
        watermark = self._archive.watermark()
        while max_rows is None or done < max_rows:
            limit = BATCH_ROWS if max_rows is None else min(BATCH_ROWS, max_rows - done)
            rows = self._history.rows_after(watermark, limit)
            if not rows:
                break
            done += self._archive.write(rows_table(rows))
            watermark = rows[-1][0]
        return done

"""SQL side of the pile status history: rows, day partitions, retention.

Writers (``SqlStatusStore``, ``SqlStationRepository``) add rows in the same
transaction as the status they change, so the history holds exactly the
changes the hub made. On PostgreSQL each UTC day is a partition made before
its first row is written, in a short transaction of its own; retention drops
whole partitions. SQLite keeps one table and deletes old rows (ADR 0024).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId
from evroam.status.history import PileStatusChange
from evroam.storage.codec import aware_utc
from evroam.storage.history_tables import (
    HISTORY_PARTITION_PREFIX,
    hub_facts,
    pile_status_history,
)

_CHUNK = 500
_KNOWN_DAYS: weakref.WeakKeyDictionary[Engine, set[date]] = weakref.WeakKeyDictionary()
_KNOWN_DAYS_GUARD = threading.Lock()


def history_row(change: PileStatusChange) -> dict[str, Any]:
    return {
        "pile_id": change.pile_id,
        "changed_at": change.changed_at.astimezone(UTC),
        "status": None if change.status is None else change.status.value,
        "previous": None if change.previous is None else change.previous.value,
    }


def partition_name(day: date) -> str:
    return f"{HISTORY_PARTITION_PREFIX}{day:%Y%m%d}"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def ensure_partitions(engine: Engine, moments: Iterable[datetime]) -> None:
    """PostgreSQL: make the day partitions ``moments`` fall in (SQLite: nothing).

    Each is made once per process in its own transaction, under the lock the
    status writers take, so two workers never race to make one."""
    if engine.dialect.name != "postgresql":
        return
    with _KNOWN_DAYS_GUARD:
        known = _KNOWN_DAYS.setdefault(engine, set())
    days = {m.astimezone(UTC).date() for m in moments} - known
    if not days:
        return
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('evroam_piles'))"))
        for day in sorted(days):
            start, end = _day_start(day), _day_start(day + timedelta(days=1))
            conn.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF "
                    f"pile_status_history FOR VALUES FROM ('{start.isoformat()}') "
                    f"TO ('{end.isoformat()}')"
                )
            )
    with _KNOWN_DAYS_GUARD:
        known.update(days)


def insert_history(conn: Connection, changes: Sequence[PileStatusChange]) -> int:
    """Add ``changes`` inside the caller's transaction (partitions made first)."""
    if changes:
        conn.execute(insert(pile_status_history), [history_row(c) for c in changes])
    return len(changes)


def last_recorded(conn: Connection, pile_ids: Sequence[str]) -> dict[str, datetime]:
    """When each pile's newest history row is (inside the caller's transaction)."""
    h = pile_status_history.c
    found: dict[str, datetime] = {}
    for start in range(0, len(pile_ids), _CHUNK):
        rows = conn.execute(
            select(h.pile_id, func.max(h.changed_at))
            .where(h.pile_id.in_(pile_ids[start : start + _CHUNK]))
            .group_by(h.pile_id)
        )
        for pile_id, newest in rows:
            at = aware_utc(newest)
            if at is not None:
                found[pile_id] = at
    return found


class SqlStatusHistory:
    """Reads the history for its archive and applies retention."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def archive_id(self) -> str:
        """The name of this database's Parquet archive (made by revision 0006)."""
        with self._engine.connect() as conn:
            value = conn.execute(
                select(hub_facts.c.value).where(hub_facts.c.name == "archive_id")
            ).scalar()
        if value is None:  # pragma: no cover - revision 0006 writes it
            raise LookupError("this database has no archive id")
        return str(value)

    def first_recorded(self, pile_ids: Sequence[PileId]) -> dict[PileId, datetime]:
        """When each pile's history starts (piles without one left out)."""
        h = pile_status_history.c
        found: dict[PileId, datetime] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(pile_ids), _CHUNK):
                chunk = pile_ids[start : start + _CHUNK]
                rows = conn.execute(
                    select(h.pile_id, func.min(h.changed_at))
                    .where(h.pile_id.in_(chunk))
                    .group_by(h.pile_id)
                )
                for pile_id, first in rows:
                    at = aware_utc(first)
                    if at is not None:
                        found[PileId(pile_id)] = at
        return found

    def append(self, changes: Sequence[PileStatusChange]) -> int:
        """Add rows of the past (an import), in one transaction."""
        if not changes:
            return 0
        ensure_partitions(self._engine, (c.changed_at for c in changes))
        with self._engine.begin() as conn:
            return insert_history(conn, changes)

    def changes_of(
        self, pile_ids: Sequence[PileId], since: datetime, until: datetime
    ) -> list[PileStatusChange]:
        """The rows of ``pile_ids`` in ``[since, until)``, oldest first."""
        h = pile_status_history.c
        out: list[PileStatusChange] = []
        with self._engine.connect() as conn:
            for start in range(0, len(pile_ids), _CHUNK):
                rows = conn.execute(
                    select(h.pile_id, h.changed_at, h.status, h.previous)
                    .where(
                        h.pile_id.in_(pile_ids[start : start + _CHUNK]),
                        h.changed_at >= since,
                        h.changed_at < until,
                    )
                    .order_by(h.changed_at, h.id)
                )
                out.extend(_change(*row) for row in rows)
        out.sort(key=lambda c: c.changed_at)
        return out

    def rows_after(
        self, after_id: int, limit: int | None, since: datetime | None = None
    ) -> list[tuple[Any, ...]]:
        """(id, pile_id, changed_at, status, previous) of rows with id >
        ``after_id`` (and changed at ``since`` or later), by id: what the
        archive has not taken yet."""
        h = pile_status_history.c
        query = (
            select(h.id, h.pile_id, h.changed_at, h.status, h.previous)
            .where(h.id > after_id)
            .order_by(h.id)
            .limit(limit)
        )
        if since is not None:
            query = query.where(h.changed_at >= since)
        with self._engine.connect() as conn:
            return [
                (int(i), p, aware_utc(at), s, prev)
                for i, p, at, s, prev in conn.execute(query)
            ]

    def count_after(self, after_id: int) -> int:
        """How many rows the archive has not taken yet."""
        h = pile_status_history.c
        with self._engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).where(h.id > after_id)).scalar() or 0
            )

    def prune(self, before: datetime, archived_through: int) -> int:
        """Forget rows older than ``before`` that the archive holds (id ≤
        ``archived_through``); returns how many. PostgreSQL drops whole day
        partitions (a day with a row the archive lacks is kept)."""
        if self._engine.dialect.name == "postgresql":
            return self._drop_partitions(before, archived_through)
        h = pile_status_history.c
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(pile_status_history).where(
                    h.id <= archived_through, h.changed_at < before
                )
            )
        return int(result.rowcount or 0)

    def _drop_partitions(self, before: datetime, archived_through: int) -> int:
        dropped = 0
        with self._engine.begin() as conn:
            names = conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i "
                    "JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent "
                    "WHERE p.relname = 'pile_status_history'"
                )
            ).scalars()
            for name in sorted(names):
                day = datetime.strptime(
                    name.removeprefix(HISTORY_PARTITION_PREFIX), "%Y%m%d"
                ).replace(tzinfo=UTC)
                if day + timedelta(days=1) > before:
                    continue
                rows, newest = conn.execute(
                    text(f"SELECT count(*), max(id) FROM {name}")
                ).one()
                if newest is not None and int(newest) > archived_through:
                    continue
                conn.execute(text(f"DROP TABLE {name}"))
                dropped += int(rows)
        with _KNOWN_DAYS_GUARD:
            _KNOWN_DAYS.pop(self._engine, None)
        return dropped


def _change(
    pile_id: str, at: datetime, status: str | None, previous: str | None
) -> PileStatusChange:
    return PileStatusChange(
        PileId(pile_id),
        aware_utc(at) or at,
        None if status is None else PileStatus(status),
        None if previous is None else PileStatus(previous),
    )

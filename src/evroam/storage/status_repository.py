"""SQL implementation of the status context's StatusStore."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Engine, bindparam, func, select, text, update

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import OperatorId, PileId, StationId
from evroam.status.history import PileStatusChange
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport
from evroam.storage.codec import aware_utc
from evroam.storage.engine import pile_status_transaction
from evroam.storage.status_history import (
    SqlStatusHistory,
    ensure_partitions,
    insert_history,
    last_recorded,
)
from evroam.storage.tables import piles, stations

_CHUNK = 500

# Station counters by status category, recomputed from the piles of a station.
_RECOUNT = text(
    """
    UPDATE stations SET
      piles_free = (SELECT count(*) FROM piles p WHERE p.station_sid = stations.sid
                    AND p.status = 'available'),
      piles_busy = (SELECT count(*) FROM piles p WHERE p.station_sid = stations.sid
                    AND p.status IN ('occupied', 'charging', 'reserved')),
      piles_offline = (SELECT count(*) FROM piles p WHERE p.station_sid = stations.sid
                    AND p.status IN ('offline', 'faulted')),
      piles_unknown = (SELECT count(*) FROM piles p WHERE p.station_sid = stations.sid
                    AND p.status = 'unknown'),
      updated_at = :now
    WHERE sid = :sid
    """
)


class _Held(NamedTuple):
    status: str
    status_at: datetime | None
    station_sid: int
    heard_at: datetime | None


class SqlStatusStore:
    """Live pile status, and its history: every change is a history row written
    in the same transaction (ADR 0024)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._history = SqlStatusHistory(engine)

    def apply(self, reports: Sequence[PileStatusReport]) -> list[PileStatusChanged]:
        latest = _latest_per_pile(reports)
        if not latest:
            return []
        ensure_partitions(
            self._engine, (m for r in latest.values() for m in (r.observed_at, r.heard))
        )
        with pile_status_transaction(self._engine) as conn:
            held = self._held(conn, list(latest))
            known = [r for r in latest.values() if r.pile_id in held]
            newer = [r for r in known if _is_newer(r, held[r.pile_id])]
            fresh = {r.pile_id for r in newer}
            # Old news still tells us the partner speaks of the pile.
            heard = [
                r
                for r in known
                if r.pile_id not in fresh and _later(r.heard, held[r.pile_id].heard_at)
            ]
            self._write(conn, newer, heard, held)
            changed = [r for r in newer if held[r.pile_id].status != r.status.value]
            insert_history(conn, self._changes(conn, changed, held))
            sids = sorted({held[r.pile_id].station_sid for r in changed})
            if sids:
                now = max(r.observed_at for r in changed)
                conn.execute(_RECOUNT, [{"sid": sid, "now": now} for sid in sids])
            places = self._places(conn, sids)
        return [
            PileStatusChanged(
                station_id=places[held[r.pile_id].station_sid][0],
                pile_id=r.pile_id,
                status=r.status,
                observed_at=r.observed_at,
                lat=places[held[r.pile_id].station_sid][1],
                lon=places[held[r.pile_id].station_sid][2],
            )
            for r in changed
        ]

    @staticmethod
    def _write(
        conn: Connection,
        newer: list[PileStatusReport],
        heard: list[PileStatusReport],
        held: dict[str, _Held],
    ) -> None:
        if newer:
            conn.execute(
                update(piles)
                .where(piles.c.id == bindparam("pid"))
                .values(
                    status=bindparam("st"),
                    status_at=bindparam("at"),
                    heard_at=bindparam("heard"),
                ),
                [
                    {
                        "pid": r.pile_id,
                        "st": r.status.value,
                        "at": r.observed_at,
                        "heard": _latest(r.heard, held[r.pile_id].heard_at),
                    }
                    for r in newer
                ],
            )
        if heard:
            conn.execute(
                update(piles)
                .where(piles.c.id == bindparam("pid"))
                .values(heard_at=bindparam("heard")),
                [{"pid": r.pile_id, "heard": r.heard} for r in heard],
            )

    def apply_swap_stock(self, reports: Sequence[SwapStockReport]) -> int:
        if not reports:
            return 0
        with self._engine.begin() as conn:
            result = conn.execute(
                update(stations)
                .where(stations.c.id == bindparam("sid_"), stations.c.is_swap.is_(True))
                .values(
                    swap_batteries=bindparam("stock"),
                    swap_queue=bindparam("queue"),
                    updated_at=bindparam("at"),
                ),
                [
                    {
                        "sid_": r.station_id,
                        "stock": r.batteries_in_stock,
                        "queue": r.queue_length,
                        "at": r.observed_at,
                    }
                    for r in reports
                ],
            )
        return int(result.rowcount or 0)

    def expire(
        self, operator_id: OperatorId, heard_before: datetime, now: datetime
    ) -> list[PileStatusChanged]:
        last_heard = func.coalesce(piles.c.heard_at, piles.c.status_at)
        query = (
            select(piles.c.id, piles.c.status, piles.c.station_sid)
            .join(stations, stations.c.sid == piles.c.station_sid)
            .where(
                stations.c.operator_id == operator_id,
                piles.c.status != PileStatus.UNKNOWN.value,
                last_heard < heard_before,
            )
        )
        # Taking turns with status updates: the piles read as silent are the
        # piles expired, so every event names a pile that really went unknown.
        ensure_partitions(self._engine, [now])
        with pile_status_transaction(self._engine) as conn:
            silent = conn.execute(query).all()
            if not silent:
                return []
            # status_at stays the partner's time of its last status: a fresh
            # report, or the same one heard again, wins over this (the guard is
            # kept for a writer outside this process's turns).
            conn.execute(
                update(piles)
                .where(piles.c.id == bindparam("pid"), last_heard < heard_before)
                .values(status=PileStatus.UNKNOWN.value),
                [{"pid": r.id} for r in silent],
            )
            insert_history(
                conn,
                [
                    PileStatusChange(
                        PileId(r.id), now, PileStatus.UNKNOWN, PileStatus(r.status)
                    )
                    for r in silent
                ],
            )
            sids = sorted({int(r.station_sid) for r in silent})
            conn.execute(_RECOUNT, [{"sid": sid, "now": now} for sid in sids])
            places = self._places(conn, sids)
        return [
            PileStatusChanged(
                station_id=places[int(r.station_sid)][0],
                pile_id=PileId(r.id),
                status=PileStatus.UNKNOWN,
                observed_at=now,
                lat=places[int(r.station_sid)][1],
                lon=places[int(r.station_sid)][2],
            )
            for r in silent
        ]

    @staticmethod
    def _changes(
        conn: Connection, changed: list[PileStatusReport], held: dict[str, _Held]
    ) -> list[PileStatusChange]:
        """History rows of real changes, at the partner's time of the status. A
        pile brought back from ``unknown`` by the status it had (the same partner
        time) changed when we heard it, and never before the row that made it
        unknown: the history stays in time order."""
        revived = [
            r.pile_id
            for r in changed
            if (at := held[r.pile_id].status_at) is not None and r.observed_at <= at
        ]
        newest = last_recorded(conn, revived) if revived else {}
        rows = []
        for r in changed:
            at = r.observed_at
            if r.pile_id in revived:
                at = max(r.heard, newest.get(r.pile_id, r.heard))
            previous = PileStatus(held[r.pile_id].status)
            rows.append(PileStatusChange(r.pile_id, at, r.status, previous))
        return rows

    def first_recorded(self, pile_ids: Sequence[PileId]) -> dict[PileId, datetime]:
        return self._history.first_recorded(pile_ids)

    def import_history(self, changes: Sequence[PileStatusChange]) -> int:
        return self._history.append(changes)

    def changes_of(
        self, pile_ids: Sequence[PileId], since: datetime, until: datetime
    ) -> list[PileStatusChange]:
        return self._history.changes_of(pile_ids, since, until)

    def _held(self, conn: Connection, pile_ids: list[PileId]) -> dict[str, _Held]:
        held: dict[str, _Held] = {}
        columns = (
            piles.c.id,
            piles.c.status,
            piles.c.status_at,
            piles.c.station_sid,
            piles.c.heard_at,
        )
        for start in range(0, len(pile_ids), _CHUNK):
            chunk = pile_ids[start : start + _CHUNK]
            rows = conn.execute(select(*columns).where(piles.c.id.in_(chunk)))
            for r in rows:
                held[r.id] = _Held(
                    r.status,
                    aware_utc(r.status_at),
                    int(r.station_sid),
                    aware_utc(r.heard_at),
                )
        return held

    def _places(
        self, conn: Connection, sids: list[int]
    ) -> dict[int, tuple[StationId, float, float]]:
        places: dict[int, tuple[StationId, float, float]] = {}
        for start in range(0, len(sids), _CHUNK):
            rows = conn.execute(
                select(
                    stations.c.sid, stations.c.id, stations.c.lat, stations.c.lon
                ).where(stations.c.sid.in_(sids[start : start + _CHUNK]))
            )
            for r in rows:
                places[int(r.sid)] = (StationId(r.id), float(r.lat), float(r.lon))
        return places


def _latest_per_pile(
    reports: Sequence[PileStatusReport],
) -> dict[PileId, PileStatusReport]:
    """The newest report per pile, heard when the last of them was heard."""
    latest: dict[PileId, PileStatusReport] = {}
    for report in reports:
        if report.observed_at.tzinfo is None:
            raise ValueError("PileStatusReport.observed_at must be timezone-aware")
        held = latest.get(report.pile_id)
        if held is None:
            latest[report.pile_id] = report
            continue
        heard = max(held.heard, report.heard)
        newest = report if report.observed_at > held.observed_at else held
        latest[report.pile_id] = replace(newest, heard_at=heard)
    return latest


def _is_newer(report: PileStatusReport, held: _Held) -> bool:
    """Newer than what we hold; at the same instant only to bring back a pile
    that went unknown for silence (the partner repeats a status it never changed:
    OCPI last_updated stays put while nothing happens)."""
    if held.status_at is None or report.observed_at > held.status_at:
        return True
    return (
        report.observed_at == held.status_at
        and held.status == PileStatus.UNKNOWN.value
        and report.status is not PileStatus.UNKNOWN
    )


def _later(at: datetime, than: datetime | None) -> bool:
    return than is None or at > than


def _latest(at: datetime, other: datetime | None) -> datetime:
    return at if other is None else max(at, other)

"""Pile reliability learned from the history, sessions and reports (ADR 0040).

``learn_reliability`` sums, per pile over the window, its faults and its time
off line (``offline`` or ``faulted``) over its known time from the status
history (linear in the rows, as the network reports: ADR 0024), its failed
remote starts (sessions the partner rejected or never started) and drivers'
reports that it was broken. Only piles scoring under 100 are written to
``reliability.parquet``; ``ParquetPileReliability`` reads it for the
recommender (``recommend.ports.PileReliability``), reloading when it changes.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
from sqlalchemy import Engine, func, select

from evroam.analytics.network import Window
from evroam.catalogue.model import PileStatus
from evroam.charging.model import SessionStatus
from evroam.pile_reports.model import ReportKind
from evroam.recommend.reliability import PileTrack
from evroam.shared.ids import PileId
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.pile_report_tables import pile_reports

TABLE_NAME = "reliability.parquet"
RELOAD_EVERY_S = 30.0
_FAULTED = PileStatus.FAULTED.value
_OFF = (PileStatus.OFFLINE.value, _FAULTED)
_FAILED = (SessionStatus.REJECTED.value, SessionStatus.FAILED.value)


def _off(column: str) -> str:
    listed = ", ".join(f"'{s}'" for s in _OFF)
    return f"(coalesce({column} IN ({listed}), false))::BIGINT"


def _known(column: str) -> str:
    return f"(coalesce({column} <> '{PileStatus.UNKNOWN.value}', false))::BIGINT"


PILES_SQL = f"""
WITH w AS (
  SELECT pile_id, epoch_us(changed_at) AS t, id, status, previous
  FROM changes WHERE changed_at >= $t0 AND changed_at < $t1
)
SELECT pile_id,
  count(*) FILTER (WHERE status = '{_FAULTED}'
                   AND coalesce(previous, '') <> '{_FAULTED}') AS faults,
  (arg_min({_off("previous")}, {{'t': t, 'i': id}}) * ($u1 - $u0)
   + sum(({_off("status")} - {_off("previous")}) * ($u1 - t)))::DOUBLE AS off_us,
  (arg_min({_known("previous")}, {{'t': t, 'i': id}}) * ($u1 - $u0)
   + sum(({_known("status")} - {_known("previous")}) * ($u1 - t)))::DOUBLE AS seen_us
FROM w GROUP BY pile_id
"""


def learn_reliability(
    con: duckdb.DuckDBPyConnection, engine: Engine, window: Window
) -> dict[PileId, PileTrack]:
    """Every pile with something against it in the window (``changes`` is
    registered on ``con``)."""
    bounds = {
        "t0": window.start_at,
        "t1": window.end_at,
        "u0": int(window.start_at.timestamp() * 1_000_000),
        "u1": int(window.end_at.timestamp() * 1_000_000),
    }
    faults: dict[str, int] = {}
    offline: dict[str, float] = {}
    for pile_id, n, off_us, seen_us in con.execute(PILES_SQL, bounds).fetchall():
        faults[pile_id] = int(n)
        offline[pile_id] = off_us / seen_us if seen_us and seen_us > 0 else 0.0
    failed, reports = _counts(engine, window)
    tracks = {}
    for pile_id in set(faults) | set(failed) | set(reports):
        track = PileTrack(
            faults.get(pile_id, 0),
            offline.get(pile_id, 0.0),
            failed.get(pile_id, 0),
            reports.get(pile_id, 0),
        )
        if track.score < 100:
            tracks[PileId(pile_id)] = track
    return tracks


def _counts(engine: Engine, window: Window) -> tuple[dict[str, int], dict[str, int]]:
    s, r = charging_sessions.c, pile_reports.c
    starts = (
        select(s.pile_id, func.count())
        .where(
            s.status.in_(_FAILED),
            s.created_at >= window.start_at,
            s.created_at < window.end_at,
        )
        .group_by(s.pile_id)
    )
    broken = (
        select(r.pile_id, func.count())
        .where(
            r.kind == ReportKind.BROKEN.value,
            r.reported_at >= window.start_at,
            r.reported_at < window.end_at,
        )
        .group_by(r.pile_id)
    )
    with engine.connect() as conn:
        failed = {str(p): int(n) for p, n in conn.execute(starts)}
        reported = {str(p): int(n) for p, n in conn.execute(broken)}
    return failed, reported


def write_reliability(tracks: dict[PileId, PileTrack], path: Path) -> None:
    piles = sorted(tracks)
    table = pa.table(
        {
            "pile_id": pa.array(piles, pa.string()),
            "faults": pa.array([tracks[p].faults for p in piles], pa.int32()),
            "offline_share": pa.array(
                [tracks[p].offline_share for p in piles], pa.float32()
            ),
            "failed_starts": pa.array(
                [tracks[p].failed_starts for p in piles], pa.int32()
            ),
            "broken_reports": pa.array(
                [tracks[p].broken_reports for p in piles], pa.int32()
            ),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    pq.write_table(table, temporary, compression="zstd")
    temporary.replace(path)


class ParquetPileReliability:
    """``recommend.ports.PileReliability`` over ``reliability.parquet``."""

    def __init__(self, path: Path, reload_every_s: float = RELOAD_EVERY_S) -> None:
        self._path = path
        self._reload_every_s = reload_every_s
        self._tracks: dict[str, PileTrack] = {}
        self._mtime_ns = -1
        self._checked = -float("inf")
        self._lock = threading.Lock()

    def track(self, pile_id: PileId) -> PileTrack | None:
        if time.monotonic() - self._checked >= self._reload_every_s:
            self._reload()
        return self._tracks.get(pile_id)

    def _reload(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            try:
                mtime = self._path.stat().st_mtime_ns
            except FileNotFoundError:
                self._tracks, self._mtime_ns = {}, -1
                return
            if mtime == self._mtime_ns:
                return
            rows = pq.read_table(self._path).to_pylist()
            self._tracks = {
                r["pile_id"]: PileTrack(
                    r["faults"],
                    float(r["offline_share"]),
                    r["failed_starts"],
                    r["broken_reports"],
                )
                for r in rows
            }
            self._mtime_ns = mtime

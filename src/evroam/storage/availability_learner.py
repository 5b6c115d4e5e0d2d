"""Learns the availability table from the pile status history (ADR 0039).

For every station with history in the window (28 days to now), DuckDB sweeps
its piles' changes in time order and adds up, per local hour of the week, the
time the station was observed (a pile with a known status), the time it had a
free pile, and busy and observed pile-time (utilisation). The rows are the
archive's Parquet files plus the database's newest, as the network reports
read them (ADR 0024). Cells are then shrunk toward the operator's hour-of-week
mean (``recommend.availability.shrunk_share``) and written, one byte a cell,
to ``availability.parquet`` next to the archive, which the API workers read
(``storage.availability_table``). The maintenance worker refreshes it every
``LEARN_EVERY``; the demo's backfill learns once at its end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]
from sqlalchemy import Engine, select

from evroam.analytics.network import Window
from evroam.catalogue.model import PileStatus, StatusCategory
from evroam.recommend.availability import (
    HOURS_OF_WEEK,
    MIN_STATION_HOURS,
    shrunk_share,
)
from evroam.recommend.reliability import WINDOW_DAYS
from evroam.shared.clock import Clock
from evroam.storage.history_archive import ParquetStatusArchive
from evroam.storage.network_engine import register_changes
from evroam.storage.pile_reliability import (
    TABLE_NAME as RELIABILITY_TABLE,
)
from evroam.storage.pile_reliability import (
    learn_reliability,
    write_reliability,
)
from evroam.storage.status_history import SqlStatusHistory
from evroam.storage.tables import piles, stations

LEARN_WINDOW = timedelta(days=28)
LEARN_EVERY = timedelta(hours=6)
RETRY_EVERY = timedelta(minutes=10)  # a fresh hub with no history yet
TABLE_NAME = "availability.parquet"
SCALE = 255  # a share is stored as round(share x 255) in one byte
HOUR_US = 3_600_000_000
_BUSY = tuple(s.value for s in PileStatus if s.category is StatusCategory.BUSY)


def _is(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"(coalesce({column} IN ({listed}), false))::BIGINT"


def _free(column: str) -> str:
    return _is(column, (PileStatus.AVAILABLE.value,))


def _busy(column: str) -> str:
    return _is(column, _BUSY)


def _known(column: str) -> str:
    return f"(coalesce({column} <> '{PileStatus.UNKNOWN.value}', false))::BIGINT"


# Per station with rows in [t0, t1) and local hour of week: observed, free,
# busy-pile and observed-pile microseconds. A pile's state at t0 is the
# ``previous`` of its first row in the window (ADR 0024's edges); a pile with no
# row in the window is left out: only what was recorded is learned from (the
# reports' "kept its current status all along" would count weeks before the
# hub knew the pile).
CELLS_SQL = f"""
WITH w AS (
  SELECT c.pile_id, d.station_id, epoch_us(c.changed_at) AS t, c.id, c.status,
    c.previous
  FROM changes c JOIN pile_dim d USING (pile_id)
  WHERE c.changed_at >= $t0 AND c.changed_at < $t1
),
firsts AS (
  SELECT pile_id,
    arg_min({_free("previous")}, {{'t': t, 'i': id}}) AS free0,
    arg_min({_known("previous")}, {{'t': t, 'i': id}}) AS known0,
    arg_min({_busy("previous")}, {{'t': t, 'i': id}}) AS busy0
  FROM w GROUP BY pile_id
),
opening AS (
  SELECT d.station_id, any_value(d.offset_h) AS off, sum(f.free0) AS f0,
    sum(f.known0) AS k0, sum(f.busy0) AS b0
  FROM pile_dim d JOIN firsts f USING (pile_id)
  GROUP BY d.station_id
),
steps AS (
  SELECT station_id, $u0 AS t, 0 AS k, 0 AS df, 0 AS dk, 0 AS db FROM opening
  UNION ALL
  SELECT station_id, t, 1 AS k,
    sum({_free("status")} - {_free("previous")}),
    sum({_known("status")} - {_known("previous")}),
    sum({_busy("status")} - {_busy("previous")})
  FROM w GROUP BY station_id, t
),
runs AS (
  SELECT s.station_id, o.off, s.t,
    o.f0 + sum(s.df) OVER run AS free, o.k0 + sum(s.dk) OVER run AS known,
    o.b0 + sum(s.db) OVER run AS busy,
    lead(s.t, 1, $u1) OVER run AS t_end
  FROM steps s JOIN opening o USING (station_id)
  WINDOW run AS (PARTITION BY s.station_id ORDER BY s.t, s.k
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
hours AS (
  SELECT station_id, off, free, known, busy, t, t_end,
    unnest(range(t // {HOUR_US}, (t_end - 1) // {HOUR_US} + 1)) AS h
  FROM runs WHERE t_end > t
),
spans AS (
  SELECT station_id, free, known, busy,
    ((((h + off) // 24) + 3) % 7) * 24 + (h + off) % 24 AS how,
    least(t_end, (h + 1) * {HOUR_US}) - greatest(t, h * {HOUR_US}) AS us
  FROM hours
)
SELECT station_id, how,
  sum(CASE WHEN known > 0 THEN us ELSE 0 END)::DOUBLE AS seen_us,
  sum(CASE WHEN free > 0 THEN us ELSE 0 END)::DOUBLE AS free_us,
  sum(busy * us)::DOUBLE AS busy_pile_us,
  sum(known * us)::DOUBLE AS seen_pile_us
FROM spans GROUP BY station_id, how
"""
# 1970-01-01 was a Thursday: (day + 3) % 7 is the weekday with Monday 0.


@dataclass(frozen=True, slots=True)
class StationCells:
    """Hours per station (rows) and local hour of week (columns)."""

    station_ids: tuple[str, ...]
    operator_ids: tuple[str, ...]
    seen_h: npt.NDArray[np.float64]
    free_h: npt.NDArray[np.float64]
    busy_pile_h: npt.NDArray[np.float64]
    seen_pile_h: npt.NDArray[np.float64]


def learn_cells(
    con: duckdb.DuckDBPyConnection, window: Window, operators: dict[str, str]
) -> StationCells:
    """Sum the ``changes`` of the window over ``pile_dim`` (pile_id,
    station_id, offset_h, status), both registered on ``con``; ``operators``
    maps station ids to their operator."""
    bounds = {
        "t0": window.start_at,
        "t1": window.end_at,
        "u0": _us(window.start_at),
        "u1": _us(window.end_at),
    }
    rows = con.execute(CELLS_SQL, bounds).fetchnumpy()
    ids, index = np.unique(rows["station_id"].astype(str), return_inverse=True)
    how = rows["how"].astype(np.int64)
    shape = (len(ids), HOURS_OF_WEEK)

    def grid(column: str) -> npt.NDArray[np.float64]:
        out = np.zeros(shape)
        np.add.at(out, (index, how), rows[column].astype(np.float64) / HOUR_US)
        return out

    station_ids = tuple(str(i) for i in ids)
    return StationCells(
        station_ids,
        tuple(operators.get(s, "") for s in station_ids),
        grid("seen_us"),
        grid("free_us"),
        grid("busy_pile_us"),
        grid("seen_pile_us"),
    )


def table_of(cells: StationCells) -> pa.Table:
    """The compact table: a row per station observed ``MIN_STATION_HOURS``,
    per operator and for the network, each with 168 one-byte shares."""
    ops = np.array(cells.operator_ids, dtype=object)
    kinds: list[str] = []
    keys: list[str] = []
    frees: list[bytes] = []
    utils: list[bytes] = []
    hours: list[float] = []

    def add(kind: str, key: str, free: Any, util: Any, seen: float) -> None:
        kinds.append(kind)
        keys.append(key)
        frees.append(_bytes(free))
        utils.append(_bytes(util))
        hours.append(round(float(seen), 1))

    net_free, net_util = _pooled(cells, np.ones(len(ops), dtype=bool), None)
    add("network", "", net_free, net_util, cells.seen_h.sum())
    for op in sorted(set(cells.operator_ids)):
        mine = ops == op
        free, util = _pooled(cells, mine, (net_free, net_util))
        add("operator", op, free, util, cells.seen_h[mine].sum())
        kept = np.flatnonzero(mine & (cells.seen_h.sum(axis=1) >= MIN_STATION_HOURS))
        for i in kept:
            add(
                "station",
                cells.station_ids[i],
                shrunk_share(cells.free_h[i], cells.seen_h[i], free),
                shrunk_share(cells.busy_pile_h[i], cells.seen_pile_h[i], util),
                cells.seen_h[i].sum(),
            )
    return pa.table(
        {
            "kind": pa.array(kinds, pa.string()),
            "key": pa.array(keys, pa.string()),
            "free": pa.array(frees, pa.binary(HOURS_OF_WEEK)),
            "utilisation": pa.array(utils, pa.binary(HOURS_OF_WEEK)),
            "observed_h": pa.array(hours, pa.float64()),
        }
    )


def _pooled(
    cells: StationCells,
    rows: npt.NDArray[np.bool_],
    fallback: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Hour-of-week means of ``rows`` pooled (time-weighted); an hour nobody
    observed takes ``fallback`` (or the mean over the week)."""
    seen, seen_p = cells.seen_h[rows].sum(axis=0), cells.seen_pile_h[rows].sum(axis=0)
    free = cells.free_h[rows].sum(axis=0)
    busy = cells.busy_pile_h[rows].sum(axis=0)
    if fallback is None:
        week_free = free.sum() / seen.sum() if seen.sum() else 0.5
        week_util = busy.sum() / seen_p.sum() if seen_p.sum() else 0.5
        fallback = (
            np.full(HOURS_OF_WEEK, week_free),
            np.full(HOURS_OF_WEEK, week_util),
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(seen > 0, free / np.where(seen > 0, seen, 1), fallback[0])
        util = np.where(seen_p > 0, busy / np.where(seen_p > 0, seen_p, 1), fallback[1])
    return share, util


def _bytes(shares: npt.NDArray[np.float64]) -> bytes:
    return bytes(np.clip(np.rint(shares * SCALE), 0, SCALE).astype(np.uint8))


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


class AvailabilityLearner:
    """Builds ``availability.parquet`` from the history (a periodic job)."""

    def __init__(
        self,
        engine: Engine,
        history: SqlStatusHistory,
        archive: ParquetStatusArchive,
        path: Path,
        clock: Clock,
        window: timedelta = LEARN_WINDOW,
    ) -> None:
        self._engine = engine
        self._history = history
        self._archive = archive
        self._path = path
        self._clock = clock
        self._window = window
        self._tried_at: datetime | None = None

    @property
    def path(self) -> Path:
        return self._path

    def learn(self) -> int:
        """Learn and write the table (and the piles' reliability, ADR 0040)
        now; the number of stations learned."""
        now = self._clock.now()
        window = Window(now - self._window, now)
        track_window = Window(now - timedelta(days=WINDOW_DAYS), now)
        dimension, operators = self._dimension(now)
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.register("pile_dim", dimension)
            widest = min(window, track_window, key=lambda w: w.start_at)
            register_changes(con, self._history, self._archive, widest)
            cells = learn_cells(con, window, operators)
            tracks = learn_reliability(con, self._engine, track_window)
        finally:
            con.close()
        write_reliability(tracks, self._path.with_name(RELIABILITY_TABLE))
        if not cells.station_ids:
            return 0
        table = table_of(cells)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        pq.write_table(table, temporary, compression="zstd")
        os.replace(temporary, self._path)
        return sum(1 for k in table.column("kind").to_pylist() if k == "station")

    def chore(self) -> None:
        """For the feed watcher: learn when the table is missing or old."""
        now = self._clock.now()
        if self._tried_at is not None and now - self._tried_at < RETRY_EVERY:
            return
        try:
            made = self._path.stat().st_mtime
        except FileNotFoundError:
            made = 0.0
        if now.timestamp() - made >= LEARN_EVERY.total_seconds():
            self._tried_at = now
            self.learn()

    def _dimension(self, now: datetime) -> tuple[pa.Table, dict[str, str]]:
        query = select(
            piles.c.id,
            stations.c.id,
            stations.c.operator_id,
            stations.c.time_zone,
            piles.c.status,
        ).join(stations, piles.c.station_sid == stations.c.sid)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        offsets: dict[str, int] = {}
        operators: dict[str, str] = {}
        for _, station_id, operator_id, tz, _ in rows:
            operators[station_id] = operator_id
            if tz not in offsets:
                offset = ZoneInfo(tz).utcoffset(now)
                offsets[tz] = (
                    0 if offset is None else int(offset.total_seconds()) // 3600
                )
        table = pa.table(
            {
                "pile_id": pa.array([r[0] for r in rows], pa.string()),
                "station_id": pa.array([r[1] for r in rows], pa.string()),
                "offset_h": pa.array([offsets[r[3]] for r in rows], pa.int64()),
                "status": pa.array([r[4] for r in rows], pa.string()),
            }
        )
        return table, operators

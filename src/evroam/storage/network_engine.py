"""The network reports on DuckDB, over the status history and charge sessions.

The history comes from its Parquet archive and, for rows not archived yet, from
the database; sessions from the database (ADR 0024). Every report is a sum over
history rows, linear in them (no sort, no window over rows): a row changes a
pile's busy count by ``busy(status) - busy(previous)`` and its observed count by
``(status is known) - (previous is known)``, from its time to the end of the
window. What a pile was at the start of the window is the ``previous`` of its
first row in it; a pile without rows in the window kept its current status all
along. The definitions are in docs/analytics.md; tests check this engine against
the pure functions of ``analytics.network`` on random histories.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
from sqlalchemy import Engine, and_, select

from evroam.analytics.coverage import SiteFacts
from evroam.analytics.network import (
    CELL_DEG,
    DC_FAST_KW,
    Grouping,
    HotSpot,
    HourTotals,
    SharedHotSpots,
    UnderservedArea,
    UtilisationRow,
    Window,
    cell_centre,
    sorted_utilisation,
)
from evroam.catalogue.model import ConnectorStandard, PileStatus, StatusCategory
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.history_archive import ParquetStatusArchive, rows_table
from evroam.storage.status_history import SqlStatusHistory
from evroam.storage.tables import piles, stations

DC_MASK = (
    ConnectorStandard.GBT_DC.bit
    | ConnectorStandard.CCS2.bit
    | ConnectorStandard.CHADEMO.bit
    | ConnectorStandard.NACS.bit
)
HOUR_US = 3_600_000_000
REACHABLE_SHARE = 0.1  # docs/analytics.md, under-served areas
BUSY = tuple(s.value for s in PileStatus if s.category is StatusCategory.BUSY)
_GROUP_COLUMN = {
    Grouping.STATION: "station_id",
    Grouping.PARTNER: "operator_id",
    Grouping.CITY: "city",
}


def _busy(column: str) -> str:
    listed = ", ".join(f"'{s}'" for s in BUSY)
    return f"(coalesce({column} IN ({listed}), false))::BIGINT"


def _known(column: str) -> str:
    return f"({column} IS NOT NULL)::BIGINT"


# Per pile over the window: busy and observed microseconds.
_PILE_TOTALS = f"""
WITH w AS (
  SELECT pile_id, epoch_us(changed_at) AS t, id, status, previous
  FROM changes WHERE changed_at >= $t0 AND changed_at < $t1
),
per_pile AS (
  SELECT pile_id,
    arg_min({_busy("previous")}, {{'t': t, 'i': id}}) AS open_busy,
    arg_min({_known("previous")}, {{'t': t, 'i': id}}) AS open_seen,
    sum(({_busy("status")} - {_busy("previous")}) * ($u1 - t)) AS busy_tail,
    sum(({_known("status")} - {_known("previous")}) * ($u1 - t)) AS seen_tail
  FROM w GROUP BY pile_id
)
SELECT p.*,
  CASE WHEN pp.pile_id IS NULL THEN {_busy("p.status")} * ($u1 - $u0)
       ELSE pp.open_busy * ($u1 - $u0) + pp.busy_tail END AS busy_us,
  CASE WHEN pp.pile_id IS NULL THEN $u1 - $u0
       ELSE pp.open_seen * ($u1 - $u0) + pp.seen_tail END AS seen_us
FROM piles p LEFT JOIN per_pile pp USING (pile_id)
"""

_HOURLY = f"""
WITH w AS (
  SELECT c.pile_id, epoch_us(c.changed_at) AS t, c.id, c.status, c.previous
  FROM changes c SEMI JOIN piles p USING (pile_id)
  WHERE c.changed_at >= $t0 AND c.changed_at < $t1
),
opening AS (
  SELECT sum(CASE WHEN pp.pile_id IS NULL THEN {_busy("p.status")}
                  ELSE pp.open_busy END) AS busy0,
         sum(CASE WHEN pp.pile_id IS NULL THEN 1 ELSE pp.open_seen END) AS seen0
  FROM piles p LEFT JOIN (
    SELECT pile_id,
      arg_min({_busy("previous")}, {{'t': t, 'i': id}}) AS open_busy,
      arg_min({_known("previous")}, {{'t': t, 'i': id}}) AS open_seen
    FROM w GROUP BY pile_id) pp USING (pile_id)
),
placed AS (
  SELECT (t - $h0) // {HOUR_US} AS h, t,
    {_busy("status")} - {_busy("previous")} AS busy_delta,
    {_known("status")} - {_known("previous")} AS seen_delta
  FROM w
),
rows_by_hour AS (
  SELECT h, sum(busy_delta) AS busy_net, sum(seen_delta) AS seen_net,
    sum(busy_delta * (least($h0 + (h + 1) * {HOUR_US}, $u1) - t)) AS busy_part,
    sum(seen_delta * (least($h0 + (h + 1) * {HOUR_US}, $u1) - t)) AS seen_part
  FROM placed GROUP BY h
),
hours AS (
  SELECT range AS h,
    least($h0 + (range + 1) * {HOUR_US}, $u1) - greatest($h0 + range * {HOUR_US}, $u0)
      AS span
  FROM range(0, $hours)
),
running AS (
  SELECT h, span,
    coalesce(sum(busy_net) OVER before, 0) AS busy_before,
    coalesce(sum(seen_net) OVER before, 0) AS seen_before,
    coalesce(busy_part, 0) AS busy_part, coalesce(seen_part, 0) AS seen_part
  FROM hours LEFT JOIN rows_by_hour USING (h)
  WINDOW before AS (ORDER BY h ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
SELECT h,
  ((SELECT busy0 FROM opening) + busy_before) * span + busy_part AS busy_us,
  ((SELECT seen0 FROM opening) + seen_before) * span + seen_part AS seen_us
FROM running ORDER BY h
"""

_CELLS = """
CREATE TEMP VIEW cells AS
SELECT floor(lat / $cell)::BIGINT AS r, floor(lon / $cell)::BIGINT AS c, kwh, driver
FROM demand
"""

_HOTSPOTS = """
SELECT r, c, count(*) AS sessions, sum(kwh) AS kwh, count(DISTINCT driver) AS drivers
FROM cells GROUP BY r, c ORDER BY kwh DESC, sessions DESC, r, c LIMIT $top
"""

# k-anonymity (analytics.kanon.coarsen_then_suppress): cells under k drivers
# are pooled into their 2 x 2 parent; a pool under k is withheld.
_SHARED = """
WITH agg AS (
  SELECT r, c, count(*) AS sessions, sum(kwh) AS kwh, count(DISTINCT driver) AS drivers
  FROM cells GROUP BY r, c
),
small AS (SELECT r, c FROM agg WHERE drivers < $k),
pooled AS (
  SELECT floor(r / 2)::BIGINT AS r, floor(c / 2)::BIGINT AS c, count(*) AS sessions,
         sum(kwh) AS kwh, count(DISTINCT driver) AS drivers
  FROM cells SEMI JOIN small USING (r, c) GROUP BY ALL
)
SELECT 0 AS level, r, c, sessions, kwh, drivers FROM agg WHERE drivers >= $k
UNION ALL
SELECT 1 AS level, r, c, sessions, kwh, drivers FROM pooled
"""

_UNDERSERVED = f"""
WITH demand_cells AS (
  SELECT r, c, sum(kwh) AS kwh, count(*) AS sessions FROM cells GROUP BY r, c
),
supply AS (
  SELECT floor(lat / $cell)::BIGINT AS r, floor(lon / $cell)::BIGINT AS c,
    power_kw * greatest(0.0, 1.0 - CASE WHEN seen_us > 0
                                        THEN busy_us / seen_us ELSE 0 END)
      * $window_h AS spare
  FROM pile_totals WHERE is_dc AND power_kw >= {DC_FAST_KW}
),
around AS (
  SELECT r + dr AS r, c + dc AS c, sum(spare) AS spare
  FROM supply, range(-1, 2) t1(dr), range(-1, 2) t2(dc) GROUP BY ALL
)
SELECT d.r, d.c, d.kwh, d.sessions, {REACHABLE_SHARE} * coalesce(a.spare, 0) AS usable,
       d.kwh - {REACHABLE_SHARE} * coalesce(a.spare, 0) AS unmet
FROM demand_cells d LEFT JOIN around a USING (r, c)
WHERE d.kwh > {REACHABLE_SHARE} * coalesce(a.spare, 0)
ORDER BY unmet DESC, d.r, d.c LIMIT $top
"""


class DuckDbNetworkEngine:
    """``analytics.ports.NetworkEngine`` on DuckDB (in process, no server)."""

    def __init__(
        self,
        engine: Engine,
        history: SqlStatusHistory,
        archive: ParquetStatusArchive,
        cell_deg: float = CELL_DEG,
    ) -> None:
        self._engine = engine
        self._history = history
        self._archive = archive
        self._cell_deg = cell_deg

    # -- reports -----------------------------------------------------------------
    def utilisation(self, window: Window, by: Grouping) -> tuple[UtilisationRow, ...]:
        column = _GROUP_COLUMN[by]
        sql = f"""SELECT {column} AS key, count(*) AS piles,
                    sum(busy_us) / {HOUR_US}.0 AS busy_h,
                    sum(seen_us) / {HOUR_US}.0 AS seen_h
                  FROM pile_totals GROUP BY ALL"""
        with self._connection(window, changes=True) as con:
            rows = con.execute(sql).fetchall()
        return sorted_utilisation(
            UtilisationRow(str(key), int(n), float(b), float(s))
            for key, n, b, s in rows
        )

    def hourly(self, window: Window) -> tuple[HourTotals, ...]:
        h0 = window.start_at.replace(minute=0, second=0, microsecond=0)
        hours = int((window.end_at - h0) / timedelta(hours=1)) + 1
        params = {**_bounds(window), "h0": _us(h0), "hours": hours}
        with self._connection(window, changes=True, totals=False) as con:
            rows = con.execute(_HOURLY, params).fetchall()
        return tuple(
            HourTotals(h0 + timedelta(hours=h), busy / HOUR_US, seen / HOUR_US)
            for h, busy, seen in rows
            if seen
        )

    def hotspots(self, window: Window, top: int) -> tuple[HotSpot, ...]:
        with self._connection(window, demand=True) as con:
            rows = con.execute(_HOTSPOTS, {"top": top}).fetchall()
        return tuple(
            HotSpot(r, c, *cell_centre(r, c, self._cell_deg), n, kwh, d, self._cell_deg)
            for r, c, n, kwh, d in rows
        )

    def shared_hotspots(self, window: Window, k: int, top: int) -> SharedHotSpots:
        with self._connection(window, demand=True) as con:
            rows = con.execute(_SHARED, {"k": k}).fetchall()
        spots, withheld_cells, withheld_sessions = [], 0, 0
        for level, r, c, n, kwh, drivers in rows:
            if drivers < k:
                withheld_cells, withheld_sessions = (
                    withheld_cells + 1,
                    withheld_sessions + n,
                )
                continue
            size = self._cell_deg * 2**level
            spots.append(HotSpot(r, c, *cell_centre(r, c, size), n, kwh, drivers, size))
        spots.sort(key=lambda s: (-s.kwh, -s.sessions, s.row, s.col))
        return SharedHotSpots(tuple(spots[:top]), withheld_cells, withheld_sessions, k)

    def underserved(self, window: Window, top: int) -> tuple[UnderservedArea, ...]:
        with self._connection(window, changes=True, demand=True) as con:
            rows = con.execute(
                _UNDERSERVED,
                {"top": top, "window_h": window.hours, "cell": self._cell_deg},
            ).fetchall()
        return tuple(
            UnderservedArea(
                r, c, *cell_centre(r, c, self._cell_deg), kwh, n, usable, unmet
            )
            for r, c, kwh, n, usable, unmet in rows
        )

    def sites(self) -> Sequence[SiteFacts]:
        st = stations.c
        query = select(st.lat, st.lon, st.is_swap, st.max_power_kw, st.connector_mask)
        with self._engine.connect() as conn:
            return [
                SiteFacts(lat, lon, bool(swap), power if mask & DC_MASK else 0.0)
                for lat, lon, swap, power, mask in conn.execute(query)
            ]

    # -- inputs ------------------------------------------------------------------
    @contextlib.contextmanager
    def _connection(
        self,
        window: Window,
        *,
        changes: bool = False,
        demand: bool = False,
        totals: bool = True,
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.register("piles", self.pile_dimension())
            if changes:
                self._register_changes(con, window)
                if totals:
                    con.execute(
                        "CREATE TEMP TABLE pile_totals AS " + _PILE_TOTALS,
                        _bounds(window),
                    )
            if demand:
                con.register("demand", self._demand(window))
                con.execute(_CELLS.replace("$cell", repr(self._cell_deg)))
            yield con
        finally:
            con.close()

    def _register_changes(self, con: duckdb.DuckDBPyConnection, window: Window) -> None:
        register_changes(con, self._history, self._archive, window)

    def pile_dimension(self) -> pa.Table:
        query = select(
            piles.c.id,
            stations.c.id,
            stations.c.operator_id,
            stations.c.city,
            stations.c.lat,
            stations.c.lon,
            piles.c.max_power_kw,
            stations.c.connector_mask.op("&")(DC_MASK) != 0,
            piles.c.status,
        ).join(stations, piles.c.station_sid == stations.c.sid)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        names = (
            "pile_id", "station_id", "operator_id", "city", "lat", "lon",
            "power_kw", "is_dc", "status",
        )  # fmt: skip
        types = (
            pa.string(), pa.string(), pa.string(), pa.string(), pa.float64(),
            pa.float64(), pa.float64(), pa.bool_(), pa.string(),
        )  # fmt: skip
        columns: list[Sequence[Any]] = (
            list(zip(*rows, strict=True)) if rows else [() for _ in names]
        )
        return pa.table(
            {
                n: pa.array(col, type=t)
                for n, col, t in zip(names, columns, types, strict=True)
            }
        )

    def _demand(self, window: Window) -> pa.Table:
        s = charging_sessions.c
        query = (
            select(stations.c.lat, stations.c.lon, s.kwh, s.account_id)
            .join(stations, stations.c.id == s.station_id)
            .where(
                and_(
                    s.started_at.is_not(None),
                    s.started_at >= window.start_at,
                    s.started_at < window.end_at,
                )
            )
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return pa.table(
            {
                "lat": pa.array([r[0] for r in rows], pa.float64()),
                "lon": pa.array([r[1] for r in rows], pa.float64()),
                "kwh": pa.array([float(r[2]) for r in rows], pa.float64()),
                "driver": pa.array([r[3] for r in rows], pa.string()),
            }
        )


def register_changes(
    con: duckdb.DuckDBPyConnection,
    history: SqlStatusHistory,
    archive: ParquetStatusArchive,
    window: Window,
) -> None:
    """``changes``: the archive's files of the window's days, then the rows
    the archive does not hold yet (listed in that order, so none is lost or
    read twice if the keeper archives meanwhile)."""
    files = archive.files()
    newest = max((f.last_id for f in files), default=0)
    first_day, last_day = _day(window.start_at), _day(window.end_at)
    paths = [str(f.path) for f in files if first_day <= f.day <= last_day]
    tail = rows_table(history.rows_after(newest, None, window.start_at))
    con.register("tail", tail)
    if paths:
        listed = ", ".join(f"'{p}'" for p in paths)
        con.execute(
            "CREATE TEMP VIEW changes AS SELECT id, pile_id, changed_at, status, "
            f"previous FROM read_parquet([{listed}]) UNION ALL SELECT * FROM tail"
        )
    else:
        con.execute("CREATE TEMP VIEW changes AS SELECT * FROM tail")


def _us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return delta // timedelta(microseconds=1)


def _bounds(window: Window) -> dict[str, object]:
    return {
        "t0": window.start_at,
        "t1": window.end_at,
        "u0": _us(window.start_at),
        "u1": _us(window.end_at),
    }


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()

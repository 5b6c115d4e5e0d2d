"""Network analytics at year scale: DuckDB over Parquet (see docs/adr/0011).

Generates one synthetic year (default 10 M charge sessions, 200 M pile status
changes over 100 k piles) as Parquet under ``var/analytics/`` (deterministic by
seed, skipped when already there), then times each report:

    pip install duckdb pyarrow
    python benchmarks/analytics.py                     # full size
    python benchmarks/analytics.py --changes 20000000  # a quick run

Status changes carry ``delta`` (+1 became busy, -1 became free, 0 otherwise), so
busy time is linear in the events: a pile busy from t1 to t2 adds
``(end - t1) - (end - t2)``. No report sorts or windows the 200 M rows.
Prints one table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from result_file import row, save_result

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_US = 365 * 86_400 * 1_000_000
HOUR_US = 3_600 * 1_000_000
SHANGHAI_OFFSET_H = 8  # no daylight saving time in China
CELL_DEG = 0.05
DC_FAST_KW = 60.0
K = 10
PARTNERS = ("swapway", "rapidgrid", "neighbourly", "provgrid", "voltharbour")
# Share of starts per local hour: quiet at night, peaks at noon and early evening.
DIURNAL = np.array(
    [2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 8, 7, 6, 6, 7, 8, 9, 8, 7, 5, 4, 3], float
)
CITIES = (  # (name, lat, lon) of 40 large cities; piles scatter ~20 km around them
    ("Beijing", 39.90, 116.40), ("Shanghai", 31.23, 121.47), ("Guangzhou", 23.13, 113.26),
    ("Shenzhen", 22.54, 114.06), ("Chengdu", 30.57, 104.07), ("Hangzhou", 30.27, 120.16),
    ("Wuhan", 30.59, 114.31), ("Xian", 34.34, 108.94), ("Chongqing", 29.56, 106.55),
    ("Nanjing", 32.06, 118.80), ("Tianjin", 39.13, 117.20), ("Suzhou", 31.30, 120.59),
    ("Changsha", 28.23, 112.94), ("Zhengzhou", 34.75, 113.63), ("Dongguan", 23.02, 113.75),
    ("Qingdao", 36.07, 120.38), ("Shenyang", 41.81, 123.43), ("Ningbo", 29.87, 121.54),
    ("Kunming", 25.04, 102.71), ("Hefei", 31.82, 117.23), ("Foshan", 23.02, 113.12),
    ("Fuzhou", 26.07, 119.30), ("Jinan", 36.65, 117.12), ("Harbin", 45.80, 126.53),
    ("Changchun", 43.82, 125.32), ("Xiamen", 24.48, 118.09), ("Nanning", 22.82, 108.32),
    ("Taiyuan", 37.87, 112.55), ("Guiyang", 26.65, 106.63), ("Nanchang", 28.68, 115.86),
    ("Shijiazhuang", 38.04, 114.51), ("Lanzhou", 36.06, 103.83), ("Urumqi", 43.83, 87.62),
    ("Hohhot", 40.84, 111.75), ("Wenzhou", 28.00, 120.70), ("Wuxi", 31.49, 120.31),
    ("Dalian", 38.91, 121.61), ("Haikou", 20.04, 110.20), ("Yinchuan", 38.49, 106.23),
    ("Xining", 36.62, 101.78),
)  # fmt: skip


def _piles(rng: np.random.Generator, count: int) -> pa.Table:
    stations = count // 4
    station_of = np.sort(rng.integers(0, stations, count))
    city_of_station = rng.integers(0, len(CITIES), stations)
    lat0 = np.array([c[1] for c in CITIES])[city_of_station]
    lon0 = np.array([c[2] for c in CITIES])[city_of_station]
    spread = rng.exponential(0.12, (2, stations))
    angle = rng.uniform(0, 2 * np.pi, stations)
    s_lat, s_lon = lat0 + spread[0] * np.sin(angle), lon0 + spread[1] * np.cos(angle)
    power = rng.choice(
        [7.0, 22.0, 60.0, 120.0, 180.0], count, p=[0.35, 0.1, 0.2, 0.25, 0.1]
    )
    return pa.table({
        "pile_id": np.arange(count, dtype=np.int32),
        "station_id": station_of.astype(np.int32),
        "partner": np.array(PARTNERS)[station_of % len(PARTNERS)],
        "city": np.array([c[0] for c in CITIES])[city_of_station[station_of]],
        "lat": s_lat[station_of],
        "lon": s_lon[station_of],
        "power_kw": power,
    })  # fmt: skip


def _busy_starts(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Start times (µs from YEAR_START), diurnal in Shanghai, sorted per pile."""
    day = rng.integers(0, 365, shape, dtype=np.int64)
    local_hour = rng.choice(24, shape, p=DIURNAL / DIURNAL.sum())
    utc_hour = (local_hour - SHANGHAI_OFFSET_H).astype(np.int64)
    at = (day * 24 + utc_hour) * HOUR_US + rng.integers(0, HOUR_US, shape)
    at = np.clip(at, 0, YEAR_US - 2)
    at.sort(axis=1)
    return at


def _change_chunk(
    rng: np.random.Generator, first: int, piles: int, per_pile: int
) -> pa.Table:
    """Alternating became-busy / became-free changes for ``piles`` piles."""
    starts = _busy_starts(rng, (piles, per_pile))
    gap = np.diff(starts, axis=1, append=YEAR_US - 1) - 1
    length = rng.exponential(50 * 60e6, starts.shape).astype(np.int64) + 60_000_000
    ends = starts + np.clip(np.minimum(length, gap), 0, None)
    at = np.stack([starts, ends], axis=2).reshape(piles, -1)
    delta = np.tile(np.array([1, -1], np.int8), per_pile)
    status = np.where(delta > 0, 3, 1).astype(np.int8)  # T/CEC: 3 charging, 1 idle
    return pa.table({
        "pile_id": np.repeat(np.arange(first, first + piles, dtype=np.int32), 2 * per_pile),
        "changed_at": pa.array((at.ravel() + _epoch_us()).astype("datetime64[us]"), pa.timestamp("us", "UTC")),
        "status": np.tile(status, piles),
        "delta": np.tile(delta, piles),
    })  # fmt: skip


def _session_chunk(
    rng: np.random.Generator, n: int, piles: int, drivers: int
) -> pa.Table:
    start = _busy_starts(rng, (1, n))[0] + _epoch_us()
    minutes = rng.gamma(2.0, 25.0, n)
    return pa.table({
        "driver_id": rng.zipf(1.3, n).astype(np.int64) % drivers,
        "pile_id": rng.integers(0, piles, n, dtype=np.int32),
        "started_at": pa.array(start.astype("datetime64[us]"), pa.timestamp("us", "UTC")),
        "ended_at": pa.array((start + (minutes * 60e6).astype(np.int64)).astype("datetime64[us]"), pa.timestamp("us", "UTC")),
        "kwh": (minutes / 60 * rng.uniform(6, 90, n)).astype(np.float32),
    })  # fmt: skip


def _epoch_us() -> int:
    return int(YEAR_START.timestamp()) * 1_000_000


def generate(root: Path, seed: int, piles: int, changes: int, sessions: int) -> None:
    if (root / "done").exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pq.write_table(_piles(rng, piles), root / "piles.parquet")
    per_pile = max(1, changes // piles // 2)
    chunk = max(1, 5_000_000 // per_pile)
    (root / "changes").mkdir(exist_ok=True)
    for i, first in enumerate(range(0, piles, chunk)):
        part = _change_chunk(rng, first, min(chunk, piles - first), per_pile)
        pq.write_table(part, root / "changes" / f"part-{i:04d}.parquet")
    (root / "sessions").mkdir(exist_ok=True)
    for i, first in enumerate(range(0, sessions, 5_000_000)):
        n = min(5_000_000, sessions - first)
        pq.write_table(
            _session_chunk(rng, n, piles, 500_000),
            root / "sessions" / f"part-{i:04d}.parquet",
        )
    (root / "done").write_text(f"{seed} {piles} {changes} {sessions}\n")


def _views(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    con.execute(f"CREATE VIEW piles AS SELECT * FROM '{root}/piles.parquet'")
    con.execute(f"CREATE VIEW changes AS SELECT * FROM '{root}/changes/*.parquet'")
    con.execute(f"CREATE VIEW sessions AS SELECT * FROM '{root}/sessions/*.parquet'")
    end_us = _epoch_us() + YEAR_US
    con.execute(f"""CREATE MACRO busy_by_pile() AS TABLE
        SELECT pile_id, sum(delta * ({end_us} - epoch_us(changed_at)))::DOUBLE / 3.6e9 AS busy_h
        FROM changes WHERE delta <> 0 GROUP BY pile_id""")


def utilisation_sql(by: str) -> str:
    return f"""SELECT p.{by} AS key, count(*) AS piles,
        coalesce(sum(b.busy_h), 0) / (count(*) * 8760.0) AS share
      FROM piles p LEFT JOIN busy_by_pile() b USING (pile_id)
      GROUP BY p.{by} ORDER BY share DESC"""


HEATMAP_SQL = f"""
WITH hourly AS (
  SELECT (epoch_us(changed_at) - {_epoch_us()}) // {HOUR_US} AS h, sum(delta) AS net,
         sum(delta * ({HOUR_US} - (epoch_us(changed_at) - {_epoch_us()}) % {HOUR_US})) AS part_us
  FROM changes WHERE delta <> 0 GROUP BY h),
hours AS (SELECT range AS h FROM range(0, 8760)),
busy AS (
  SELECT h, coalesce(sum(net) OVER (ORDER BY h ROWS BETWEEN UNBOUNDED PRECEDING
                                    AND 1 PRECEDING), 0) * {HOUR_US}
            + coalesce(part_us, 0) AS busy_us
  FROM hours LEFT JOIN hourly USING (h))
SELECT isodow(TIMESTAMP '2025-01-01' + to_hours(h + {SHANGHAI_OFFSET_H})) - 1 AS weekday,
       (h + {SHANGHAI_OFFSET_H}) % 24 AS hour,
       sum(busy_us) / (count(*) * {HOUR_US} * (SELECT count(*) FROM piles)) AS share
FROM busy GROUP BY ALL ORDER BY weekday, hour"""

DEMAND_CELLS = f"""SELECT floor(p.lat / {CELL_DEG})::INT AS r, floor(p.lon / {CELL_DEG})::INT AS c,
        count(*) AS sessions, sum(s.kwh) AS kwh, count(DISTINCT s.driver_id) AS drivers
      FROM sessions s JOIN piles p USING (pile_id) GROUP BY ALL"""

HOTSPOTS_SQL = f"""SELECT * FROM ({DEMAND_CELLS}) WHERE drivers >= {K}
ORDER BY kwh DESC LIMIT 20"""

UNDERSERVED_SQL = f"""
WITH demand AS ({DEMAND_CELLS}),
spare AS (
  SELECT floor(p.lat / {CELL_DEG})::INT + dr AS r, floor(p.lon / {CELL_DEG})::INT + dc AS c,
         sum(p.power_kw * greatest(0, 8760 - coalesce(b.busy_h, 0))) * 0.1 AS usable_kwh
  FROM piles p LEFT JOIN busy_by_pile() b USING (pile_id),
       range(-1, 2) t1(dr), range(-1, 2) t2(dc)
  WHERE p.power_kw >= {DC_FAST_KW} GROUP BY ALL)
SELECT d.r, d.c, d.kwh, coalesce(s.usable_kwh, 0) AS usable_kwh,
       d.kwh - coalesce(s.usable_kwh, 0) AS unmet_kwh
FROM demand d LEFT JOIN spare s USING (r, c)
WHERE d.kwh > coalesce(s.usable_kwh, 0)
ORDER BY unmet_kwh DESC LIMIT 20"""  # fmt: skip


def run(root: Path) -> list[tuple[str, float, int]]:
    con = duckdb.connect()
    _views(con, root)
    reports: list[tuple[str, str]] = [
        *((f"utilisation by {by}", utilisation_sql(by)) for by in ("station_id", "partner", "city")),
        ("occupancy heatmap", HEATMAP_SQL),
        ("demand hot spots (k=10)", HOTSPOTS_SQL),
        ("under-served areas", UNDERSERVED_SQL),
    ]  # fmt: skip
    timings = []
    for name, sql in reports:
        started = time.perf_counter()
        rows: list[Any] = con.execute(sql).fetchall()
        timings.append((name, time.perf_counter() - started, len(rows)))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("var/analytics"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--piles", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=200_000_000)
    parser.add_argument("--sessions", type=int, default=10_000_000)
    args = parser.parse_args()
    root = args.root / f"s{args.seed}-p{args.piles}-c{args.changes}-n{args.sessions}"
    started = time.perf_counter()
    generate(root, args.seed, args.piles, args.changes, args.sessions)
    print(f"data: {root} ({time.perf_counter() - started:.1f} s to generate or find)")
    con = duckdb.connect()
    _views(con, root)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM changes), (SELECT count(*) FROM sessions)"
    ).fetchone()
    print(f"status changes: {counts[0]:,}  sessions: {counts[1]:,}")  # type: ignore[index]
    timings = run(root)
    for name, seconds, rows in timings:
        print(f"{name:<28} {seconds:7.2f} s  {rows:>7} rows")
    low, high = min(t[1] for t in timings), max(t[1] for t in timings)
    what = (
        f"analytics over a year: {counts[1]:,} sessions, {counts[0]:,} status"  # type: ignore[index]
        " changes (≤ 10 s per report)"
    )
    measured = f"{low:.1f}–{high:.1f} s per report (DuckDB over Parquet)"  # noqa: RUF001
    save_result(
        "analytics",
        [row(what, measured, "`analytics.py`")],
        {"reports": {name: seconds for name, seconds, _ in timings}},
        extra={"status": "pending", "pending": PENDING},
    )


PENDING = (
    "measures DuckDB over Parquet files this script generates; the admin API's and"
    " dashboard's reports do not run on that engine yet (issue 9)"
)


if __name__ == "__main__":
    main()

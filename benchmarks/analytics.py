"""Network analytics at year scale, on the engine the admin API and dashboard use.

Builds one synthetic year as the hub keeps it (ADR 0024): a hub database (SQLite)
with the piles and a year of charge sessions, and the Parquet archive of the pile
status history in the layout the history keeper writes
(``history/<archive id>/status/day=…/part-<first>-<last>.parquet``). Then it times
each report through ``NetworkAnalyticsService`` over
``evroam.storage.network_engine.DuckDbNetworkEngine`` — the objects
``/api/v1/admin/analytics/*`` calls — for the dashboard's windows (30 and 28 days)
and for the whole year. Data are deterministic by seed and kept between runs.

    python benchmarks/analytics.py                                 # full size
    python benchmarks/analytics.py --changes 20000000 --sessions 1000000   # quicker

Sessions don't cross midnight and every pile ends each day free (so the piles'
current status is `available`). Prints one table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from result_file import row, save_result

from evroam.analytics.network import Grouping
from evroam.analytics.service import NetworkAnalyticsService
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.history_archive import SCHEMA, ParquetStatusArchive
from evroam.storage.history_keeper import archive_root
from evroam.storage.network_engine import DuckDbNetworkEngine
from evroam.storage.status_history import SqlStatusHistory

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365
DAY_US = 86_400 * 1_000_000
SHANGHAI_OFFSET_H = 8
PARTNERS = ("swapway", "rapidgrid", "neighbourly", "provgrid", "voltharbour")
# Share of starts per local hour: quiet at night, peaks at noon and early evening.
DIURNAL = np.array(
    [2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 8, 8, 7, 6, 6, 7, 8, 9, 8, 7, 5, 4, 3], float
)
CITIES = (  # (name, lat, lon) of 40 large cities; stations scatter ~20 km around them
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
POWERS = np.array([7.0, 22.0, 60.0, 120.0, 180.0])


class YearEnd:
    """The clock of the synthetic hub: the end of its year."""

    def now(self) -> datetime:
        return YEAR_START + timedelta(days=DAYS)


def _stations(rng: np.random.Generator, piles: int) -> dict[str, np.ndarray]:
    stations = piles // 4
    city = rng.integers(0, len(CITIES), stations)
    lat0 = np.array([c[1] for c in CITIES])[city]
    lon0 = np.array([c[2] for c in CITIES])[city]
    spread = rng.exponential(0.12, (2, stations))
    angle = rng.uniform(0, 2 * np.pi, stations)
    return {
        "city": city,
        "lat": lat0 + spread[0] * np.sin(angle),
        "lon": lon0 + spread[1] * np.cos(angle),
        "power": rng.choice(POWERS, stations, p=[0.35, 0.1, 0.2, 0.25, 0.1]),
        "of_pile": np.sort(rng.integers(0, stations, piles)),
    }


def fill_database(
    path: Path, rng: np.random.Generator, piles: int, sessions: int
) -> None:
    engine = create_database_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    s = _stations(rng, piles)
    con = sqlite3.connect(path)
    station_rows = [
        (sid + 1, f"{PARTNERS[sid % 5]}-S{sid:06d}", PARTNERS[sid % 5], f"S{sid:06d}",
         f"Station {sid}", "1 Test Road", CITIES[int(s["city"][sid])][0],
         float(s["lat"][sid]), float(s["lon"][sid]), "Asia/Shanghai", "t-standard", 30,
         0, float(s["power"][sid]), 1 if s["power"][sid] >= 60 else 2, 0, 0, 0, 0, 0)
        for sid in range(len(s["city"]))
    ]  # fmt: skip
    con.executemany(
        "INSERT INTO stations (sid, id, operator_id, external_id, name, address, city, "
        "lat, lon, time_zone, tariff_id, parking_free_minutes, parking_fee_fen_per_hour,"
        " max_power_kw, connector_mask, is_swap, piles_free, piles_busy, piles_offline,"
        " piles_unknown) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        station_rows,
    )
    con.executemany(
        "INSERT INTO piles (id, station_sid, external_uid, connectors, max_power_kw, "
        "status) VALUES (?,?,?,?,?,?)",
        (
            (
                f"p{p:07d}",
                int(s["of_pile"][p]) + 1,
                f"E{p}",
                "[]",
                float(s["power"][s["of_pile"][p]]),
                "available",
            )
            for p in range(piles)
        ),
    )
    con.commit()
    _sessions(con, rng, s, piles, sessions)
    con.close()


def _sessions(
    con: sqlite3.Connection, rng: np.random.Generator, s: dict[str, np.ndarray],
    piles: int, count: int,
) -> None:  # fmt: skip
    chunk = 500_000
    for first in range(0, count, chunk):
        n = min(chunk, count - first)
        day = rng.integers(0, DAYS, n)
        hour = rng.choice(24, n, p=DIURNAL / DIURNAL.sum()) - SHANGHAI_OFFSET_H
        start = (
            YEAR_START.timestamp() + (day * 24 + hour) * 3600 + rng.uniform(0, 3600, n)
        )
        pile = rng.integers(0, piles, n)
        station = s["of_pile"][pile]
        driver = rng.zipf(1.3, n) % 500_000
        kwh = rng.gamma(2.0, 12.0, n)
        rows = (
            (f"cs{first + i:09d}", f"acc{driver[i]}", f"k{first + i}", "f",
             PARTNERS[station[i] % 5], f"{PARTNERS[station[i] % 5]}-S{station[i]:06d}",
             f"p{pile[i]:07d}", "billed", f"h{first + i}", 5000,
             _text(start[i]), _text(start[i]), _text(start[i] + 3000), f"{kwh[i]:.2f}")
            for i in range(n)
        )  # fmt: skip
        con.executemany(
            "INSERT INTO charging_sessions (id, account_id, idempotency_key, fingerprint,"
            " operator_id, station_id, pile_id, status, hold_id, hold_fen, created_at, "
            "started_at, ended_at, kwh) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        con.commit()


def _text(epoch_s: float) -> str:
    """As SQLAlchemy stores a UTC DateTime in SQLite."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def write_archive(
    root: Path, rng: np.random.Generator, piles: int, changes: int
) -> None:
    """Each day: ``k`` sessions per pile (busy then free), diurnal in Shanghai,
    in the history keeper's layout; ids run on day after day."""
    k = max(1, changes // (piles * DAYS * 2))
    archive = ParquetStatusArchive(root)
    pile_ids = np.array([f"p{p:07d}" for p in range(piles)])
    next_id = 1
    for day in range(DAYS):
        hour = rng.choice(24, (piles, k), p=DIURNAL / DIURNAL.sum())
        local_us = (hour * 3600 + rng.uniform(0, 3600, (piles, k))) * 1e6
        utc_us = np.clip(local_us - SHANGHAI_OFFSET_H * 3600e6, 0, DAY_US - 2)
        starts = np.sort(utc_us.astype(np.int64), axis=1)
        gap = np.diff(starts, axis=1, append=DAY_US - 1) - 1
        length = rng.exponential(50 * 60e6, starts.shape).astype(np.int64) + 60_000_000
        ends = starts + np.clip(np.minimum(length, gap), 0, None)
        at = np.stack([starts, ends], axis=2).reshape(piles, -1)
        base = int((YEAR_START + timedelta(days=day)).timestamp() * 1e6)
        status = np.tile(np.array(["charging", "available"]), piles * k)
        previous = np.tile(np.array(["available", "charging"]), piles * k)
        n = at.size
        table = pa.Table.from_arrays(
            [
                pa.array(np.arange(next_id, next_id + n, dtype=np.int64)),
                pa.array(np.repeat(pile_ids, 2 * k)),
                pa.array((at.ravel() + base).astype("datetime64[us]"), pa.timestamp("us", "UTC")),
                pa.array(status),
                pa.array(previous),
            ],
            schema=SCHEMA,
        )  # fmt: skip
        archive.write(table)
        next_id += n


def prepare(root: Path, seed: int, piles: int, changes: int, sessions: int) -> Path:
    """The hub database of the year (made once per size and seed)."""
    db = root / "hub.db"
    if (root / "done").exists():
        return db
    root.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    fill_database(db, rng, piles, sessions)
    engine = create_database_engine(f"sqlite:///{db}")
    archive_id = SqlStatusHistory(engine).archive_id()
    engine.dispose()
    write_archive(archive_root(root, archive_id), rng, piles, changes)
    (root / "done").write_text(f"{seed} {piles} {changes} {sessions}\n")
    return db


def measure(root: Path, db: Path) -> dict[str, dict[str, float]]:
    engine = create_database_engine(f"sqlite:///{db}")
    history = SqlStatusHistory(engine)
    archive = ParquetStatusArchive(archive_root(root, history.archive_id()))
    service = NetworkAnalyticsService(
        DuckDbNetworkEngine(engine, history, archive), YearEnd()
    )
    reports: dict[str, Any] = {
        "utilisation by station": lambda d: service.utilisation(Grouping.STATION, d),
        "utilisation by partner": lambda d: service.utilisation(Grouping.PARTNER, d),
        "utilisation by city": lambda d: service.utilisation(Grouping.CITY, d),
        "occupancy heatmap": service.occupancy,
        "hot spots": lambda d: service.hotspots(d, 20),
        "hot spots, k = 10": lambda d: service.shared_hotspots(d, 20),
        "under-served areas": lambda d: service.underserved(d, 20),
    }
    timings: dict[str, dict[str, float]] = {}
    for name, report in reports.items():
        for days in (30, DAYS):
            window = 28 if name == "occupancy heatmap" and days == 30 else days
            started = time.perf_counter()
            report(window)
            timings.setdefault(name, {})[str(days)] = time.perf_counter() - started
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("var/analytics"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--piles", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=200_000_000)
    parser.add_argument("--sessions", type=int, default=10_000_000)
    args = parser.parse_args()
    root = (
        args.root / f"hub-s{args.seed}-p{args.piles}-c{args.changes}-n{args.sessions}"
    )
    started = time.perf_counter()
    db = prepare(root, args.seed, args.piles, args.changes, args.sessions)
    print(f"data: {root} ({time.perf_counter() - started:.1f} s to generate or find)")
    timings = measure(root, db)
    con = sqlite3.connect(db)
    sessions = con.execute("SELECT count(*) FROM charging_sessions").fetchone()[0]
    con.close()
    engine = create_database_engine(f"sqlite:///{db}")
    archive = ParquetStatusArchive(
        archive_root(root, SqlStatusHistory(engine).archive_id())
    )
    engine.dispose()
    changes = sum(pq.ParquetFile(f.path).metadata.num_rows for f in archive.files())
    print(f"status changes: {changes:,}  sessions: {sessions:,}  piles: {args.piles:,}")
    print(f"{'report':<26} {'30 days':>9} {'a year':>9}")
    for name, by_days in timings.items():
        print(f"{name:<26} {by_days['30']:8.2f}s {by_days[str(DAYS)]:8.2f}s")
    month = [t["30"] for t in timings.values()]
    year = [t[str(DAYS)] for t in timings.values()]
    what = (
        f"admin analytics over a year: {sessions:,} sessions, {changes:,} status "
        f"changes, {args.piles:,} piles (≤ 10 s per report)"
    )
    to = "\u2013"  # an en dash, as the figures table writes ranges
    measured = (
        f"dashboard windows (30/28 days) {min(month):.1f}{to}{max(month):.1f} s per "
        f"report, whole year {min(year):.1f}{to}{max(year):.1f} s; the shipped engine "
        "(DuckDB over the history's Parquet archive, piles and sessions from SQLite)"
    )
    save_result(
        "analytics",
        [row(what, measured, "`analytics.py`")],
        {
            "reports": timings,
            "changes": changes,
            "sessions": sessions,
            "piles": args.piles,
        },
    )


if __name__ == "__main__":
    main()

"""Geo search benchmark: SQLite R*Tree vs PostGIS KNN vs numpy brute force, plus HTTP.

Run by hand on a loaded database (see README "Benchmarks"):

    evroam generate --scenario national --db sqlite:///var/national.db
    evroam generate --scenario national --db postgresql://postgres@127.0.0.1/evroam_bench
    python benchmarks/geo_search.py --db sqlite:///var/national.db \
        --postgres postgresql://postgres@127.0.0.1/evroam_bench --http

Prints one table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from result_file import row, save_result
from sqlalchemy import text

from evroam.bootstrap import build_services
from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import NearQuery, StationFilter
from evroam.config import Settings
from evroam.scenario.cities import CITIES
from evroam.shared.geo import EARTH_RADIUS_M, GeoPoint, bbox_around, distance_m
from evroam.storage.database import DatabaseAccess

FILTERS = [
    StationFilter(),
    StationFilter(connectors=frozenset({ConnectorStandard.GBT_DC})),
    StationFilter(min_power_kw=60.0),
    StationFilter(is_available=True),
]


def query_points(n: int, seed: int = 11) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    points = []
    for _ in range(n):
        city = rng.choice(CITIES)
        points.append((city.lat + rng.gauss(0, 0.08), city.lon + rng.gauss(0, 0.08)))
    return points


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[int], Any], n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def service_runner(url: str, points, radius_km: float, k: int) -> Callable[[int], Any]:
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)

    def run(i: int) -> Any:
        lat, lon = points[i % len(points)]
        q = NearQuery(GeoPoint(lat, lon), radius_km * 1000, FILTERS[i % 4], k)
        return services.catalogue.find_stations_near(q)

    return run


def postgis_knn_runner(
    url: str, points, radius_km: float, k: int
) -> Callable[[int], Any]:
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)
    conn = services.engine.connect()
    sql = text(
        "SELECT id FROM stations WHERE ST_DWithin(geog, ST_MakePoint(:lon,:lat)::geography,"
        " :r, false) AND (:mask = 0 OR connector_mask & :mask <> 0) AND max_power_kw >= :p"
        " AND (:avail = false OR piles_free > 0)"
        " ORDER BY geog <-> ST_MakePoint(:lon,:lat)::geography LIMIT :k"
    )

    def run(i: int) -> Any:
        lat, lon = points[i % len(points)]
        f = FILTERS[i % 4]
        return conn.execute(
            sql,
            {
                "lat": lat,
                "lon": lon,
                "r": radius_km * 1000,
                "k": k,
                "mask": f.connector_mask,
                "p": f.min_power_kw or 0.0,
                "avail": bool(f.is_available),
            },
        ).all()

    return run


def sqlite_raw_runner(
    url: str, points, radius_km: float, k: int
) -> Callable[[int], Any]:
    """The same question as the raw PostGIS query: ids of the k nearest matches."""
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)
    conn = services.engine.raw_connection()
    sql = (
        "SELECT s.id, s.lat, s.lon FROM station_rtree r JOIN stations s ON s.sid = r.id"
        " WHERE r.min_lat >= ? AND r.max_lat <= ? AND r.min_lon >= ? AND r.max_lon <= ?"
        " AND (? = 0 OR s.connector_mask & ? <> 0) AND s.max_power_kw >= ?"
        " AND (? = 0 OR s.piles_free > 0)"
    )

    def run(i: int) -> Any:
        lat, lon = points[i % len(points)]
        f = FILTERS[i % 4]
        radius = 2000.0
        while True:
            box = bbox_around(lat, lon, radius)
            rows = conn.execute(
                sql,
                (
                    box.min_lat,
                    box.max_lat,
                    box.min_lon,
                    box.max_lon,
                    f.connector_mask,
                    f.connector_mask,
                    f.min_power_kw or 0.0,
                    int(bool(f.is_available)),
                ),
            ).fetchall()
            hits = sorted(
                (d, sid)
                for sid, la, lo in rows
                if (d := distance_m(lat, lon, la, lo)) <= radius
            )
            if len(hits) >= k or radius >= radius_km * 1000:
                return hits[:k]
            radius = min(radius * 3, radius_km * 1000)

    return run


def numpy_runner(url: str, points, radius_km: float, k: int) -> Callable[[int], Any]:
    services = build_services(Settings(database_url=url), access=DatabaseAccess.UPGRADE)
    with services.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT lat, lon, connector_mask, max_power_kw, piles_free FROM stations"
            )
        ).all()
    lat = np.radians(np.array([r[0] for r in rows]))
    lon = np.radians(np.array([r[1] for r in rows]))
    mask = np.array([r[2] for r in rows])
    power = np.array([r[3] for r in rows])
    free = np.array([r[4] for r in rows])
    cos_lat = np.cos(lat)

    def run(i: int) -> Any:
        qlat, qlon = (math.radians(v) for v in points[i % len(points)])
        f = FILTERS[i % 4]
        h = (
            np.sin((lat - qlat) / 2) ** 2
            + math.cos(qlat) * cos_lat * np.sin((lon - qlon) / 2) ** 2
        )
        d = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        ok = d <= radius_km * 1000
        if f.connector_mask:
            ok &= (mask & f.connector_mask) != 0
        if f.min_power_kw:
            ok &= power >= f.min_power_kw
        if f.is_available:
            ok &= free > 0
        idx = np.flatnonzero(ok)
        return idx[np.argsort(d[idx])[:k]]

    return run


def wrk_load(url: str, points, seconds: int, connections: int) -> tuple[float, str]:
    """Load from a second process with wrk (Debian package ``wrk``): rotating
    query points, 2 threads; returns (req/s, wrk's latency lines)."""
    import shutil
    import tempfile

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    paths = [
        f"/api/v1/stations?lat={lat:.5f}&lon={lon:.5f}&radius_km=5&limit=20"
        for lat, lon in points[:1000]
    ]
    script = (
        "paths = {"
        + ",".join(f'"{p}"' for p in paths)
        + "}\n"
        + (
            "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(
        next(line for line in out.splitlines() if "Requests/sec" in line).split()[1]
    )
    latency = "\n".join(
        line
        for line in out.splitlines()
        if line.strip().startswith(("50%", "90%", "99%"))
    )
    return rps, latency


def start_server(db: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "evroam",
            "serve",
            "--db",
            db,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
    )
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:///var/national.db")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--radius-km", type=float, default=5.0)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    points = query_points(args.n)
    rows: list[tuple[str, list[float]]] = []
    runners = [
        (
            "sqlite R*Tree (service)",
            service_runner(args.db, points, args.radius_km, args.k),
        ),
        ("numpy brute force", numpy_runner(args.db, points, args.radius_km, args.k)),
    ]
    if args.postgres:
        runners += [
            (
                "PostGIS <-> KNN (raw SQL)",
                postgis_knn_runner(args.postgres, points, args.radius_km, args.k),
            ),
            (
                "PostGIS (service)",
                service_runner(args.postgres, points, args.radius_km, args.k),
            ),
        ]
    for name, run in runners:
        timed(run, 100)  # warm caches
        rows.append((name, timed(run, args.n)))
    print(
        f"\nradius {args.radius_km} km, k={args.k}, {args.n} queries, filters rotate "
        "(none / gbt_dc / >=60 kW / available)\n"
    )
    print(f"| {'path':28} | p50 ms | p99 ms | mean ms |")
    print(f"| {'-' * 28} | -----: | -----: | ------: |")
    for name, samples in rows:
        print(
            f"| {name:28} | {percentile(samples, 50):6.2f} | {percentile(samples, 99):6.2f} "
            f"| {statistics.fmean(samples):7.2f} |"
        )
    base = statistics.median(rows[0][1])
    for name, samples in rows[1:]:
        print(f"ratio {name} / sqlite p50: {statistics.median(samples) / base:.2f}")
    figures: dict[str, object] = {
        name: {"p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99)}
        for name, v in rows
    }
    rps = None
    if args.http:
        proc = start_server(args.db, 8765, 2)
        try:
            wrk_load("http://127.0.0.1:8765", points, 3, 8)  # warm-up
            rps, latency = wrk_load(
                "http://127.0.0.1:8765", points, 20, args.connections
            )
        finally:
            proc.terminate()
            proc.wait()
        print(
            f"\nHTTP GET /api/v1/stations (radius 5 km, k=20), 2 uvicorn workers, wrk from "
            f"a second process, {args.connections} connections: {rps:.0f} req/s"
        )
        print(latency)
        figures["http"] = {"req_per_s": rps, "connections": args.connections}
    save_result("geo_search", readme_rows(figures, rps, args.connections), figures)


def readme_rows(
    figures: dict[str, Any], rps: float | None, connections: int
) -> list[dict[str, str]]:
    """The README's geo rows for what this run measured."""
    sqlite = figures["sqlite R*Tree (service)"]
    numpy = figures["numpy brute force"]
    out = [
        row(
            "near search with filters, national scenario (305 k stations, 1.6 M piles),"
            " in-process SQLite R*Tree (p50 ≤ 5 ms, p99 ≤ 20 ms)",
            f"p50 {sqlite['p50_ms']:.2f} ms, p99 {sqlite['p99_ms']:.2f} ms",
            "`geo_search.py`",
        )
    ]
    postgis = figures.get("PostGIS (service)")
    ratio = numpy["p50_ms"] / sqlite["p50_ms"]
    if postgis:
        raw = figures["PostGIS <-> KNN (raw SQL)"]
        out.append(
            row(
                "same query, PostGIS (service path) / numpy brute force",
                f"p50 {postgis['p50_ms']:.2f} ms"
                f" ({postgis['p50_ms'] / sqlite['p50_ms']:.2f}× SQLite) /"  # noqa: RUF001
                f" {numpy['p50_ms']:.2f} ms ({ratio:.2f}×)",  # noqa: RUF001
                "`geo_search.py`",
            )
        )
        out.append(
            row(
                "PostGIS raw `ORDER BY geog <-> point LIMIT k` (ids only)",
                f"p50 {raw['p50_ms']:.2f} ms; the matching SQLite raw query is in"
                " the script",
                "`geo_search.py --postgres`",
            )
        )
    if rps is not None:
        out.append(
            row(
                "HTTP `GET /api/v1/stations`, 2 uvicorn workers, wrk from a second"
                " process (p50 ≤ 15 ms, ≥ 500 req/s)",
                f"{rps:.0f} req/s ({connections} connections)",
                "`geo_search.py --http`",
            )
        )
    return out


if __name__ == "__main__":
    main()

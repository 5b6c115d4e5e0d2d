"""Recommendation latency over the national scenario: p50/p99 of 1,000 requests.

    python benchmarks/recommend.py sqlite:///benchmarks/var/national.db

Runs the service the app runs (``build_services``: availability at arrival and
pile reliability on; a fresh national database has no status history, so the
availability model answers from its cold-start rule). Prints wall and CPU
percentiles: the machine is shared, and CPU time shows the work without the
waits.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from result_file import row, save_result

from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.recommend.request import RecommendRequest
from evroam.recommend.scoring import Objective
from evroam.recommend.vehicles import all_vehicles
from evroam.scenario.cities import CITIES
from evroam.shared.geo import GeoPoint

DB = "sqlite:///var/national.db"
REQUESTS = 1_000


def main() -> None:
    services = build_services(
        Settings(database_url=sys.argv[1] if len(sys.argv) > 1 else DB)
    )
    engine = services.recommend
    rng = random.Random(7)
    vehicles = all_vehicles()
    requests = []
    for _ in range(REQUESTS):
        city = rng.choice(CITIES)
        requests.append(
            RecommendRequest(
                vehicle=rng.choice(vehicles),
                soc_percent=rng.uniform(12, 60),
                position=GeoPoint(
                    city.lat + rng.uniform(-0.1, 0.1), city.lon + rng.uniform(-0.1, 0.1)
                ),
                objective=rng.choice(list(Objective)),
            )
        )
    for request in requests[:20]:  # warm caches (tariffs, SQLite pages)
        engine.recommend(request)
    times, cpu, empty, few = [], [], 0, 0
    for request in requests:
        start, began = time.perf_counter(), time.process_time()
        answer = engine.recommend(request)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - began) * 1000)
        empty += not answer.options
        few += len({o.station_id for o in answer.options}) < 3
    times.sort()
    cpu.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    cpu50, cpu99 = statistics.median(cpu), cpu[int(len(cpu) * 0.99) - 1]
    load = os.getloadavg()[0]
    print("| requests | p50 ms | p99 ms | max ms | CPU p50/p99 ms | no option | < 3 |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {REQUESTS:,} | {p50:.1f} | {p99:.1f} | {times[-1]:.1f} |"
        f" {cpu50:.1f} / {cpu99:.1f} | {empty} | {few} |"
    )
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
    services.close()
    save_result(
        "recommend",
        [
            row(
                "recommendation, national scenario, availability and reliability on"
                " (p50 ≤ 20 ms, p99 ≤ 60 ms)",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (CPU {cpu50:.1f} / {cpu99:.1f}"
                f" ms; load {load:.0f} on {os.cpu_count()} cores, shared); {few} of"
                f" {REQUESTS:,} answers under 3 stations",
                "`recommend.py`",
            )
        ],
        {
            "requests": REQUESTS,
            "p50_ms": p50,
            "p99_ms": p99,
            "max_ms": times[-1],
            "cpu_p50_ms": cpu50,
            "cpu_p99_ms": cpu99,
            "load_average": load,
            "no_option": empty,
            "under_three_stations": few,
        },
    )


if __name__ == "__main__":
    main()

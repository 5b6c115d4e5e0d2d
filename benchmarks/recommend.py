"""Recommendation latency over the national scenario: p50/p99 of 1,000 requests."""

from __future__ import annotations

import random
import statistics
import sys
import time

from result_file import row, save_result

from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.recommend.request import RecommendRequest
from evroam.recommend.road import GreatCircleRoads
from evroam.recommend.scoring import Objective
from evroam.recommend.service import RecommendService
from evroam.recommend.vehicles import all_vehicles
from evroam.scenario.cities import CITIES
from evroam.shared.geo import GeoPoint

DB = "sqlite:///var/national.db"
REQUESTS = 1_000


def main() -> None:
    services = build_services(
        Settings(database_url=sys.argv[1] if len(sys.argv) > 1 else DB)
    )
    engine = RecommendService(services.catalogue, GreatCircleRoads(), services.clock)
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
    times, empty, few = [], 0, 0
    for request in requests:
        start = time.perf_counter()
        answer = engine.recommend(request)
        times.append((time.perf_counter() - start) * 1000)
        empty += not answer.options
        few += len({o.station_id for o in answer.options}) < 3
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print("| requests | p50 ms | p99 ms | max ms | no option | < 3 stations |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {REQUESTS:,} | {p50:.1f} | {p99:.1f} | {times[-1]:.1f} | {empty} | {few} |"
    )
    services.close()
    save_result(
        "recommend",
        [
            row(
                "recommendation, national scenario (p50 ≤ 20 ms, p99 ≤ 60 ms)",
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; {few} of {REQUESTS:,}"
                " answers under 3 stations",
                "`recommend.py`",
            )
        ],
        {
            "requests": REQUESTS,
            "p50_ms": p50,
            "p99_ms": p99,
            "max_ms": times[-1],
            "no_option": empty,
            "under_three_stations": few,
        },
    )


if __name__ == "__main__":
    main()

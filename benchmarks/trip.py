"""Trip benchmark: Beijing -> Shanghai over the national scenario, and optimality.

    python benchmarks/trip.py [--db sqlite:///var/national.db] [--runs 20]

Prints markdown tables: planning time (median and p90 of ``--runs`` plans per
car and objective) with the plan's total time, cost and stops; the gap between
the 5 % grid and a 1 % grid on the same trip; and the gap between the search
and brute force over every stop sequence on random small instances (must be 0).
Target: median <= 200 ms. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

import numpy as np
from result_file import row, save_result

from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.recommend.trip import TripObjective, TripPlanner, TripRequest
from evroam.recommend.trip_search import (
    NoFeasibleTripError,
    StopOption,
    TripInstance,
    solve,
    solve_exhaustively,
)
from evroam.recommend.vehicles import get_vehicle
from evroam.shared.geo import GeoPoint

BEIJING = GeoPoint(39.9042, 116.4074)
SHANGHAI = GeoPoint(31.2304, 121.4737)
CARS = (
    "xiaomi-su7",
    "nio-et5",
    "byd-seal",
)  # the Dolphin cannot make it (a 216 km gap)


def _timed(planner: TripPlanner, request: TripRequest, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        planner.plan(request)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def national(db: str, runs: int) -> dict[str, list[float]]:
    services = build_services(Settings(database_url=db))
    coarse = TripPlanner(services.catalogue, services.clock)
    fine = TripPlanner(services.catalogue, services.clock, soc_step=1.0)
    print("| car | prefer | median ms | p90 ms | total h | cost ¥ | km | stops |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    gaps = []
    medians = []
    for car in CARS:
        for objective in TripObjective:
            request = TripRequest(car, 80.0, BEIJING, SHANGHAI, objective=objective)
            times = sorted(_timed(coarse, request, runs))
            plan = coarse.plan(request)
            p90 = times[int(0.9 * (len(times) - 1))]
            medians.append(statistics.median(times))
            print(
                f"| {car} | {objective} | {statistics.median(times):.0f} | {p90:.0f}"
                f" | {plan.total_minutes / 60:.2f} | {plan.total_cost.amount}"
                f" | {plan.total_km:.0f} | {len(plan.stops)} |"
            )
            if objective is TripObjective.TIME:
                finer = fine.plan(request)
                gaps.append((car, plan.total_minutes, finer.total_minutes))
    services.close()
    print("\n| car | 5 % grid min | 1 % grid min | gap |")
    print("| --- | ---: | ---: | ---: |")
    for car, five, one in gaps:
        print(f"| {car} | {five:.1f} | {one:.1f} | {(five - one) / one:.2%} |")
    return {"median_ms": medians, "grid_gap": [(f - o) / o for _, f, o in gaps]}


def _random_instance(rng: random.Random) -> TripInstance:
    count = rng.randint(0, 6)
    trip_km = rng.uniform(100.0, 900.0)
    where = np.array(
        [0.0, *sorted(rng.uniform(0, trip_km) for _ in range(count)), trip_km]
    )
    km = np.abs(where[None, :] - where[:, None]) * 1.2
    km[np.tril_indices(where.size)] = np.inf
    stops = tuple(
        StopOption(
            rng.choice([50.0, 60.0, 120.0, 180.0]),
            rng.choice([0.0, 0.0, 10.0]),
            rng.uniform(0.5, 2.5),
            is_swap=rng.random() < 0.2,
            swap_fee=10.0,
            overhead_minutes=5.0,
        )
        for _ in range(count)
    )
    return TripInstance(
        get_vehicle(rng.choice(CARS)),
        stops,
        km,
        km / 90.0 * 60.0,
        rng.uniform(20.0, 100.0),
        10.0,
        90.0,
        rng.choice([10.0, 20.0]),
        rng.choice(list(TripObjective)),
    )


def small_instances(count: int) -> float:
    rng = random.Random(9)
    worst, solved, infeasible = 0.0, 0, 0
    for _ in range(count):
        instance = _random_instance(rng)
        try:
            found = solve(instance).objective_value
        except NoFeasibleTripError:
            found = None
        try:
            best = solve_exhaustively(instance).objective_value
        except NoFeasibleTripError:
            best = None
        if found is None or best is None:
            infeasible += 1
            worst = worst if (found is None) == (best is None) else float("inf")
            continue
        solved += 1
        worst = max(worst, (found - best) / best if best else abs(found))
    print("\n| instances | feasible | infeasible (both agree) | worst gap |")
    print("| ---: | ---: | ---: | ---: |")
    print(f"| {count} | {solved} | {infeasible} | {worst:.4%} |")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sqlite:///var/national.db")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--small", type=int, default=300)
    args = parser.parse_args()
    found = national(args.db, args.runs)
    worst = small_instances(args.small)
    low, high = min(found["median_ms"]), max(found["median_ms"])
    measured = (
        f"{low:.0f}–{high:.0f} ms median; {worst:.0%} gap vs brute force on"  # noqa: RUF001
        f" {args.small} small instances, ≤ {max(found['grid_gap']):.1%} grid bound"
        f" (load {os.getloadavg()[0]:.0f} on {os.cpu_count()} cores, shared)"
    )
    what = (
        "trip Beijing → Shanghai, national scenario (≤ 200 ms; within 2 % of the"
        " exact optimum)"
    )
    save_result(
        "trip",
        [row(what, measured, "`trip.py`")],
        {**found, "small_instances": args.small, "worst_gap": worst},
    )


if __name__ == "__main__":
    main()

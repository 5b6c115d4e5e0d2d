"""Trip success: feasible (car, route) pairs planned / all feasible pairs.

    python benchmarks/trip_success.py --scenario reference --db sqlite:///var/ref.db
    python benchmarks/trip_success.py --scenario national --db sqlite:///var/national.db

The database must hold the scenario (``evroam generate --scenario … --seed 7``).
50 city pairs of the scenario's cities (seeded, 150-1,400 km apart) x every
catalogue car (at most ``--classes`` equivalence classes: cars with the same
plugs, swap networks, extended range and range window to 25 km share a class,
one car per class plans), leaving at 80 %, floor 10 %, target 90 %.

The oracle is not the planner: it reads the stations straight from the
scenario generator, keeps those the car can use (an online pile with a plug it
takes, or a swap station of its swap networks) within 50 km of the straight
line, and runs a breadth-first search over hops no longer by road than the car
drives on its window (start - floor from the start, 90 - 10 from a charger,
100 - 10 from a swap station). For speed it first searches 5 km cells with
each hop widened and then narrowed by a cell's diagonal, and searches station
by station only when those two disagree, so the answer is exact. An
extended-range car is feasible by definition (ADR 0031).

Prints the success share per scenario, planning time p50/p99 (all pairs, and
the 1,000-1,400 km ones) and the pairs the planner missed. Nothing here is a
test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from result_file import row, save_result

from evroam.bootstrap import build_services
from evroam.catalogue.model import ConnectorStandard, Station, StatusCategory
from evroam.config import Settings
from evroam.recommend.trip import NoFeasibleTripError, TripRequest
from evroam.recommend.vehicle import VehicleModel
from evroam.recommend.vehicles import all_vehicles
from evroam.scenario import national_scenario, reference_scenario
from evroam.scenario.cities import CITIES
from evroam.shared.geo import GeoPoint

START, FLOOR, TARGET = 80.0, 10.0, 90.0
BAND_KM = 50.0
CELL_DEG = 0.045  # about 5 km of latitude
EARTH_KM = 6371.0088


@dataclass(frozen=True)
class Site:
    lat: float
    lon: float
    plugs: frozenset[ConnectorStandard]
    operator: str
    is_swap: bool


def sites(stations: Sequence[Station]) -> list[Site]:
    """Stations with a pile online now (what the oracle may use)."""
    out = []
    for s in stations:
        online = [
            p
            for p in s.piles
            if p.status.category in (StatusCategory.FREE, StatusCategory.BUSY)
        ]
        if not online:
            continue
        plugs = frozenset(c.standard for p in online for c in p.connectors)
        out.append(Site(s.lat, s.lon, plugs, s.operator_id, s.swap is not None))
    return out


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def road_km(straight):
    """The hub's embedded road model (great circle x 1.3 to 50 km, x 1.2 on)."""
    return np.where(straight <= 50.0, straight * 1.3, 65.0 + (straight - 50.0) * 1.2)


def to_route_km(a: GeoPoint, b: GeoPoint, lat, lon):
    total = float(haversine_km(a.lat, a.lon, b.lat, b.lon))
    from_a = haversine_km(a.lat, a.lon, lat, lon)
    to_b = haversine_km(lat, lon, b.lat, b.lon)
    along = (from_a**2 - to_b**2 + total**2) / (2 * total)
    side = np.sqrt(np.clip(from_a**2 - along**2, 0, None))
    return np.where(along <= 0, from_a, np.where(along >= total, to_b, side))


def car_range_km(car: VehicleModel, soc: float) -> float:
    return car.usable_battery_kwh * soc / 100.0 / car.consumption_kwh_per_100km * 100


def oracle(car: VehicleModel, lat, lon, is_swap, a: GeoPoint, b: GeoPoint) -> bool:
    """Breadth-first search over the usable stations near the route, exact.

    Stations are first merged into 5 km cells and searched twice: with each
    hop's range widened by a cell's diagonal (if that finds no way, there is
    none) and narrowed by it (if that finds one, there is one); only when the
    two disagree is every station searched one by one."""
    if car.is_extended_range:
        return True
    near = to_route_km(a, b, lat, lon) <= BAND_KM
    lat, lon, is_swap = lat[near], lon[near], is_swap[near]
    if not _cells(car, lat, lon, is_swap, a, b, +1):
        return False
    if _cells(car, lat, lon, is_swap, a, b, -1):
        return True
    hop = [car_range_km(car, (100.0 if s else TARGET) - FLOOR) for s in is_swap]
    return _search([a.lat, *lat, b.lat], [a.lon, *lon, b.lon], car, hop)


def _cells(car, lat, lon, is_swap, a, b, sign: int) -> bool:
    cells: dict[tuple[int, int, bool], tuple[float, float]] = {}
    for y, x, s in zip(lat, lon, is_swap, strict=True):
        key = (math.floor(y / CELL_DEG), math.floor(x / CELL_DEG), bool(s))
        cells.setdefault(key, ((key[0] + 0.5) * CELL_DEG, (key[1] + 0.5) * CELL_DEG))
    slack = sign * CELL_DEG * 111.2 * math.sqrt(2)  # a cell's diagonal, km
    hop = [
        car_range_km(car, (100.0 if k[2] else TARGET) - FLOOR) + slack for k in cells
    ]
    ys = [a.lat, *(c[0] for c in cells.values()), b.lat]
    xs = [a.lon, *(c[1] for c in cells.values()), b.lon]
    return _search(ys, xs, car, hop, start_slack=slack)


def _search(ys, xs, car: VehicleModel, hop, start_slack: float = 0.0) -> bool:
    """Breadth-first from node 0 to the last node; ``hop`` per middle node."""
    ys, xs = np.array(ys), np.array(xs)
    reach = [car_range_km(car, START - FLOOR) + start_slack, *hop, 0.0]
    reached = np.zeros(len(ys), dtype=bool)
    reached[0] = True
    frontier = [0]
    while frontier and not reached[-1]:
        fresh: list[int] = []
        for i in frontier:
            todo = np.nonzero(~reached)[0]
            if todo.size == 0:
                break
            ok = road_km(haversine_km(ys[i], xs[i], ys[todo], xs[todo])) <= reach[i]
            reached[todo[ok]] = True
            fresh += [int(j) for j in todo[ok]]
        frontier = fresh
    return bool(reached[-1])


def city_pairs(count: int, seed: int = 13) -> list[tuple[str, GeoPoint, str, GeoPoint]]:
    rng = random.Random(seed)
    pairs: list[tuple[str, GeoPoint, str, GeoPoint]] = []
    seen: set[tuple[str, str]] = set()
    while len(pairs) < count:
        a, b = rng.sample(CITIES, 2)
        km = float(haversine_km(a.lat, a.lon, b.lat, b.lon))
        if 150 <= km <= 1400 and (a.key, b.key) not in seen:
            seen.add((a.key, b.key))
            pairs.append(
                (a.name, GeoPoint(a.lat, a.lon), b.name, GeoPoint(b.lat, b.lon))
            )
    return pairs


def car_classes(cars: Sequence[VehicleModel], limit: int) -> list[VehicleModel]:
    """One car per class of (plugs, swap networks, EREV, window range to 25 km)."""
    if len(cars) <= limit:
        return list(cars)
    width = 25.0
    while True:
        classes: dict[tuple[object, ...], VehicleModel] = {}
        for car in cars:
            key = (
                car.connectors,
                car.swap_operator_ids,
                car.is_extended_range,
                round(car_range_km(car, TARGET - FLOOR) / width),
            )
            classes.setdefault(key, car)
        if len(classes) <= limit:
            return list(classes.values())
        width *= 1.5


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def run(scenario_name: str, db: str, pair_count: int, limit: int) -> dict[str, object]:
    scenario = (
        reference_scenario(7) if scenario_name == "reference" else national_scenario(7)
    )
    print(f"reading {scenario_name} stations from the generator …", flush=True)
    every = sites(list(scenario.iter_stations()))
    lat = np.array([s.lat for s in every])
    lon = np.array([s.lon for s in every])
    services = build_services(Settings(database_url=db))
    cars = car_classes(all_vehicles(), limit)
    pairs = city_pairs(pair_count)
    feasible = planned = extra = 0
    times: list[float] = []
    long_times: list[float] = []
    long_cpu: list[float] = []
    missed: list[str] = []
    by_car: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for car in cars:
        plugs = car.connectors - {ConnectorStandard.SWAP}
        usable = np.array(
            [
                (s.operator in car.swap_operator_ids)
                if s.is_swap
                else bool(s.plugs & plugs)
                for s in every
            ]
        )
        swap = np.array([s.is_swap for s in every])[usable]
        for a_name, a, b_name, b in pairs:
            can = oracle(car, lat[usable], lon[usable], swap, a, b)
            request = TripRequest(car.id, START, a, b, FLOOR, TARGET)
            began, cpu_began = time.perf_counter(), time.process_time()
            try:
                services.trips.plan(request)
                ok = True
            except NoFeasibleTripError as exc:
                ok, why = False, str(exc)
            spent = (time.perf_counter() - began) * 1000.0
            times.append(spent)
            if float(haversine_km(a.lat, a.lon, b.lat, b.lon)) * 1.2 >= 1000:
                long_times.append(spent)
                long_cpu.append((time.process_time() - cpu_began) * 1000.0)
            if can:
                feasible += 1
                planned += ok
                by_car[car.id][0] += 1
                by_car[car.id][1] += ok
                if not ok:
                    missed.append(f"{car.id} {a_name} → {b_name}: {why}")
            elif ok:
                extra += 1
        print(f"  {car.id}: {by_car[car.id][1]}/{by_car[car.id][0]}", flush=True)
    services.close()
    share = planned / feasible if feasible else 1.0
    print("\n| scenario | cars (classes) | pairs | feasible | planned | share |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {scenario_name} | {len(cars)} | {len(pairs) * len(cars)} | {feasible}"
        f" | {planned} | {share:.1%} |"
    )
    print(
        f"planning ms: p50 {statistics.median(times):.0f}, p99 "
        f"{percentile(times, 0.99):.0f}; routes >= 1,000 km: p50 "
        f"{statistics.median(long_times or [0]):.0f}, p99 "
        f"{percentile(long_times or [0], 0.99):.0f} (CPU p50 "
        f"{statistics.median(long_cpu or [0]):.0f}); planned though the oracle "
        f"said no: {extra}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    for line in missed[:20]:
        print("missed:", line)
    return {
        "cars": len(cars),
        "pairs": len(pairs),
        "feasible": feasible,
        "planned": planned,
        "share": share,
        "p50_ms": statistics.median(times),
        "p99_ms": percentile(times, 0.99),
        "long_p50_ms": statistics.median(long_times or [0]),
        "long_p99_ms": percentile(long_times or [0], 0.99),
        "long_cpu_p50_ms": statistics.median(long_cpu or [0]),
        "load_average": os.getloadavg()[0],
        "planned_beyond_oracle": extra,
        "missed": missed,
    }


def _cpu_and_load(f: dict[str, object]) -> str:
    """CPU p50 of the long routes and the load: the machine is shared."""
    if "long_cpu_p50_ms" not in f:
        return ""
    return (
        f"; CPU p50 {f['long_cpu_p50_ms']:.0f} ms, load {f['load_average']:.0f}"
        f" on {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", choices=("reference", "national"), nargs="+",
                        default=["reference", "national"])  # fmt: skip
    parser.add_argument("--db", nargs="+", default=["sqlite:///var/ref.db",
                        "sqlite:///var/national.db"])  # fmt: skip
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--classes", type=int, default=40)
    args = parser.parse_args()
    found = {
        name: run(name, db, args.pairs, args.classes)
        for name, db in zip(args.scenario, args.db, strict=True)
    }
    earlier = Path(__file__).parent / "results" / "trip_success.json"
    if earlier.exists():  # keep the other scenario's figures from its last run
        kept = json.loads(earlier.read_text()).get("figures", {})
        found = {
            name: figures
            for name, figures in {**kept, **found}.items()
            if name in ("reference", "national")
        }
    rows = [
        row(
            f"trip success, {name} scenario: feasible (car, city pair) plans found"
            f" / feasible pairs ({f['pairs']} pairs x {f['cars']} car classes;"
            " 100 %), planning p50/p99 (≤ 200 ms p50 for ≥ 1,000 km)",
            f"{f['planned']}/{f['feasible']} = {f['share']:.1%}; p50 {f['p50_ms']:.0f} ms,"
            f" p99 {f['p99_ms']:.0f} ms (≥ 1,000 km: {f['long_p50_ms']:.0f} /"
            f" {f['long_p99_ms']:.0f} ms{_cpu_and_load(f)})",
            "`trip_success.py`",
        )
        for name, f in found.items()
    ]
    save_result("trip_success", rows, found)


if __name__ == "__main__":
    main()

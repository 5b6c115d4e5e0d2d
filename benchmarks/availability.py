"""Availability at arrival: Brier scores on a held-back week of simulated history.

ADR 0039's model (live state fading into the learned station x hour-of-week
share, shrunk toward the operator's mean) against two naive baselines, per
network of the reference scenario:

- *same as now*: the chance is 1 if a pile is free now, else 0;
- *hour-of-week mean*: the station's own share of that hour of the week over
  the training weeks (the network's mean where the station has none).

The history comes from the demo backfill's queueing process
(``simulated_usage.occupancy``, ADR 0025), which the model shares nothing with:
``--weeks`` weeks are simulated, the last one is held back. The table is learned
by the shipped code (``storage.availability_learner``: the same DuckDB sweep
and shrinkage as the hub's job) from the earlier weeks' rows. Forecasts are made
every 20 minutes of the held-back week for every sampled station, for arrivals
``--leads`` minutes ahead; the outcome is whether the station had a free pile
then (minute resolution). ``--tune`` also prints the score for other fade
times (how FADE_MINUTES_DC/AC were chosen).

    python benchmarks/availability.py [--stations 400 --weeks 3 --seed 7 --tune]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from result_file import row, save_result

from evroam.analytics.network import Window
from evroam.catalogue.model import Station
from evroam.recommend.availability import (
    FADE_MINUTES_AC,
    FADE_MINUTES_DC,
    HOURS_OF_WEEK,
    brier_score,
    free_chance,
    hour_of_week,
)
from evroam.scenario.generator import reference_scenario
from evroam.shared.ids import OperatorId, StationId
from evroam.simulated_usage.occupancy import (
    DC_MIN_KW,
    Occupancy,
    PileSpec,
    kind_of,
    simulate,
)
from evroam.status.history import imported_changes
from evroam.storage.availability_learner import learn_cells, table_of
from evroam.storage.availability_table import ParquetAvailabilityHistory
from evroam.storage.history_archive import SCHEMA

LOCAL = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, tzinfo=LOCAL).astimezone(UTC)  # a Monday, 00:00
EVERY_MIN = 20
TUNE_FADES = (5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0)


def sample(seed: int, per_network: int) -> dict[str, list[Station]]:
    """``per_network`` charging stations of each partner network."""
    rng = random.Random(seed)
    by_operator: dict[str, list[Station]] = defaultdict(list)
    for station in reference_scenario(seed).iter_stations():
        if not station.is_swap and station.piles:
            by_operator[station.operator_id].append(station)
    return {
        op: sorted(rng.sample(found, min(per_network, len(found))), key=lambda s: s.id)
        for op, found in sorted(by_operator.items())
    }


def specs_of(stations: list[Station]) -> list[PileSpec]:
    return [
        PileSpec(p.id, s.id, s.city, kind_of(p.max_power_kw, False), p.max_power_kw)
        for s in stations
        for p in s.piles
    ]


def changes_table(occupancy: Occupancy, ends_at: datetime) -> pa.Table:
    rows = []
    for pile_id, timeline in occupancy.timelines().items():
        rows.extend(imported_changes(pile_id, timeline, ends_at, None))
    return pa.Table.from_arrays(
        [
            pa.array(range(1, len(rows) + 1), SCHEMA.field("id").type),
            pa.array([r.pile_id for r in rows], SCHEMA.field("pile_id").type),
            pa.array([r.changed_at for r in rows], SCHEMA.field("changed_at").type),
            pa.array(
                [None if r.status is None else r.status.value for r in rows],
                SCHEMA.field("status").type,
            ),
            pa.array(
                [None if r.previous is None else r.previous.value for r in rows],
                SCHEMA.field("previous").type,
            ),
        ],
        schema=SCHEMA,
    )


def learn(
    changes: pa.Table, stations: list[Station], until: datetime, path: Path
) -> tuple[ParquetAvailabilityHistory, dict[str, np.ndarray]]:
    """The shipped learner over the training weeks, and the raw station means."""
    dimension = pa.table(
        {
            "pile_id": [p.id for s in stations for p in s.piles],
            "station_id": [s.id for s in stations for p in s.piles],
            "offset_h": pa.array([8 for s in stations for p in s.piles], pa.int64()),
            "status": ["available" for s in stations for p in s.piles],
        }
    )
    operators = {s.id: s.operator_id for s in stations}
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("pile_dim", dimension)
    con.register("changes", changes)
    cells = learn_cells(con, Window(START, until), operators)
    con.close()
    pq.write_table(table_of(cells), path)
    with np.errstate(invalid="ignore", divide="ignore"):
        net = cells.free_h.sum(axis=0) / cells.seen_h.sum(axis=0)
        raw = {
            sid: np.where(cells.seen_h[i] > 0, cells.free_h[i] / cells.seen_h[i], net)
            for i, sid in enumerate(cells.station_ids)
        }
    return ParquetAvailabilityHistory(path), raw


def free_minutes(occupancy: Occupancy, station: Station, minutes: int) -> np.ndarray:
    """Whether the station had a free pile, minute by minute."""
    any_free = np.zeros(minutes, dtype=bool)
    for pile in station.piles:
        busy = np.zeros(minutes, dtype=bool)
        for seg in occupancy.segments.get(pile.id, []):
            busy[int(seg.start_s // 60) : int(np.ceil(seg.end_s / 60))] = True
        any_free |= ~busy
    return any_free


def how_of_minute(minute: int) -> int:
    return hour_of_week((START + timedelta(minutes=minute)).astimezone(LOCAL))


def evaluate(
    stations: list[Station],
    occupancy: Occupancy,
    table: ParquetAvailabilityHistory,
    raw: dict[str, np.ndarray],
    weeks: int,
    leads: list[int],
    fades: tuple[float, ...],
) -> dict[str, list[float]]:
    """Forecasts of every kind, and the outcomes (as 0/1), over the last week."""
    total = weeks * 7 * 1440
    first = (weeks - 1) * 7 * 1440
    hows = np.array([how_of_minute(m) for m in range(0, total, 60)])
    out: dict[str, list[float]] = defaultdict(list)
    for station in stations:
        mask = free_minutes(occupancy, station, total)
        is_dc = any(p.max_power_kw >= DC_MIN_KW for p in station.piles)
        fade = FADE_MINUTES_DC if is_dc else FADE_MINUTES_AC
        shares = [
            table.share(StationId(station.id), OperatorId(station.operator_id), h)
            for h in range(HOURS_OF_WEEK)
        ]
        mean = raw.get(station.id)
        for t in range(first, total, EVERY_MIN):
            for lead in leads:
                target = t + lead
                if target >= total:
                    continue
                how = int(hows[target // 60])
                now, hit = bool(mask[t]), bool(mask[target])
                share = shares[how]
                historic = 0.5 if share is None else share.free_share
                out["outcome"].append(float(hit))
                out["model"].append(free_chance(now, historic, lead, fade))
                out["same as now"].append(float(now))
                out["hour-of-week mean"].append(
                    historic if mean is None else float(mean[how])
                )
                for f in fades:
                    out[f"fade {f:g}"].append(free_chance(now, historic, lead, f))
    return out


def measured_text(results: dict[str, dict[str, float]]) -> str:
    scores = "; ".join(
        f"{op} {r['model']:.4f} vs {r['same as now']:.4f} / "
        f"{r['hour-of-week mean']:.4f}"
        for op, r in results.items()
    )
    free = [r["free share"] for r in results.values()]
    return (
        f"model vs same-as-now / hour-of-week mean: {scores} (a free pile "
        f"{round(min(free) * 100)}\u2013{round(max(free) * 100)} % of the time: small "
        "scores; beaten in every network)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stations", type=int, default=400, help="per network")
    parser.add_argument("--weeks", type=int, default=3, help="the last is held back")
    parser.add_argument("--leads", default="10,20,30,45,60,90")
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    leads = [int(x) for x in args.leads.split(",")]
    started = time.perf_counter()
    networks = sample(args.seed, args.stations)
    everything = [s for found in networks.values() for s in found]
    days = 7 * args.weeks
    occupancy = simulate(specs_of(everything), START, days, args.seed)
    end = START + timedelta(days=days)
    held_back = end - timedelta(days=7)
    changes = changes_table(occupancy, end)
    print(
        f"simulated {days} days of {len(everything):,} stations: {len(changes):,} "
        f"changes ({time.perf_counter() - started:.0f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        table, raw = learn(changes, everything, held_back, Path(tmp) / "a.parquet")
        results: dict[str, dict[str, float]] = {}
        fades = TUNE_FADES if args.tune else ()
        for op, stations in networks.items():
            scored = evaluate(stations, occupancy, table, raw, args.weeks, leads, fades)
            hits = [x == 1.0 for x in scored.pop("outcome")]
            results[op] = {k: brier_score(v, hits) for k, v in scored.items()}
            results[op]["forecasts"] = len(hits)
            results[op]["free share"] = sum(hits) / len(hits)
    kinds = ("model", "same as now", "hour-of-week mean")
    print(
        f"\n{'network':<12} {'forecasts':>9} {'free':>6} "
        + " ".join(f"{k:>18}" for k in kinds)
    )
    for op, r in results.items():
        print(
            f"{op:<12} {r['forecasts']:>9,.0f} {r['free share']:>6.2f} "
            + " ".join(f"{r[k]:>18.4f}" for k in kinds)
        )
        if args.tune:
            print("   " + ", ".join(f"{f:g} min {r[f'fade {f:g}']:.4f}" for f in fades))
    beats = all(
        r["model"] < min(r["same as now"], r["hour-of-week mean"])
        for r in results.values()
    )
    print(f"\nmodel beats both baselines in every network: {beats}")
    measured = measured_text(results)
    save_result(
        "availability",
        [
            row(
                f"free pile on arrival, Brier score on a held-back simulated week "
                f"({args.stations} stations per network, arrivals "
                f"{leads[0]}\u2013{leads[-1]} min ahead; lower is better)",
                measured,
                "`availability.py`",
            )
        ],
        {"results": results, "leads": leads, "beats_both": beats},
    )


if __name__ == "__main__":
    main()

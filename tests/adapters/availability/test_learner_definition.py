"""The learner's DuckDB sweep equals a plain walk through each station's rows
(ADR 0039's definition), on random histories with every edge of ADR 0024."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from evroam.analytics.network import Window
from evroam.catalogue.model import PileStatus
from evroam.status.history import StatusAt, imported_changes
from evroam.storage.availability_learner import learn_cells
from evroam.storage.history_archive import rows_table
from tests.builders import EPOCH

END = EPOCH + timedelta(days=9, minutes=7)
WINDOW = Window(END - timedelta(days=5), END)
OFFSET_H = 8


def random_rows(rng: random.Random, pile_id: str):
    steps, at = [], EPOCH + timedelta(hours=rng.uniform(0, 72))
    for _ in range(rng.randint(1, 60)):
        steps.append(StatusAt(at, rng.choice(list(PileStatus))))
        at += timedelta(minutes=rng.expovariate(1 / 150))
    ends = min(at + timedelta(minutes=rng.uniform(1, 300)), END + timedelta(hours=5))
    rows = imported_changes(pile_id, steps, ends, None)
    if rng.random() < 0.5:
        rows.pop()  # still known at the end
    return rows


def walk(rows_by_pile: dict[str, list]) -> dict[int, tuple[float, float]]:
    """Observed and free hours per local hour of week of one station."""
    inside = {
        pile: [r for r in rows if WINDOW.start_at <= r.changed_at < WINDOW.end_at]
        for pile, rows in rows_by_pile.items()
    }
    inside = {pile: rows for pile, rows in inside.items() if rows}
    state = {pile: rows[0].previous for pile, rows in inside.items()}
    events = sorted(
        (r.changed_at, r.status, pile) for pile, rows in inside.items() for r in rows
    )
    cells: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    at = WINDOW.start_at
    for when, status, pile in [*events, (WINDOW.end_at, None, None)]:
        known = any(
            s is not None and s is not PileStatus.UNKNOWN for s in state.values()
        )
        free = any(s is PileStatus.AVAILABLE for s in state.values())
        while at < when:
            hour_end = at.replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=1
            )
            upto = min(hour_end, when)
            local = at.astimezone(UTC) + timedelta(hours=OFFSET_H)
            how = local.weekday() * 24 + local.hour
            span = (upto - at).total_seconds() / 3600
            cells[how][0] += span * known
            cells[how][1] += span * free
            at = upto
        if pile is not None:
            state[pile] = status
    return {how: (seen, free) for how, (seen, free) in cells.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sweep_equals_the_walk(seed):
    rng = random.Random(seed)
    stations = {
        f"S{i}": [f"S{i}-P{j}" for j in range(rng.randint(1, 4))] for i in range(6)
    }
    rows = {
        pile: random_rows(rng, pile) for piles in stations.values() for pile in piles
    }
    everything = [r for pile_rows in rows.values() for r in pile_rows]
    table = rows_table(
        [
            (i + 1, r.pile_id, r.changed_at, r.status and r.status.value,
             r.previous and r.previous.value)
            for i, r in enumerate(everything)
        ]
    )  # fmt: skip
    piles = [(p, s) for s, ps in stations.items() for p in ps]
    dimension = pa.table(
        {
            "pile_id": [p for p, _ in piles],
            "station_id": [s for _, s in piles],
            "offset_h": pa.array([OFFSET_H] * len(piles), pa.int64()),
            "status": ["available"] * len(piles),
        }
    )
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("changes", table)
    con.register("pile_dim", dimension)
    cells = learn_cells(con, WINDOW, dict.fromkeys(stations, "op"))
    con.close()

    assert cells.free_h.sum() > 0  # not a vacuous comparison
    for i, station in enumerate(cells.station_ids):
        expected = walk({p: rows[p] for p in stations[station]})
        seen = np.zeros(168)
        free = np.zeros(168)
        for how, (s, f) in expected.items():
            seen[how], free[how] = s, f
        assert cells.seen_h[i] == pytest.approx(seen, abs=1e-6), station
        assert cells.free_h[i] == pytest.approx(free, abs=1e-6), station
    with_rows = {
        s
        for s, ps in stations.items()
        if any(
            WINDOW.start_at <= r.changed_at < WINDOW.end_at for p in ps for r in rows[p]
        )
    }
    assert set(cells.station_ids) == with_rows

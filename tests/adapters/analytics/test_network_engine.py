"""The DuckDB engine answers as the pure definitions do (analytics.network), on
random histories split between the Parquet archive and the database."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from evroam.analytics.network import (
    BusySpan,
    DemandPoint,
    Grouping,
    PileRef,
    SupplyPoint,
    Window,
    demand_hotspots,
    heatmap_from_hours,
    occupancy_heatmap,
    shared_hotspots,
    underserved_areas,
    utilisation,
)
from evroam.catalogue.model import ConnectorStandard, PileStatus
from evroam.shared.clock import Clock
from evroam.status.history import PileStatusChange, StatusAt, imported_changes, is_busy
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.engine import create_database_engine, create_schema
from evroam.storage.history_archive import ParquetStatusArchive
from evroam.storage.history_keeper import StatusHistoryKeeper
from evroam.storage.network_engine import DuckDbNetworkEngine
from evroam.storage.station_repository import SqlStationRepository
from evroam.storage.status_history import SqlStatusHistory
from tests.builders import EPOCH, a_station
from tests.fakes import FixedClock

NOW = EPOCH + timedelta(days=10, minutes=17)
WINDOW = Window(NOW - timedelta(days=7), NOW)
STATUSES = list(PileStatus)


def stations(rng: random.Random) -> list:
    made = []
    for i in range(8):
        dc = rng.random() < 0.6
        made.append(
            a_station(
                f"S{i:04d}",
                operator_id=rng.choice(["rapidgrid", "swapway"]),
                lat=31.2 + rng.uniform(-0.12, 0.12),
                lon=121.45 + rng.uniform(-0.12, 0.12),
                statuses=tuple(rng.choice(STATUSES) for _ in range(rng.randint(1, 3))),
                standard=ConnectorStandard.GBT_DC if dc else ConnectorStandard.GBT_AC,
                power_kw=rng.choice([60.0, 120.0]) if dc else 7.0,
                city=rng.choice(["Shanghai", "Suzhou"]),
            )
        )
    return made


def history_of(rng: random.Random, pile_id) -> list[PileStatusChange]:
    """One or two stretches of knowledge, each opened and (but the last) closed."""
    rows: list[PileStatusChange] = []
    start = EPOCH + timedelta(hours=rng.uniform(0, 72))
    for _ in range(rng.randint(1, 2)):
        steps, at = [], start
        for _ in range(rng.randint(1, 40)):
            steps.append(StatusAt(at, rng.choice(STATUSES)))
            at += timedelta(minutes=rng.expovariate(1 / 180))
        end = at + timedelta(minutes=rng.uniform(1, 600))
        rows.extend(imported_changes(pile_id, steps, min(end, NOW), None))
        start = end + timedelta(hours=rng.uniform(0, 24))
        if start >= NOW:
            break
    if rows and rng.random() < 0.5:  # the last stretch is still open
        rows.pop()
    return [r for r in rows if r.changed_at < NOW]


def spans(rows, status_now, window) -> tuple[list[BusySpan], list[BusySpan]]:
    """Busy and observed spans of one pile, walking its rows: the definition."""
    inside = [r for r in rows if window.start_at <= r.changed_at < window.end_at]
    if not inside:
        whole = [BusySpan("p", window.start_at, window.end_at)]
        return (whole if is_busy(status_now) else []), whole
    busy, seen = [], []
    state = (inside[0].previous is not None, is_busy(inside[0].previous))
    at = window.start_at
    for row in [*inside, None]:
        until = window.end_at if row is None else row.changed_at
        if state[0] and until > at:
            seen.append(BusySpan("p", at, until))
        if state[1] and until > at:
            busy.append(BusySpan("p", at, until))
        if row is not None:
            state, at = (row.status is not None, is_busy(row.status)), row.changed_at
    return busy, seen


class World:
    def __init__(self, tmp_path: Path, seed: int) -> None:
        rng = random.Random(seed)
        self.engine = create_database_engine(f"sqlite:///{tmp_path / 'a.db'}")
        create_schema(self.engine)
        self.stations = stations(rng)
        SqlStationRepository(self.engine).save_stations(self.stations)
        self.history = SqlStatusHistory(self.engine)
        self.rows = {
            p.id: history_of(rng, p.id) for s in self.stations for p in s.piles
        }
        everything = [r for rows in self.rows.values() for r in rows]
        rng.shuffle(everything)
        half = len(everything) // 2
        self.archive = ParquetStatusArchive(tmp_path / "archive")
        self.history.append(everything[:half])
        clock: Clock = FixedClock(NOW)
        StatusHistoryKeeper(self.history, self.archive, clock).keep()
        self.history.append(everything[half:])  # left in the database
        self.demand = self._sessions(rng)
        self.reports = DuckDbNetworkEngine(self.engine, self.history, self.archive)

    def _sessions(self, rng: random.Random) -> list[DemandPoint]:
        points, rows = [], []
        for i in range(60):
            station = rng.choice(self.stations)
            started = NOW - timedelta(days=rng.uniform(0, 9))
            driver, kwh = f"acc{rng.randint(0, 14)}", round(rng.uniform(2, 60), 1)
            rows.append(
                {
                    "id": f"cs{i}",
                    "account_id": driver,
                    "idempotency_key": f"k{i}",
                    "fingerprint": "f",
                    "operator_id": station.operator_id,
                    "station_id": station.id,
                    "pile_id": station.piles[0].id,
                    "status": "billed",
                    "hold_id": f"h{i}",
                    "hold_fen": 5000,
                    "created_at": started,
                    "started_at": started,
                    "ended_at": started + timedelta(hours=1),
                    "kwh": str(kwh),
                }
            )
            if WINDOW.start_at <= started < WINDOW.end_at:
                points.append(DemandPoint(station.lat, station.lon, kwh, driver))
        with self.engine.begin() as conn:
            conn.execute(insert(charging_sessions), rows)
        return points

    def oracle(self) -> tuple[list[PileRef], list[BusySpan], list[BusySpan]]:
        refs, busy, seen = [], [], []
        for station in self.stations:
            for pile in station.piles:
                refs.append(
                    PileRef(pile.id, station.id, station.operator_id, station.city)
                )
                b, s = spans(self.rows[pile.id], pile.status, WINDOW)
                busy += [BusySpan(pile.id, x.start_at, x.end_at) for x in b]
                seen += [BusySpan(pile.id, x.start_at, x.end_at) for x in s]
        return refs, busy, seen


@pytest.fixture(params=[1, 2, 3, 4])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    built = World(tmp_path, request.param)
    yield built
    built.engine.dispose()


def approx_rows(rows):
    return [(r.key, r.piles, pytest.approx(r.busy_hours), pytest.approx(r.pile_hours))
            for r in rows]  # fmt: skip


@pytest.mark.parametrize("by", list(Grouping))
def test_utilisation_is_busy_over_observed_pile_hours(world, by):
    refs, busy, seen = world.oracle()
    expected = utilisation(refs, busy, WINDOW, by, observed=seen)
    got = world.reports.utilisation(WINDOW, by)
    assert sorted(approx_rows(got), key=str) == sorted(approx_rows(expected), key=str)


def test_the_heatmap_bins_hours_by_shanghai_weekday_and_hour(world):
    refs, busy, seen = world.oracle()
    expected = occupancy_heatmap(len(refs), busy, WINDOW, observed=seen)
    got = heatmap_from_hours(world.reports.hourly(WINDOW))
    for day_got, day_expected in zip(got.shares, expected.shares, strict=True):
        assert list(day_got) == pytest.approx(list(day_expected))


def test_hot_spots_and_their_k_anonymous_view(world):
    expected = demand_hotspots(world.demand, top=5)
    got = world.reports.hotspots(WINDOW, top=5)
    assert [(s.row, s.col, s.sessions, s.drivers) for s in got] == [
        (s.row, s.col, s.sessions, s.drivers) for s in expected
    ]
    assert [s.kwh for s in got] == pytest.approx([s.kwh for s in expected])
    shared = world.reports.shared_hotspots(WINDOW, 3, 10)
    want = shared_hotspots(world.demand, 3, 10)
    assert [(s.row, s.col, s.size_deg, s.drivers) for s in shared.spots] == [
        (s.row, s.col, s.size_deg, s.drivers) for s in want.spots
    ]
    assert (shared.suppressed_cells, shared.suppressed_sessions) == (
        want.suppressed_cells,
        want.suppressed_sessions,
    )


def hours_of(spans, pile_id) -> timedelta:
    return sum(
        (x.end_at - x.start_at for x in spans if x.pile_id == pile_id), timedelta()
    )


def test_under_served_cells_weigh_demand_against_spare_dc_power(world):
    _, busy, seen = world.oracle()
    supply = []
    for station in world.stations:
        for pile in station.piles:
            if pile.max_power_kw < 60 or station.max_power_kw < 60:
                continue
            observed = hours_of(seen, pile.id)
            share = hours_of(busy, pile.id) / observed if observed else 0.0
            supply.append(
                SupplyPoint(station.lat, station.lon, pile.max_power_kw, share)
            )
    expected = underserved_areas(world.demand, supply, WINDOW, top=10)
    got = world.reports.underserved(WINDOW, top=10)
    assert [(a.row, a.col, a.sessions) for a in got] == [
        (a.row, a.col, a.sessions) for a in expected
    ]
    assert [a.unmet_kwh for a in got] == pytest.approx([a.unmet_kwh for a in expected])

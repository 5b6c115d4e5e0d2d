"""Network reports: utilisation, occupancy, demand hot spots, under-served areas."""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evroam.analytics.kanon import DEFAULT_K, AggregateCell, coarsen_then_suppress

DEFAULT_TIME_ZONE = "Asia/Shanghai"
CELL_DEG = 0.05  # demand grid: 0.05° ≈ 5.5 km north-south, ≈ 4.7 km east-west at 31°N
DC_FAST_KW = 60.0
HOUR = timedelta(hours=1)


class Grouping(enum.StrEnum):
    STATION = "station"
    PARTNER = "partner"
    CITY = "city"


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open reporting period ``[start_at, end_at)`` in UTC."""

    start_at: datetime
    end_at: datetime

    def __post_init__(self) -> None:
        if self.start_at.tzinfo is None or self.end_at.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware")
        if self.end_at <= self.start_at:
            raise ValueError("window must end after it starts")

    @property
    def hours(self) -> float:
        return (self.end_at - self.start_at).total_seconds() / 3600


@dataclass(frozen=True, slots=True)
class PileRef:
    """A pile and what it is grouped by."""

    pile_id: str
    station_id: str
    operator_id: str
    city: str


@dataclass(frozen=True, slots=True)
class BusySpan:
    """A pile was busy (occupied, charging, reserved) in ``[start_at, end_at)``."""

    pile_id: str
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class UtilisationRow:
    key: str
    piles: int
    busy_hours: float
    pile_hours: float

    @property
    def share(self) -> float:
        """Share of pile-hours busy, 0..1."""
        return self.busy_hours / self.pile_hours if self.pile_hours else 0.0


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Busy share per local weekday (0 = Monday) and hour: ``shares[weekday][hour]``."""

    time_zone: str
    shares: tuple[tuple[float, ...], ...]


@dataclass(frozen=True, slots=True)
class DemandPoint:
    """One charge session where it happened: for hot spots and k-anonymity."""

    lat: float
    lon: float
    kwh: float
    driver_id: str


@dataclass(frozen=True, slots=True)
class HotSpot:
    row: int
    col: int
    lat: float  # cell centre
    lon: float
    sessions: int
    kwh: float
    drivers: int
    size_deg: float = CELL_DEG  # side of the cell in degrees


@dataclass(frozen=True, slots=True)
class SupplyPoint:
    """A DC-fast pile: its power and how busy it was over the window."""

    lat: float
    lon: float
    power_kw: float
    busy_share: float


@dataclass(frozen=True, slots=True)
class UnderservedArea:
    row: int
    col: int
    lat: float
    lon: float
    demand_kwh: float
    sessions: int
    spare_dc_kwh: float
    unmet_kwh: float


def clipped(span: BusySpan, window: Window) -> tuple[datetime, datetime] | None:
    """The part of ``span`` inside ``window``, or None."""
    start, end = max(span.start_at, window.start_at), min(span.end_at, window.end_at)
    return (start, end) if end > start else None


def busy_hours_by_pile(spans: Iterable[BusySpan], window: Window) -> dict[str, float]:
    hours: dict[str, float] = defaultdict(float)
    for span in spans:
        part = clipped(span, window)
        if part is not None:
            hours[span.pile_id] += (part[1] - part[0]).total_seconds() / 3600
    return hours


def _group_key(pile: PileRef, by: Grouping) -> str:
    if by is Grouping.STATION:
        return pile.station_id
    return pile.operator_id if by is Grouping.PARTNER else pile.city


def utilisation(
    piles: Sequence[PileRef],
    spans: Iterable[BusySpan],
    window: Window,
    by: Grouping,
    observed: Iterable[BusySpan] | None = None,
) -> tuple[UtilisationRow, ...]:
    """Busy pile-hours over observed pile-hours per group, busiest first.

    ``observed`` are the spans in which the hub knew each pile's status (its
    history started, or an import ended, in the window); None: every pile was
    observed the whole window. Overlapping spans of one pile count twice;
    callers pass disjoint spans.
    """
    busy = busy_hours_by_pile(spans, window)
    seen = None if observed is None else busy_hours_by_pile(observed, window)
    counts: dict[str, int] = defaultdict(int)
    busy_by_key: dict[str, float] = defaultdict(float)
    hours_by_key: dict[str, float] = defaultdict(float)
    for pile in piles:
        key = _group_key(pile, by)
        counts[key] += 1
        busy_by_key[key] += busy.get(pile.pile_id, 0.0)
        hours_by_key[key] += (
            window.hours if seen is None else seen.get(pile.pile_id, 0.0)
        )
    return sorted_utilisation(
        UtilisationRow(key, n, busy_by_key[key], hours_by_key[key])
        for key, n in counts.items()
    )


def sorted_utilisation(rows: Iterable[UtilisationRow]) -> tuple[UtilisationRow, ...]:
    """Busiest first, then by key (the order every utilisation report has)."""
    return tuple(sorted(rows, key=lambda r: (-r.share, r.key)))


def _bin_hours(window: Window, zone: ZoneInfo) -> list[list[float]]:
    """How many hours of each local (weekday, hour) bin the window holds."""
    hours = [[0.0] * 24 for _ in range(7)]
    _spread(window.start_at, window.end_at, zone, hours)
    return hours


def _spread(
    start_at: datetime, end_at: datetime, zone: ZoneInfo, bins: list[list[float]]
) -> None:
    """Add the hours of ``[start_at, end_at)`` to their local (weekday, hour) bins."""
    at = start_at
    while at < end_at:
        local = at.astimezone(zone)
        hour_end = local.replace(minute=0, second=0, microsecond=0) + HOUR
        step_end = min(end_at, hour_end.astimezone(start_at.tzinfo))
        bins[local.weekday()][local.hour] += (step_end - at).total_seconds() / 3600
        at = step_end


def occupancy_heatmap(
    pile_count: int,
    spans: Iterable[BusySpan],
    window: Window,
    time_zone: str = DEFAULT_TIME_ZONE,
    observed: Iterable[BusySpan] | None = None,
) -> Heatmap:
    """Share of observed pile-hours busy in each local weekday-and-hour bin
    (``observed`` None: ``pile_count`` piles observed the whole window)."""
    zone = ZoneInfo(time_zone)
    busy = [[0.0] * 24 for _ in range(7)]
    for span in spans:
        part = clipped(span, window)
        if part is not None:
            _spread(part[0], part[1], zone, busy)
    if observed is None:
        available = _bin_hours(window, zone)
        seen = [[h * pile_count for h in day] for day in available]
    else:
        seen = [[0.0] * 24 for _ in range(7)]
        for span in observed:
            part = clipped(span, window)
            if part is not None:
                _spread(part[0], part[1], zone, seen)
    return _shares(busy, seen, time_zone)


@dataclass(frozen=True, slots=True)
class HourTotals:
    """Busy and observed pile-hours in the UTC hour starting at ``start_at``."""

    start_at: datetime
    busy_hours: float
    observed_hours: float


def heatmap_from_hours(
    hours: Iterable[HourTotals], time_zone: str = DEFAULT_TIME_ZONE
) -> Heatmap:
    """``occupancy_heatmap`` from hourly totals: each hour lands in its local
    weekday-and-hour bin (zones off UTC by whole hours, as Asia/Shanghai)."""
    zone = ZoneInfo(time_zone)
    busy = [[0.0] * 24 for _ in range(7)]
    seen = [[0.0] * 24 for _ in range(7)]
    for hour in hours:
        local = hour.start_at.astimezone(zone)
        busy[local.weekday()][local.hour] += hour.busy_hours
        seen[local.weekday()][local.hour] += hour.observed_hours
    return _shares(busy, seen, time_zone)


def _shares(
    busy: list[list[float]], seen: list[list[float]], time_zone: str
) -> Heatmap:
    return Heatmap(
        time_zone,
        tuple(
            tuple(busy[d][h] / seen[d][h] if seen[d][h] else 0.0 for h in range(24))
            for d in range(7)
        ),
    )


def cell_of(lat: float, lon: float, cell_deg: float = CELL_DEG) -> tuple[int, int]:
    return math.floor(lat / cell_deg), math.floor(lon / cell_deg)


def cell_centre(row: int, col: int, cell_deg: float = CELL_DEG) -> tuple[float, float]:
    return (row + 0.5) * cell_deg, (col + 0.5) * cell_deg


@dataclass(slots=True)
class _Cell:
    sessions: int = 0
    kwh: float = 0.0
    drivers: set[str] | None = None


def _demand_cells(
    demand: Iterable[DemandPoint], cell_deg: float
) -> dict[tuple[int, int], _Cell]:
    cells: dict[tuple[int, int], _Cell] = {}
    for point in demand:
        cell = cells.setdefault(cell_of(point.lat, point.lon, cell_deg), _Cell())
        cell.sessions += 1
        cell.kwh += point.kwh
        cell.drivers = (cell.drivers or set()) | {point.driver_id}
    return cells


def demand_hotspots(
    demand: Iterable[DemandPoint], top: int = 20, cell_deg: float = CELL_DEG
) -> tuple[HotSpot, ...]:
    """Grid cells with the most kWh charged (then sessions), largest first."""
    spots = [
        HotSpot(
            r,
            c,
            *cell_centre(r, c, cell_deg),
            v.sessions,
            v.kwh,
            len(v.drivers or ()),
            cell_deg,
        )
        for (r, c), v in _demand_cells(demand, cell_deg).items()
    ]
    spots.sort(key=lambda s: (-s.kwh, -s.sessions, s.row, s.col))
    return tuple(spots[:top])


@dataclass(frozen=True, slots=True)
class SharedHotSpots:
    """Hot spots fit to share with partners: cells under ``k`` drivers were pooled
    into cells twice as large (``level`` 1) or withheld."""

    spots: tuple[HotSpot, ...]
    suppressed_cells: int
    suppressed_sessions: int
    k: int


def _coarser(key: tuple[int, int, int]) -> tuple[int, int, int]:
    level, row, col = key
    return level + 1, row // 2, col // 2


def shared_hotspots(
    demand: Iterable[DemandPoint],
    k: int = DEFAULT_K,
    top: int = 20,
    cell_deg: float = CELL_DEG,
) -> SharedHotSpots:
    """``demand_hotspots`` made k-anonymous: no cell has fewer than ``k`` drivers."""
    cells = [
        AggregateCell((0, r, c), v.sessions, v.kwh, frozenset(v.drivers or ()))
        for (r, c), v in _demand_cells(demand, cell_deg).items()
    ]
    safe = coarsen_then_suppress(cells, _coarser, k)
    spots = [
        HotSpot(
            row,
            col,
            *cell_centre(row, col, cell_deg * 2**level),
            cell.sessions,
            cell.kwh,
            len(cell.drivers),
            cell_deg * 2**level,
        )
        for cell in safe.cells
        for level, row, col in [cell.key]
    ]
    spots.sort(key=lambda s: (-s.kwh, -s.sessions, s.row, s.col))
    return SharedHotSpots(
        tuple(spots[:top]), safe.suppressed_cells, safe.suppressed_sessions, k
    )


def _spare_dc_kwh(
    supply: Iterable[SupplyPoint], window: Window, cell_deg: float
) -> dict[tuple[int, int], float]:
    """Spare DC-fast energy per cell: power x idle hours, of piles ≥ 60 kW."""
    spare: dict[tuple[int, int], float] = defaultdict(float)
    for pile in supply:
        if pile.power_kw >= DC_FAST_KW:
            idle_share = max(0.0, 1.0 - pile.busy_share)
            cell = cell_of(pile.lat, pile.lon, cell_deg)
            spare[cell] += pile.power_kw * idle_share * window.hours
    return spare


def _around(spare: dict[tuple[int, int], float], row: int, col: int) -> float:
    return sum(
        spare.get((row + dr, col + dc), 0.0) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
    )


def underserved_areas(
    demand: Iterable[DemandPoint],
    supply: Iterable[SupplyPoint],
    window: Window,
    top: int = 20,
    cell_deg: float = CELL_DEG,
    reachable_share: float = 0.1,
) -> tuple[UnderservedArea, ...]:
    """Demand cells ranked by unmet demand, largest first (zero-unmet cells left out).

    Unmet kWh = cell demand - ``reachable_share`` x spare DC-fast energy in the cell
    and its eight neighbours (≈15 km square), never below zero. Only a share of
    idle hours is usable: drivers come when they need to, not when piles are idle.
    """
    spare = _spare_dc_kwh(supply, window, cell_deg)
    areas = []
    for (row, col), cell in _demand_cells(demand, cell_deg).items():
        usable = reachable_share * _around(spare, row, col)
        unmet = max(0.0, cell.kwh - usable)
        if unmet > 0:
            lat, lon = cell_centre(row, col, cell_deg)
            areas.append(
                UnderservedArea(
                    row, col, lat, lon, cell.kwh, cell.sessions, usable, unmet
                )
            )
    areas.sort(key=lambda a: (-a.unmet_kwh, a.row, a.col))
    return tuple(areas[:top])

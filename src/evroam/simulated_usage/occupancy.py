"""The past days' occupancy of every pile: a documented queueing process.

This is how the demo's backfill (ADR 0025) makes the status history of days the
hub did not see, and the held-back weeks the availability model is scored on
(issue 13). It is a process of its own, which the model does not share:

- **Arrivals** at a station are a non-homogeneous Poisson process (a Poisson
  count per hour, at uniform times within it) with rate ``piles x
  DAILY_ARRIVALS[kind] x popularity x shape[kind][weekday or weekend][local
  hour] x day factor``. A station's
  *popularity* is log-normal (sigma 0.6, mean 1), the *day factor* is
  log-normal per city and date (sigma 0.2, mean 1: weather, events). Hourly
  shapes (Asia/Shanghai time) average 1 over a day.
- **Service**: a car takes a free pile at random; it charges for a log-normal
  time (DC median 35 min, AC 3 h, swap 4 min), then stays plugged in
  (``occupied``) with a probability (DC 0.2 for 5-25 min, AC 0.55 for a
  log-normal stay, median 2 h). Some DC drivers reserve 10 min ahead.
- **Queue**: a car finding every pile busy waits if one frees within its
  patience (exponential: DC mean 8 min, AC 3 min, swap 12 min), else leaves.
- **Faults**: each pile breaks (``faulted``, median 6 h) about every 60 days and
  drops off line (``offline``, median 40 min) about every 25 days; 6 % of piles
  are unreliable, ten times as often. A fault due while a car is plugged in
  waits until it leaves.

All times are seconds from the start of the simulated span, seeded and
deterministic.
"""

from __future__ import annotations

import bisect
import enum
import heapq
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId
from evroam.status.history import StatusAt

LOCAL = ZoneInfo("Asia/Shanghai")
DAY_S = 86_400.0
UNRELIABLE_SHARE = 0.06
UNRELIABLE_FACTOR = 10.0
POPULARITY_SIGMA = 0.6
DAY_FACTOR_SIGMA = 0.2


class PileKind(enum.StrEnum):
    DC = "dc"
    AC = "ac"
    SWAP = "swap"


DC_MIN_KW = 30.0
DAILY_ARRIVALS = {PileKind.DC: 5.0, PileKind.AC: 1.2, PileKind.SWAP: 30.0}
PATIENCE_MEAN_S = {PileKind.DC: 480.0, PileKind.AC: 180.0, PileKind.SWAP: 720.0}
FAULT_EVERY_DAYS = 60.0
OFFLINE_EVERY_DAYS = 25.0


def _shape(weights: Sequence[float]) -> tuple[float, ...]:
    mean = sum(weights) / len(weights)
    return tuple(w / mean for w in weights)


# Arrivals by local hour 00..23 (weekday, weekend), averaging 1 over a day.
_DC_WEEKDAY = [3, 2, 1, 1, 1, 1, 2, 4, 6, 6, 6, 8, 9, 8, 6, 6, 7, 9, 10, 9, 7, 6, 5, 4]
_DC_WEEKEND = [3, 2, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 8, 8, 8, 8, 7, 6, 5, 4, 3]
_AC_WEEKDAY = [2, 1, 1, 1, 1, 1, 2, 5, 9, 8, 4, 3, 3, 3, 3, 3, 4, 6, 9, 10, 8, 6, 4, 3]
_AC_WEEKEND = [2, 1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 7, 6, 6, 7, 8, 8, 6, 5, 4, 3]
_SWAP_WEEKDAY = [
    2,
    1,
    1,
    1,
    1,
    1,
    2,
    5,
    8,
    7,
    6,
    7,
    8,
    7,
    6,
    6,
    7,
    9,
    10,
    8,
    6,
    5,
    4,
    3,
]
_SWAP_WEEKEND = [2, 1, 1, 1, 1, 1, 1, 3, 5, 7, 8, 9, 9, 9, 8, 8, 8, 9, 9, 8, 6, 5, 4, 3]
SHAPES: dict[PileKind, tuple[tuple[float, ...], tuple[float, ...]]] = {
    PileKind.DC: (_shape(_DC_WEEKDAY), _shape(_DC_WEEKEND)),
    PileKind.AC: (_shape(_AC_WEEKDAY), _shape(_AC_WEEKEND)),
    PileKind.SWAP: (_shape(_SWAP_WEEKDAY), _shape(_SWAP_WEEKEND)),
}


@dataclass(frozen=True, slots=True)
class PileSpec:
    """A pile as the process needs it."""

    pile_id: PileId
    station_id: str
    city: str
    kind: PileKind
    power_kw: float


def kind_of(power_kw: float, is_swap: bool) -> PileKind:
    if is_swap:
        return PileKind.SWAP
    return PileKind.DC if power_kw >= DC_MIN_KW else PileKind.AC


@dataclass(frozen=True, slots=True)
class Segment:
    """The pile was not free (``status``) in ``[start_s, end_s)``."""

    start_s: float
    end_s: float
    status: PileStatus


@dataclass(slots=True)
class Occupancy:
    """Every pile's segments over ``[start_at, start_at + span)``, by start."""

    start_at: datetime
    span_s: float
    segments: dict[PileId, list[Segment]] = field(default_factory=dict)

    def at(self, seconds: float) -> datetime:
        return self.start_at + timedelta(seconds=seconds)

    def seconds(self, moment: datetime) -> float:
        return (moment - self.start_at).total_seconds()

    def is_free(self, pile_id: PileId, start_s: float, end_s: float) -> bool:
        """No segment of the pile overlaps ``[start_s, end_s)``."""
        pile = self.segments.get(pile_id, [])
        i = bisect.bisect_left(pile, start_s, key=lambda s: s.start_s)
        if i < len(pile) and pile[i].start_s < end_s:
            return False
        return i == 0 or pile[i - 1].end_s <= start_s

    def occupy(self, pile_id: PileId, added: Iterable[Segment]) -> None:
        pile = self.segments.setdefault(pile_id, [])
        for segment in added:
            bisect.insort(pile, segment, key=lambda s: s.start_s)

    def timelines(self) -> dict[PileId, list[StatusAt]]:
        """Each pile's statuses: free at the start, then every segment and the
        free time after it."""
        out: dict[PileId, list[StatusAt]] = {}
        for pile_id, pile in self.segments.items():
            steps = [StatusAt(self.start_at, PileStatus.AVAILABLE)]
            for i, seg in enumerate(pile):
                steps.append(StatusAt(self.at(seg.start_s), seg.status))
                follows = pile[i + 1].start_s if i + 1 < len(pile) else self.span_s
                if seg.end_s < min(follows, self.span_s):
                    steps.append(StatusAt(self.at(seg.end_s), PileStatus.AVAILABLE))
            out[pile_id] = steps
        return out


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _unit_lognormal(rng: random.Random, sigma: float) -> float:
    """Log-normal with mean 1."""
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))


@dataclass(frozen=True, slots=True)
class Visit:
    """What one car does at a pile: seconds reserved ahead, charging, plugged in."""

    reserved_s: float
    charging_s: float
    plugged_s: float


def draw_visit(rng: random.Random, kind: PileKind) -> Visit:
    if kind is PileKind.SWAP:
        return Visit(0.0, rng.uniform(180, 360), 0.0)
    if kind is PileKind.DC:
        reserved = 600.0 if rng.random() < 0.04 else 0.0
        plugged = rng.uniform(300, 1500) if rng.random() < 0.2 else 0.0
        return Visit(reserved, 60 * _lognormal(rng, 35, 0.45), plugged)
    plugged = 60 * _lognormal(rng, 120, 0.8) if rng.random() < 0.55 else 0.0
    return Visit(0.0, 60 * _lognormal(rng, 180, 0.5), plugged)


# (time s, sequence, pile index or -1, the break's status; None: a car arrives)
_Event = tuple[float, int, int, PileStatus | None]


class _Station:
    """The queue at one station (its piles share arrivals and a popularity)."""

    def __init__(
        self,
        piles: Sequence[PileSpec],
        occupancy: Occupancy,
        rng: random.Random,
        hourly: np.ndarray,
    ) -> None:
        self.piles = list(piles)
        self.kind = piles[0].kind
        self.occ = occupancy
        self.rng = rng
        self.busy_until = [0.0] * len(piles)
        self.popularity = _unit_lognormal(rng, POPULARITY_SIGMA)
        # Expected arrivals in each hour of the span.
        per_hour = DAILY_ARRIVALS[self.kind] * len(self.piles) * self.popularity / 24
        self.expected = hourly * per_hour

    def run(self) -> None:
        events: list[_Event] = []
        self._faults(events)
        self._arrivals(events)
        heapq.heapify(events)
        while events:
            at, seq, pile, status = heapq.heappop(events)
            if status is None:
                self._arrive(at)
            elif self.busy_until[pile] > at:  # wait until the car leaves
                heapq.heappush(events, (self.busy_until[pile], seq, pile, status))
            else:
                self._break(pile, at, status)

    def _arrivals(self, events: list[_Event]) -> None:
        """A Poisson count per hour, at uniform times within it."""
        draw = np.random.default_rng(self.rng.getrandbits(64))
        counts = draw.poisson(self.expected)
        hours = np.repeat(np.arange(len(counts), dtype=np.float64), counts)
        times = np.sort((hours + draw.random(len(hours))) * 3600.0)
        events.extend(
            (float(at), len(events) + i, -1, None)
            for i, at in enumerate(times)
            if at < self.occ.span_s
        )

    def _faults(self, events: list[_Event]) -> None:
        breaks = (
            (PileStatus.FAULTED, FAULT_EVERY_DAYS),
            (PileStatus.OFFLINE, OFFLINE_EVERY_DAYS),
        )
        for i in range(len(self.piles)):
            scale = UNRELIABLE_FACTOR if self.rng.random() < UNRELIABLE_SHARE else 1.0
            for status, every_days in breaks:
                at = 0.0
                while True:
                    at += self.rng.expovariate(scale / (every_days * DAY_S))
                    if at >= self.occ.span_s:
                        break
                    events.append((at, len(events), i, status))

    def _break(self, pile: int, at: float, status: PileStatus) -> None:
        if status is PileStatus.FAULTED:
            length = 3600 * _lognormal(self.rng, 6, 1.0)
        else:
            length = 60 * _lognormal(self.rng, 40, 0.8)
        end = min(at + length, self.occ.span_s)
        self.busy_until[pile] = end
        self.occ.occupy(self.piles[pile].pile_id, [Segment(at, end, status)])

    def _arrive(self, at: float) -> None:
        free = [i for i, until in enumerate(self.busy_until) if until <= at]
        start = at
        if free:
            pile = self.rng.choice(free)
        else:
            pile = min(range(len(self.piles)), key=self.busy_until.__getitem__)
            patience = self.rng.expovariate(1 / PATIENCE_MEAN_S[self.kind])
            if self.busy_until[pile] - at > patience:
                return  # drove on
            start = self.busy_until[pile]
        visit = draw_visit(self.rng, self.kind)
        self._place(pile, start, visit)

    def _place(self, pile: int, start: float, visit: Visit) -> None:
        span = self.occ.span_s
        segments = []
        if visit.reserved_s and start - visit.reserved_s >= self.busy_until[pile]:
            segments.append(
                Segment(start - visit.reserved_s, start, PileStatus.RESERVED)
            )
        charged = min(start + visit.charging_s, span)
        status = (
            PileStatus.OCCUPIED if self.kind is PileKind.SWAP else PileStatus.CHARGING
        )
        segments.append(Segment(start, charged, status))
        end = min(charged + visit.plugged_s, span)
        if end > charged:
            segments.append(Segment(charged, end, PileStatus.OCCUPIED))
        self.busy_until[pile] = end
        self.occ.occupy(
            self.piles[pile].pile_id, [s for s in segments if s.end_s > s.start_s]
        )


def simulate(
    piles: Sequence[PileSpec], start_at: datetime, days: float, seed: int
) -> Occupancy:
    """The occupancy of ``piles`` over ``days`` days from ``start_at``."""
    occupancy = Occupancy(start_at, days * DAY_S)
    for pile in piles:
        occupancy.segments.setdefault(pile.pile_id, [])
    locals_ = [
        (start_at + timedelta(hours=h)).astimezone(LOCAL)
        for h in range(math.ceil(days * 24))
    ]
    shapes = {
        kind: np.array([SHAPES[kind][t.weekday() >= 5][t.hour] for t in locals_])
        for kind in PileKind
    }
    factors: dict[str, np.ndarray] = {}

    def city_factors(city: str) -> np.ndarray:
        """The day factor of ``city`` for each hour of the span."""
        if city not in factors:
            by_day = {
                day: _unit_lognormal(
                    random.Random(f"{seed}:{city}:{day.isoformat()}"), DAY_FACTOR_SIGMA
                )
                for day in {t.date() for t in locals_}
            }
            factors[city] = np.array([by_day[t.date()] for t in locals_])
        return factors[city]

    for (station_id, kind), station_piles in _by_station(piles).items():
        rng = random.Random(f"{seed}:{station_id}:{kind}")
        hourly = shapes[kind] * city_factors(station_piles[0].city)
        _Station(station_piles, occupancy, rng, hourly).run()
    return occupancy


def _by_station(
    piles: Iterable[PileSpec],
) -> Mapping[tuple[str, PileKind], list[PileSpec]]:
    """Piles of one station and kind queue together."""
    stations: dict[tuple[str, PileKind], list[PileSpec]] = {}
    for pile in piles:
        stations.setdefault((pile.station_id, pile.kind), []).append(pile)
    return stations

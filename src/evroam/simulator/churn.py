"""The status-change model: seeded, pure, steered toward utilisation by local hour.

Each ``step`` makes ``changes_per_s x dt_s`` changes (the fraction carries over),
applies them to the network and returns them. A change is, by draw:
a swap event at a swap station (their share of piles), a fault (0.2 %), or a
session event — a start on a free pile or an end on a busy one, whichever
moves utilisation toward the hour's target. Sessions last 20-90 min (DC) or
2-8 h (AC); an end takes the most overdue of a few busy piles, so lengths hold
when the rate allows. Repairs (30 min - 4 h after a fault) come first.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evroam.simulator.network import Bucket, Change, SimulatedNetwork

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
SECONDS_PER_PILE_CHANGE = 600.0  # default rate: every pile changes every ~10 min
FAULT_SHARE = 0.002
SWAP_CAPACITY = 13
MAX_QUEUE = 8
_CANDIDATES = 4  # busy piles looked at per end event

# Busy share of charging piles by local hour (Asia/Shanghai), 00:00..23:00.
UTILISATION_BY_HOUR = (
    0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.15, 0.25,
    0.35, 0.40, 0.40, 0.42, 0.45, 0.42, 0.40, 0.40,
    0.42, 0.48, 0.55, 0.55, 0.55, 0.45, 0.30, 0.18,
)  # fmt: skip


def target_utilisation(moment: datetime) -> float:
    """The hour's target, interpolated linearly to the next hour's."""
    local = moment.astimezone(LOCAL_ZONE)
    hour = local.hour
    share = (local.minute * 60 + local.second) / 3600
    now, after = UTILISATION_BY_HOUR[hour], UTILISATION_BY_HOUR[(hour + 1) % 24]
    return now + (after - now) * share


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


class Churn:
    """Seeded status changes for one ``SimulatedNetwork`` (which it updates)."""

    def __init__(
        self,
        network: SimulatedNetwork,
        seed: int,
        changes_per_s: float | None = None,
    ) -> None:
        self._network = network
        self._rng = random.Random(f"{seed}:churn:{network.operator.id}")
        self.changes_per_s = (
            changes_per_s
            if changes_per_s is not None
            else network.pile_count / SECONDS_PER_PILE_CHANGE
        )
        bays = network.bucket_size(Bucket.BAY)
        self._bay_share = bays / network.pile_count if network.pile_count else 0.0
        self._budget = 0.0
        self._ends_at: dict[int, datetime] = {}
        self._repairs: list[tuple[datetime, int]] = []
        self._is_primed = False

    def step(self, now: datetime, dt_s: float) -> list[Change]:
        """The changes of the ``dt_s`` seconds up to ``now``, already applied."""
        if not self._is_primed:
            self._prime(now)
        self._budget += self.changes_per_s * max(dt_s, 0.0)
        count = int(self._budget)
        self._budget -= count
        changes: list[Change] = []
        while len(changes) < count:
            change = self._repair(now) or self._next(now)
            if change is None:
                break
            self._network.apply(change)
            changes.append(change)
        return changes

    # --- choosing a change -----------------------------------------------------

    def _next(self, now: datetime) -> Change | None:
        draw = self._rng.random()
        change = None
        if draw < self._bay_share:
            change = self._swap_event(now)
        elif draw < self._bay_share + FAULT_SHARE:
            change = self._fault(now)
        return change or self._session_event(now)

    def _session_event(self, now: datetime) -> Change | None:
        net = self._network
        target, current = target_utilisation(now), net.utilisation()
        start_odds = min(0.95, max(0.05, 0.5 + 2 * (target - current)))
        wants_start = self._rng.random() < start_odds
        if (wants_start and net.bucket_size(Bucket.FREE)) or not net.bucket_size(
            Bucket.BUSY
        ):
            return self._start(now)
        return self._end(now)

    def _start(self, now: datetime) -> Change | None:
        pile = self._network.sample(Bucket.FREE, self._rng)
        if pile is None:
            return None
        draw = self._rng.random()
        if draw < 0.80:
            status = "charging"
        elif draw < 0.92:
            status = "occupied"
        else:
            status = "reserved"
        self._ends_at[pile] = now + self._session_length(pile)
        return self._network.change_to(pile, status, now)

    def _end(self, now: datetime) -> Change | None:
        candidates = {
            p
            for _ in range(_CANDIDATES)
            if (p := self._network.sample(Bucket.BUSY, self._rng)) is not None
        }
        if not candidates:
            return None
        pile = min(sorted(candidates), key=self._end_of)
        status = self._after_busy(str(self._network.status(pile)))
        if status == "available":
            self._ends_at.pop(pile, None)
        else:
            self._ends_at[pile] = now + self._session_length(pile)
        return self._network.change_to(pile, status, now)

    def _after_busy(self, status: str) -> str:
        draw = self._rng.random()
        if status == "charging":
            return "occupied" if draw < 0.15 else "available"
        if status == "occupied":
            return "charging" if draw < 0.3 else "available"
        return "charging" if draw < 0.6 else "available"

    def _end_of(self, pile: int) -> datetime:
        """When the pile's session ends, drawn on first sight for piles we did
        not start (generated busy, or forced through the control API)."""
        ends_at = self._ends_at.get(pile)
        if ends_at is None:
            ends_at = self._network.status_at(pile) + self._session_length(pile)
            self._ends_at[pile] = ends_at
        return ends_at

    def _session_length(self, pile: int) -> timedelta:
        if self._network.piles[pile].is_dc:
            return _minutes(self._rng, 20, 90)
        return _minutes(self._rng, 120, 480)

    # --- faults and repairs ----------------------------------------------------

    def _prime(self, now: datetime) -> None:
        """Schedule a repair for every pile that is down when the run starts."""
        self._is_primed = True
        for pile in self._network.piles:
            if not pile.is_swap_bay and self._is_down(pile.index):
                due = now + _minutes(self._rng, 10, 240)
                heapq.heappush(self._repairs, (due, pile.index))

    def _is_down(self, pile: int) -> bool:
        return str(self._network.status(pile)) in (
            "offline",
            "faulted",
            "unknown",
        )

    def _fault(self, now: datetime) -> Change | None:
        pile = self._network.sample(Bucket.FREE, self._rng)
        if pile is None:
            return None
        status = "offline" if self._rng.random() < 0.6 else "faulted"
        heapq.heappush(self._repairs, (now + _minutes(self._rng, 30, 240), pile))
        return self._network.change_to(pile, status, now)

    def _repair(self, now: datetime) -> Change | None:
        while self._repairs and self._repairs[0][0] <= now:
            _, pile = heapq.heappop(self._repairs)
            if self._is_down(pile):  # it may have been forced back up meanwhile
                return self._network.change_to(pile, "available", now)
        return None

    # --- battery swaps -----------------------------------------------------------

    def _swap_event(self, now: datetime) -> Change | None:
        """A car arrives (odds: the hour's target) or a battery finishes charging."""
        for _ in range(_CANDIDATES):
            pile = self._network.sample(Bucket.BAY, self._rng)
            if pile is None or self._is_down(pile):
                continue
            station = self._network.piles[pile].station_index
            bay = self._network.swap_bay(station)
            if bay is None:
                continue
            is_arrival = self._rng.random() < target_utilisation(now)
            after = _arrival(bay) if is_arrival else _recharge(bay)
            if after != bay:
                return self._network.change_to(pile, _bay_status(after), now, after)
        return None


# A swap bay's stock and queue as the scenario made it (read and replaced by field).
Bay = Any


def _arrival(bay: Bay) -> Bay:
    if bay.batteries_in_stock and not bay.queue_length:
        return replace(
            bay, batteries_in_stock=bay.batteries_in_stock - 1, queue_length=0
        )
    queue = min(MAX_QUEUE, bay.queue_length + 1)
    return replace(bay, queue_length=queue)


def _recharge(bay: Bay) -> Bay:
    stock, queue = min(SWAP_CAPACITY, bay.batteries_in_stock + 1), bay.queue_length
    if queue and stock:  # the first car in the queue takes the fresh battery
        stock, queue = stock - 1, queue - 1
    return replace(bay, batteries_in_stock=stock, queue_length=queue)


def _bay_status(bay: Bay) -> str:
    if bay.batteries_in_stock == 0 or bay.queue_length:
        return "occupied"
    return "available"

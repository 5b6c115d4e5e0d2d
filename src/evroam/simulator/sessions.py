"""Charging sessions a simulated partner runs: start, charge, stop, record.

Protocol-free: ``ocpi_sessions.py`` and ``tcec_sessions.py`` turn the
``SessionReporter`` calls into OCPI or T/CEC messages. A session is accepted
``accept_delay_s`` (wall time) after the request if its pile is free, sets the
pile CHARGING, then every ``report_every_s`` of *simulated* time lets its
``Charge`` (``charge.py``) take energy and reports progress. ``speedup``
compresses simulated time (60: a 30-minute charge takes 30 s), so with a
speedup above 1 session times run ahead of the wall clock. Once the battery is
full the car stays plugged in, no longer charging (the pile turns OCCUPIED),
until a stop request or until its driver comes back by themself, a whole number
of minutes drawn from ``linger_after_full_s`` later. Then the pile goes back
AVAILABLE and the partner sends its record (``charge_record``): energy priced
with the pile's time-of-use tariff, split at period changes, plus the station's
parking fee and the tariff's idle fee for the time plugged in after charging.
The start, end and record messages are retried with exponential backoff
(``deliver_attempts`` tries, ``retry_first_s`` doubling up to ``retry_max_s``)
until the hub confirms them, as a real platform keeps an undelivered order
until the other side acknowledges it; progress reports are not (the next one
supersedes a lost one).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from evroam.shared.clock import Clock
from evroam.simulator.charge import (
    Charge,
    SentRecord,
    StopCause,
    charge_record,
)
from evroam.simulator.network import SimulatedNetwork
from evroam.simulator.runner import SimulationRunner

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """``speedup``: simulated seconds per wall second (tests use thousands).

    ``linger_after_full_s``: once the battery is full, the driver comes back
    (and the session ends) after a whole number of minutes drawn from this range
    of simulated seconds, from a generator of its own seeded by ``seed``;
    ``(0, 0)`` unplugs the car the moment it is full.
    """

    speedup: float = 1.0
    accept_delay_s: float = 0.2
    report_every_s: float = 15.0
    seed: int = 7
    deliver_attempts: int = 12
    retry_first_s: float = 0.5
    retry_max_s: float = 30.0
    linger_after_full_s: tuple[float, float] = (0.0, 1800.0)

    def __post_init__(self) -> None:
        if self.speedup <= 0 or self.report_every_s <= 0 or self.accept_delay_s < 0:
            raise ValueError("speedup and report_every_s must be > 0")
        if self.deliver_attempts < 1 or not 0 < self.retry_first_s <= self.retry_max_s:
            raise ValueError("deliver_attempts >= 1 and 0 < retry_first_s <= max")
        shortest, longest = self.linger_minutes()
        if not 0 <= shortest <= longest:
            raise ValueError("linger_after_full_s: a range >= 0 holding a whole minute")

    def linger_minutes(self) -> tuple[int, int]:
        """The whole minutes ``linger_after_full_s`` holds, shortest and longest."""
        low_s, high_s = self.linger_after_full_s
        return math.ceil(low_s / 60), math.floor(high_s / 60)

    def retry_delays_s(self) -> list[float]:
        """The waits between delivery attempts: doubling, capped."""
        return [
            min(self.retry_max_s, self.retry_first_s * 2**n)
            for n in range(self.deliver_attempts - 1)
        ]


class Refusal(enum.Enum):
    NO_SUCH_PILE = "no such pile"
    OFFLINE = "pile offline"
    FAULTED = "pile faulted"
    OCCUPIED = "pile occupied"


class SessionReporter(Protocol):
    """Tells the hub, in one protocol, what happens to a session."""

    async def started(self, charge: Charge) -> None: ...

    async def refused(self, charge: Charge, refusal: Refusal) -> None: ...

    async def progressed(self, charge: Charge) -> None: ...

    async def ended(self, charge: Charge) -> None: ...

    async def recorded(self, charge: Charge, record: SentRecord) -> None: ...


class SessionSimulator:
    """Runs the sessions of one simulated partner (see the module docstring)."""

    def __init__(
        self,
        runner: SimulationRunner,
        settings: SessionSettings,
        clock: Clock,
    ) -> None:
        self.runner = runner
        self.settings = settings
        self.records: list[SentRecord] = []
        # record id -> failed sends of its session's end and record before the
        # hub confirmed both
        self.delivered: dict[str, int] = {}
        self.reporter: SessionReporter | None = None
        self._clock = clock
        self._rng = random.Random(f"{settings.seed}:sessions")
        # its own generator: the battery and SoC draws stay as they were
        self._linger_rng = random.Random(f"{settings.seed}:linger")
        self._charges: dict[str, Charge] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def network(self) -> SimulatedNetwork:
        return self.runner.network

    def find(self, ref: str) -> Charge | None:
        return self._charges.get(ref)

    def find_by_session(self, session_id: str) -> Charge | None:
        return next(
            (c for c in self._charges.values() if c.session_id == session_id), None
        )

    def refusal_for(self, pile_name: str) -> Refusal | None:
        """Why a start at this pile would be refused now, or None."""
        ref = self.network.find_pile(pile_name)
        if ref is None or ref.is_swap_bay:
            return Refusal.NO_SUCH_PILE
        status = str(self.network.status(ref.index))  # the status's name
        if status in ("offline", "unknown"):
            return Refusal.OFFLINE
        if status == "faulted":
            return Refusal.FAULTED
        busy = any(c.pile == pile_name for c in self._charges.values())
        if busy or status != "available":
            return Refusal.OCCUPIED
        return None

    def start(
        self, pile_name: str, ref: str, session_id: str, **context: Any
    ) -> Charge:
        """Begin a session request; it is accepted or refused a moment later."""
        pile = self.network.pile_named(pile_name)
        station = self.network.station(pile.station_index)
        started = self._clock.now()
        charge = Charge(
            ref=ref,
            session_id=session_id,
            pile=pile_name,
            tariff=self.network.prices_of(pile.station_index),
            zone=ZoneInfo(station.time_zone),
            max_power_kw=station.piles[pile.position].max_power_kw,
            battery_kwh=self._rng.uniform(60.0, 100.0),
            soc=self._rng.uniform(0.1, 0.5),
            started_at=started,
            now=started,
            context=dict(context),
            parking=self.network.car_park_of(pile.station_index),
            linger_s=60.0 * self._linger_rng.randint(*self.settings.linger_minutes()),
        )
        self._spawn(self._run(charge))
        return charge

    def request_stop(self, ref: str) -> Charge | None:
        """Ask a running session to end at its next tick; None if not running."""
        charge = self._charges.get(ref)
        if charge is None or charge.stop_cause is not None:
            return None
        charge.stop_cause = StopCause.REQUESTED
        return charge

    def records_between(
        self, starts_at: datetime, ends_at: datetime
    ) -> list[SentRecord]:
        """Records whose session ended in [starts_at, ends_at)."""
        return [r for r in self.records if starts_at <= r.ended_at < ends_at]

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, charge: Charge) -> None:
        try:
            await asyncio.sleep(self.settings.accept_delay_s)
            refusal = self.refusal_for(charge.pile)
            if refusal is not None:
                await self._deliver("refused", charge, refusal)
                return
            await self._begin(charge)
            await self._charge_until_stopped(charge)
            await self._finish(charge)
        except asyncio.CancelledError:
            raise
        except Exception:  # a session must never take the simulator down
            _log.exception("simulated session %s failed", charge.ref)

    async def _begin(self, charge: Charge) -> None:
        self._charges[charge.ref] = charge
        charge.started_at = charge.now = self._clock.now()
        local = charge.now.astimezone(charge.zone)
        charge.period_at(charge.tariff.period_at(local))  # a CDR needs one period
        await self.runner.force(charge.pile, "charging")
        await self._deliver("started", charge)

    async def _charge_until_stopped(self, charge: Charge) -> None:
        step = self.settings.report_every_s
        while charge.stop_cause is None:
            await asyncio.sleep(step / self.settings.speedup)
            if charge.stop_cause is not None:
                break
            was_full = charge.is_full
            charge.advance(step)
            if charge.has_left:
                charge.stop_cause = StopCause.FULL
            elif charge.is_full and not was_full:  # plugged in, no longer charging
                await self.runner.force(charge.pile, "occupied")
            await self._report("progressed", charge)

    async def _finish(self, charge: Charge) -> None:
        await self.runner.force(charge.pile, "available")
        ended = await self._deliver("ended", charge)
        record = charge_record(charge)
        self.records.append(record)
        del self._charges[charge.ref]
        if recorded := await self._deliver("recorded", charge, record):
            self.delivered[record.record_id] = max(ended - 1, 0) + recorded - 1

    async def _report(self, what: str, charge: Charge, *args: Any) -> bool:
        if self.reporter is None:
            return False
        try:
            await getattr(self.reporter, what)(charge, *args)
        except Exception as exc:  # hub down or refusing: the session goes on
            _log.warning("reporting %s of %s failed: %s", what, charge.ref, exc)
            return False
        return True

    async def _deliver(self, what: str, charge: Charge, *args: Any) -> int:
        """Report until the hub confirms, backing off; the attempts it took, or 0
        when it never confirmed."""
        delays_s = self.settings.retry_delays_s()
        for attempt, delay_s in enumerate([*delays_s, None], start=1):
            if await self._report(what, charge, *args):
                return attempt
            if delay_s is not None:
                await asyncio.sleep(delay_s)
        _log.error("gave up reporting %s of %s", what, charge.ref)
        return 0


def build_sessions_control_router(sessions: SessionSimulator) -> APIRouter:
    """``GET /sim/charge-records``: every charge record the simulator made, each
    with ``delivered`` (the hub confirmed it) and ``retries`` (failed sends of
    the session's end and record before that)."""
    router = APIRouter(prefix="/sim", tags=["simulator control"])

    @router.get("/charge-records")
    async def get_charge_records() -> list[dict[str, Any]]:
        return [
            {
                **r.as_json(),
                "delivered": r.record_id in sessions.delivered,
                "retries": sessions.delivered.get(r.record_id, 0),
            }
            for r in sessions.records
        ]

    return router

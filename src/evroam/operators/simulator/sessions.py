"""Charging sessions a simulated partner runs: start, energy by a curve, stop, record.

Protocol-free: ``ocpi_sessions.py`` and ``tcec_sessions.py`` turn the
``SessionReporter`` calls into OCPI or T/CEC messages. A session is accepted
``accept_delay_s`` (wall time) after the request if its pile is free, sets the
pile CHARGING, then every ``report_every_s`` of *simulated* time adds energy at
the pile's power, capped by a simple curve (full power to 80 % SoC, then
tapering to 10 % at full), and reports progress. ``speedup`` compresses
simulated time (60: a 30-minute charge takes 30 s), so with a speedup above 1
session times run ahead of the wall clock. Once the battery is full the car
stays plugged in, no longer charging (the pile turns OCCUPIED), until a stop
request or until its driver comes back by themself, a whole number of minutes
drawn from ``linger_after_full_s`` later. Then the pile goes back AVAILABLE and
the partner sends its record: energy priced with the pile's time-of-use tariff,
split at period changes, plus the station's parking fee and the tariff's idle
fee for the time plugged in after charging (``pricing.quote``).
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from evroam.catalogue.model import ParkingRule, PileStatus, StatusCategory
from evroam.operators.simulator.network import SimulatedNetwork
from evroam.operators.simulator.runner import SimulationRunner
from evroam.pricing.bill import BillLine
from evroam.pricing.quote import idle_lines, parking_lines
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import PeriodKind, Tariff
from evroam.shared.clock import Clock
from evroam.shared.money import Money

_log = logging.getLogger(__name__)
KWH = Decimal("0.01")
TAPER_FROM_SOC = 0.8
MIN_POWER_SHARE = 0.1
NO_PARKING_FEE = ParkingRule(0, Money.zero())


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


class StopCause(enum.Enum):
    REQUESTED = "requested"
    FULL = "battery full"  # charged to full, then the driver came back and unplugged


def charge_power_kw(max_power_kw: float, soc: float) -> float:
    """Full power up to 80 % SoC, then tapering linearly to 10 % of it at 100 %."""
    if soc < TAPER_FROM_SOC:
        return max_power_kw
    share = (1.0 - soc) / (1.0 - TAPER_FROM_SOC)
    return max_power_kw * max(MIN_POWER_SHARE, share)


def next_price_change(tariff: Tariff, local: datetime) -> datetime:
    """The first moment after ``local`` (aware, station zone) where the tariff's
    period may change: a window edge or midnight (month-limited windows)."""
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    edges = {w.start for w in tariff.windows} | {w.end for w in tariff.windows}
    candidates = [
        datetime.combine((day + timedelta(days=d)).date(), t, local.tzinfo)
        for d in (0, 1)
        for t in edges
    ]
    candidates.append(day + timedelta(days=1))
    return min(c for c in candidates if c > local)


@dataclass(slots=True)
class Period:
    """Energy under one time-of-use period (mutable while the session runs)."""

    started_at: datetime
    ended_at: datetime
    kind: PeriodKind
    kwh: float = 0.0


@dataclass(frozen=True, slots=True)
class PricedPeriod:
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    electricity_per_kwh: Decimal
    service_per_kwh: Decimal
    electricity_money: Decimal
    service_money: Decimal


@dataclass(frozen=True, slots=True)
class SentRecord:
    """A charge record the simulator sent (kept for reconciliation).

    ``ended_at`` is when the car was unplugged; charging ended with the last
    period. ``parking_money`` (the car park's fee) and ``idle_money`` (the
    tariff's idle fee) are for the time plugged in between; ``total_money`` is
    the sum of the four amounts.
    """

    ref: str
    record_id: str
    session_id: str
    pile: str
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    periods: tuple[PricedPeriod, ...]
    electricity_money: Decimal
    service_money: Decimal
    parking_money: Decimal
    idle_money: Decimal
    total_money: Decimal
    stop_cause: StopCause

    @property
    def charged_until(self) -> datetime:
        """When energy stopped flowing: the end of the last period."""
        return max((p.ended_at for p in self.periods), default=self.ended_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "record_id": self.record_id,
            "session_id": self.session_id,
            "pile": self.pile,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "kwh": str(self.kwh),
            "electricity_money": str(self.electricity_money),
            "service_money": str(self.service_money),
            "parking_money": str(self.parking_money),
            "idle_money": str(self.idle_money),
            "total_money": str(self.total_money),
            "stop_cause": self.stop_cause.value,
            "periods": [
                {
                    "started_at": p.started_at.isoformat(),
                    "ended_at": p.ended_at.isoformat(),
                    "kwh": str(p.kwh),
                    "electricity_per_kwh": str(p.electricity_per_kwh),
                    "service_per_kwh": str(p.service_per_kwh),
                }
                for p in self.periods
            ],
        }


def whole_second(moment: datetime) -> datetime:
    """``moment`` cut to the second: T/CEC times carry no fraction."""
    return moment.replace(microsecond=0)


def price_periods(tariff: Tariff, periods: list[Period]) -> tuple[PricedPeriod, ...]:
    """Each period's kWh (to 0.01) at its period's prices; each money line is
    rounded half up to the fen once (``Money``). Times are cut to the second, so
    every protocol carries them exactly."""
    priced = []
    for period in periods:
        price = tariff.price_for(period.kind)
        kwh = Decimal(repr(period.kwh)).quantize(KWH)
        priced.append(
            PricedPeriod(
                whole_second(period.started_at),
                whole_second(period.ended_at),
                kwh,
                price.electricity_per_kwh,
                price.service_per_kwh,
                Money.of(kwh * price.electricity_per_kwh).amount,
                Money.of(kwh * price.service_per_kwh).amount,
            )
        )
    return tuple(priced)


@dataclass(slots=True)
class Charge:
    """One running session. ``context`` holds protocol data (response URLs ...).

    ``full_at`` is when the battery became full (None: still charging); the
    driver comes back ``linger_s`` later. ``parking`` is the station's rule.
    """

    ref: str
    session_id: str
    pile: str
    tariff: Tariff
    zone: ZoneInfo
    max_power_kw: float
    battery_kwh: float
    soc: float
    started_at: datetime
    now: datetime
    periods: list[Period] = field(default_factory=list)
    stop_cause: StopCause | None = None
    context: dict[str, Any] = field(default_factory=dict)
    parking: ParkingRule = NO_PARKING_FEE
    linger_s: float = 0.0
    full_at: datetime | None = None

    @property
    def kwh(self) -> float:
        return sum(p.kwh for p in self.periods)

    @property
    def power_kw(self) -> float:
        if self.full_at is not None:
            return 0.0
        return charge_power_kw(self.max_power_kw, self.soc)

    @property
    def is_full(self) -> bool:
        return self.full_at is not None

    @property
    def leaves_at(self) -> datetime | None:
        """When the driver unplugs the full car (None: not full yet)."""
        if self.full_at is None:
            return None
        return self.full_at + timedelta(seconds=self.linger_s)

    @property
    def has_left(self) -> bool:
        return self.leaves_at is not None and self.now >= self.leaves_at

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass: charge, splitting at price
        changes, until the battery is full; then stay plugged in until the driver
        comes back (time stops there)."""
        end = self.now + timedelta(seconds=seconds)
        while self.now < end and self.full_at is None:
            local = self.now.astimezone(self.zone)
            step_end = min(end, next_price_change(self.tariff, local))
            hours = (step_end - self.now).total_seconds() / 3600
            room = (1.0 - self.soc) * self.battery_kwh
            power_kw = self.power_kw
            energy = power_kw * hours
            if energy >= room:  # full within this step: energy stops there
                energy = max(room, 0.0)
                to_full = timedelta(hours=energy / power_kw) if energy else timedelta()
                step_end = min(step_end, self.now + to_full)
                self.full_at = step_end
            self.period_at(self.tariff.kind_at(local)).kwh += energy
            self.soc = 1.0 if self.is_full else self.soc + energy / self.battery_kwh
            self.now = step_end
            self.periods[-1].ended_at = step_end
        leaves_at = self.leaves_at
        self.now = end if leaves_at is None else max(self.now, min(end, leaves_at))

    def period_at(self, kind: PeriodKind) -> Period:
        if not self.periods or self.periods[-1].kind is not kind:
            self.periods.append(Period(self.now, self.now, kind))
        return self.periods[-1]


def bay_session(periods: Sequence[PricedPeriod], ended_at: datetime) -> ChargeSession:
    """The charge as the hub reads it back from the record (``session_of`` in
    ``charging/receipt.py``): charging until the last period ends, then the
    whole minutes still plugged in until ``ended_at`` are parking time; a charge
    that took no time at all has none."""
    kwh = sum((p.kwh for p in periods), Decimal(0))
    if not periods:
        return ChargeSession.flat(ended_at, ended_at, kwh)
    started_at = min(p.started_at for p in periods)
    charged_until = max(p.ended_at for p in periods)
    if charged_until <= started_at:
        return ChargeSession.flat(charged_until, charged_until, kwh)
    parked_s = max(0.0, (ended_at - charged_until).total_seconds())
    minutes = math.floor(parked_s / 60)
    return ChargeSession.flat(started_at, charged_until, kwh, minutes)


def _sum(lines: list[BillLine]) -> Decimal:
    return sum((line.amount.amount for line in lines), Decimal(0))


def charge_record(charge: Charge) -> SentRecord:
    """The record of ``charge`` if it ended now: the energy at time-of-use prices,
    then the parking and idle fees (``pricing.quote``, the hub's own functions)
    of the time plugged in after charging. Times are whole seconds, so the hub
    prices the very session read back from either protocol."""
    periods = price_periods(charge.tariff, charge.periods)
    ended_at = whole_second(charge.now)
    session = bay_session(periods, ended_at)
    electricity = sum((p.electricity_money for p in periods), Decimal(0))
    service = sum((p.service_money for p in periods), Decimal(0))
    parking = _sum(parking_lines(charge.parking, session, charge.zone))
    idle = _sum(idle_lines(charge.tariff, session))
    return SentRecord(
        ref=charge.ref,
        record_id=f"CDR-{charge.session_id}"[-36:],
        session_id=charge.session_id,
        pile=charge.pile,
        started_at=whole_second(charge.started_at),
        ended_at=ended_at,
        kwh=sum((p.kwh for p in periods), Decimal(0)),
        periods=periods,
        electricity_money=electricity,
        service_money=service,
        parking_money=parking,
        idle_money=idle,
        total_money=electricity + service + parking + idle,
        stop_cause=charge.stop_cause or StopCause.REQUESTED,
    )


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
        status = self.network.status(ref.index)
        if status is PileStatus.OFFLINE or status is PileStatus.UNKNOWN:
            return Refusal.OFFLINE
        if status.category is StatusCategory.OFFLINE:
            return Refusal.FAULTED
        busy = any(c.pile == pile_name for c in self._charges.values())
        if busy or status is not PileStatus.AVAILABLE:
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
            tariff=self.network.tariff_of(pile.station_index),
            zone=ZoneInfo(station.time_zone),
            max_power_kw=station.piles[pile.position].max_power_kw,
            battery_kwh=self._rng.uniform(60.0, 100.0),
            soc=self._rng.uniform(0.1, 0.5),
            started_at=started,
            now=started,
            context=dict(context),
            parking=self.network.parking_of(pile.station_index),
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
        charge.period_at(charge.tariff.kind_at(local))  # a CDR needs one period
        await self.runner.force(charge.pile, PileStatus.CHARGING)
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
                await self.runner.force(charge.pile, PileStatus.OCCUPIED)
            await self._report("progressed", charge)

    async def _finish(self, charge: Charge) -> None:
        await self.runner.force(charge.pile, PileStatus.AVAILABLE)
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

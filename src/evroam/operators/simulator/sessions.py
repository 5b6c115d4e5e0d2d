"""Charging sessions a simulated partner runs: start, energy by a curve, stop, record.

Protocol-free: ``ocpi_sessions.py`` and ``tcec_sessions.py`` turn the
``SessionReporter`` calls into OCPI or T/CEC messages. A session is accepted
``accept_delay_s`` (wall time) after the request if its pile is free, sets the
pile CHARGING, then every ``report_every_s`` of *simulated* time adds energy at
the pile's power, capped by a simple curve (full power to 80 % SoC, then
tapering to 10 % at full), and reports progress. ``speedup`` compresses
simulated time (60: a 30-minute charge takes 30 s), so with a speedup above 1
session times run ahead of the wall clock. On stop (or a full battery) the pile
goes back AVAILABLE (the car leaves: no parking fee) and the partner sends its
record, priced with the pile's time-of-use tariff, split at period changes.
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
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import APIRouter

from evroam.catalogue.model import PileStatus, StatusCategory
from evroam.operators.simulator.network import SimulatedNetwork
from evroam.operators.simulator.runner import SimulationRunner
from evroam.pricing.tariff import PeriodKind, Tariff
from evroam.shared.clock import Clock
from evroam.shared.money import Money

_log = logging.getLogger(__name__)
KWH = Decimal("0.01")
TAPER_FROM_SOC = 0.8
MIN_POWER_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """``speedup``: simulated seconds per wall second (tests use thousands)."""

    speedup: float = 1.0
    accept_delay_s: float = 0.2
    report_every_s: float = 15.0
    seed: int = 7
    deliver_attempts: int = 12
    retry_first_s: float = 0.5
    retry_max_s: float = 30.0

    def __post_init__(self) -> None:
        if self.speedup <= 0 or self.report_every_s <= 0 or self.accept_delay_s < 0:
            raise ValueError("speedup and report_every_s must be > 0")
        if self.deliver_attempts < 1 or not 0 < self.retry_first_s <= self.retry_max_s:
            raise ValueError("deliver_attempts >= 1 and 0 < retry_first_s <= max")

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
    FULL = "battery full"


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
    """A charge record the simulator sent (kept for reconciliation)."""

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
    total_money: Decimal
    stop_cause: StopCause

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


def price_periods(tariff: Tariff, periods: list[Period]) -> tuple[PricedPeriod, ...]:
    """Each period's kWh (to 0.01) at its period's prices; each money line is
    rounded half up to the fen once (``Money``)."""
    priced = []
    for period in periods:
        price = tariff.price_for(period.kind)
        kwh = Decimal(repr(period.kwh)).quantize(KWH)
        priced.append(
            PricedPeriod(
                period.started_at,
                period.ended_at,
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
    """One running session. ``context`` holds protocol data (response URLs ...)."""

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

    @property
    def kwh(self) -> float:
        return sum(p.kwh for p in self.periods)

    @property
    def power_kw(self) -> float:
        return charge_power_kw(self.max_power_kw, self.soc)

    def advance(self, seconds: float) -> None:
        """Charge for ``seconds`` of simulated time, splitting at price changes."""
        end = self.now + timedelta(seconds=seconds)
        while self.now < end and self.soc < 1.0:
            local = self.now.astimezone(self.zone)
            step_end = min(end, next_price_change(self.tariff, local))
            hours = (step_end - self.now).total_seconds() / 3600
            room = (1.0 - self.soc) * self.battery_kwh
            energy = min(self.power_kw * hours, room)
            self.period_at(self.tariff.kind_at(local)).kwh += energy
            self.soc = min(1.0, self.soc + energy / self.battery_kwh)
            self.now = step_end
            self.periods[-1].ended_at = step_end

    def period_at(self, kind: PeriodKind) -> Period:
        if not self.periods or self.periods[-1].kind is not kind:
            self.periods.append(Period(self.now, self.now, kind))
        return self.periods[-1]


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
            charge.advance(step)
            if charge.soc >= 1.0:
                charge.stop_cause = StopCause.FULL
            await self._report("progressed", charge)

    async def _finish(self, charge: Charge) -> None:
        await self.runner.force(charge.pile, PileStatus.AVAILABLE)
        ended = await self._deliver("ended", charge)
        record = self._record(charge)
        self.records.append(record)
        del self._charges[charge.ref]
        if recorded := await self._deliver("recorded", charge, record):
            self.delivered[record.record_id] = max(ended - 1, 0) + recorded - 1

    def _record(self, charge: Charge) -> SentRecord:
        periods = price_periods(charge.tariff, charge.periods)
        electricity = sum((p.electricity_money for p in periods), Decimal(0))
        service = sum((p.service_money for p in periods), Decimal(0))
        return SentRecord(
            ref=charge.ref,
            record_id=f"CDR-{charge.session_id}"[-36:],
            session_id=charge.session_id,
            pile=charge.pile,
            started_at=charge.started_at,
            ended_at=charge.now,
            kwh=sum((p.kwh for p in periods), Decimal(0)),
            periods=periods,
            electricity_money=electricity,
            service_money=service,
            total_money=electricity + service,
            stop_cause=charge.stop_cause or StopCause.REQUESTED,
        )

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

"""The simulator's heartbeat: churn every tick, push each change, apply chaos.

Pushes of one tick run concurrently (at most ``push_concurrency`` at a time)
and the next tick waits for them, so a slow hub slows the loop and the churn
catches up from the elapsed time. With ``chaos_rate`` r, a share r of churn
pushes is dropped, sent twice, or held back and sent after the next tick's
pushes (reordered), one third each. A push that fails is counted and dropped:
the hub resyncs by pulling. Forced changes (control API) skip the chaos.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from fastapi import FastAPI

from evroam.shared.clock import Clock
from evroam.simulator.churn import Churn
from evroam.simulator.network import Change, SimulatedNetwork

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """How a simulator churns and pushes; ``changes_per_s`` None means piles/600."""

    seed: int = 7
    changes_per_s: float | None = None
    tick_s: float = 0.5
    chaos_rate: float = 0.0
    push_concurrency: int = 8

    def __post_init__(self) -> None:
        if not 0.0 <= self.chaos_rate <= 1.0:
            raise ValueError("chaos_rate must be between 0 and 1")
        if self.tick_s <= 0 or self.push_concurrency < 1:
            raise ValueError("tick_s must be > 0 and push_concurrency >= 1")


class Pusher(Protocol):
    """Sends one change to the hub in the simulator's protocol."""

    @property
    def is_ready(self) -> bool:
        """False until the hub can be pushed to (OCPI: until it registered)."""
        ...

    async def push(self, change: Change) -> None:
        """Raise on any failure; the runner counts it."""
        ...


class Fate(enum.Enum):
    SENT = "sent"
    DROPPED = "dropped"
    DUPLICATED = "duplicated"
    DELAYED = "delayed"


@dataclass(slots=True)
class PushCounters:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    duplicated: int = 0
    delayed: int = 0
    skipped: int = 0  # not sent because the hub has not registered yet
    in_flight: int = 0  # sent, answer not back yet
    last_failure: str = ""  # why the latest failed push failed, for operators
    last_failure_at: str = ""

    def as_dict(self) -> dict[str, int | str]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "dropped": self.dropped,
            "duplicated": self.duplicated,
            "delayed": self.delayed,
            "skipped": self.skipped,
            "in_flight": self.in_flight,
            "last_failure": self.last_failure,
            "last_failure_at": self.last_failure_at,
        }


class SimulationRunner:
    """Owns the churn loop and the pushes of one simulator."""

    def __init__(
        self,
        network: SimulatedNetwork,
        pusher: Pusher,
        settings: SimulationSettings,
        clock: Clock,
    ) -> None:
        self.network = network
        self.churn = Churn(network, settings.seed, settings.changes_per_s)
        self.counters = PushCounters()
        self.changes_made = 0
        self.is_paused = False
        self._pusher = pusher
        self._settings = settings
        self._clock = clock
        self._chaos = random.Random(f"{settings.seed}:chaos")
        self._limit = asyncio.Semaphore(settings.push_concurrency)
        self._held: list[Change] = []
        self._last_tick: datetime | None = None

    @property
    def is_registered(self) -> bool:
        return self._pusher.is_ready

    def pause(self) -> None:
        self.is_paused = True

    def resume(self) -> None:
        self.is_paused = False
        self._last_tick = None  # no burst for the paused time

    async def tick(self, now: datetime | None = None) -> list[Change]:
        """One churn step up to ``now`` and its pushes (awaited)."""
        now = now or self._clock.now()
        dt_s = (
            0.0 if self._last_tick is None else (now - self._last_tick).total_seconds()
        )
        self._last_tick = now
        changes = [] if self.is_paused else self.churn.step(now, dt_s)
        self.changes_made += len(changes)
        held, self._held = self._held, []
        if not self._pusher.is_ready:
            self.counters.skipped += len(changes) + len(held)
            return changes
        await self._send_all(self._with_chaos(changes))
        await self._send_all(held)  # after this tick's pushes: reordered
        return changes

    def raise_service_fee(self, per_kwh: Decimal) -> None:
        self.network.raise_service_fee(per_kwh, self._clock.now())

    async def force(self, pile_name: str, status: str) -> Change:
        """Set pile ``pile_name`` to the status named ``status`` now and push it
        at once (no chaos)."""
        pile = self.network.pile_named(pile_name)
        change = self.network.change_to(pile.index, status, self._clock.now())
        self.network.apply(change)
        self.changes_made += 1
        if self._pusher.is_ready:
            await self._send_all([change])
        else:
            self.counters.skipped += 1
        return change

    async def run(self) -> None:
        """Tick every ``tick_s`` until cancelled."""
        while True:
            try:
                await self.tick()
            except Exception:  # keep churning: a bad tick must not stop the simulator
                _log.exception("simulator tick failed")
            await asyncio.sleep(self._settings.tick_s)

    def state(self) -> dict[str, Any]:
        net = self.network
        return {
            "operator": net.operator.id,
            "protocol": net.protocol.value,
            "stations": net.station_count,
            "piles": net.pile_count,
            "by_status": {s.value: n for s, n in net.count_by_status().items()},
            "utilisation": round(net.utilisation(), 4),
            "changes": self.changes_made,
            "changes_per_s": self.churn.changes_per_s,
            "chaos_rate": self._settings.chaos_rate,
            "is_paused": self.is_paused,
            "is_registered": self.is_registered,
            "pushes": self.counters.as_dict(),
        }

    # --- pushing -----------------------------------------------------------------

    def _fate(self) -> Fate:
        rate = self._settings.chaos_rate
        if rate <= 0 or self._chaos.random() >= rate:
            return Fate.SENT
        return self._chaos.choice((Fate.DROPPED, Fate.DUPLICATED, Fate.DELAYED))

    def _with_chaos(self, changes: Sequence[Change]) -> list[Change]:
        out: list[Change] = []
        for change in changes:
            fate = self._fate()
            if fate is Fate.DROPPED:
                self.counters.dropped += 1
            elif fate is Fate.DELAYED:
                self.counters.delayed += 1
                self._held.append(change)
            else:
                out.append(change)
                if fate is Fate.DUPLICATED:
                    self.counters.duplicated += 1
                    out.append(change)
        return out

    async def _send_all(self, changes: Sequence[Change]) -> None:
        if changes:
            await asyncio.gather(*(self._send(c) for c in changes))

    async def _send(self, change: Change) -> None:
        self.counters.in_flight += 1
        try:
            async with self._limit:
                await self._pusher.push(change)
        except Exception as exc:  # hub down or refusing: it resyncs by pulling
            self.counters.failed += 1
            self.counters.last_failure = f"{type(exc).__name__}: {exc}"[:300]
            self.counters.last_failure_at = self._clock.now().isoformat()
            _log.debug("push of pile %s failed: %s", change.pile, exc)
        else:
            self.counters.sent += 1
        finally:
            self.counters.in_flight -= 1


def runner_lifespan(
    runner: SimulationRunner, on_close: Callable[[], Awaitable[None]] | None = None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that runs the loop; ``on_close`` is awaited at the end."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(runner.run())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            if on_close is not None:
                await on_close()

    return lifespan

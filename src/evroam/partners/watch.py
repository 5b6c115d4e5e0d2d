"""The feed watcher: expires silent piles and re-pulls partners that come back."""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar

from evroam.partners.errors import PartnerError
from evroam.partners.ports import LeaseStore
from evroam.partners.service import PartnersService
from evroam.shared.clock import Clock

LEASE = "feed-watcher"
_log = logging.getLogger(__name__)
T = TypeVar("T")


class Offload(Protocol):
    """``await offload(fn)``: ``fn()`` off the event loop (the composition root's
    ``Boundary.run``); blocking chores and lease calls go through it."""

    def __call__(self, fn: Callable[[], T], /) -> Awaitable[T]: ...


async def _inline(fn: Callable[[], T]) -> T:
    return fn()


class FeedWatcher:
    """Runs in every API worker; only the lease holder works, the rest stand by."""

    def __init__(
        self,
        partners: PartnersService,
        leases: LeaseStore,
        clock: Clock,
        interval_s: float,
        check_every_s: float,
        reconcile_every_s: float = 0.0,
        chores: Sequence[Callable[[], object]] = (),
        offload: Offload = _inline,
    ) -> None:
        self._partners = partners
        self._leases = leases
        self._clock = clock
        self._interval_s = interval_s
        self._check_every_s = check_every_s
        self._holder = uuid.uuid4().hex
        self._reconcile_every_s = reconcile_every_s
        # Other contexts' periodic work (the start outbox, expired holds), run
        # by the same lease holder each round; a chore may be a coroutine.
        self._chores = tuple(chores)
        self._offload = offload
        self._last_check: datetime | None = None
        self._last_reconcile: datetime | None = None

    async def run_forever(self) -> None:
        try:
            while True:
                try:
                    await self.run_once()
                except Exception:  # keep watching whatever one round did
                    _log.exception("feed watcher round failed")
                await asyncio.sleep(self._interval_s)
        finally:
            await self._offload(partial(self._leases.release, LEASE, self._holder))

    async def run_once(self) -> bool:
        """One round; False when another worker holds the lease."""
        now = self._clock.now()
        acquire = partial(
            self._leases.try_acquire, LEASE, self._holder, self._interval_s * 3, now
        )
        if not await self._offload(acquire):
            return False
        await self._partners.expire_silent_piles()
        for chore in self._chores:
            # A coroutine function is an async adapter's chore (it awaits on the
            # loop); anything else blocks, so it runs off the loop.
            if inspect.iscoroutinefunction(chore):
                await chore()
            else:
                await self._offload(chore)
        due = self._last_check is None or (
            (now - self._last_check).total_seconds() >= self._check_every_s
        )
        if due:
            self._last_check = now
            for partner in await self._offload(self._partners.list_partners):
                try:
                    await self._partners.check_partner(partner.id)
                except PartnerError as exc:  # recorded in feed health by the service
                    _log.warning("partner %s still unreachable: %s", partner.id, exc)
        if self._reconcile_due(now):
            self._last_reconcile = now
            await self._reconcile_all()
        return True

    def _reconcile_due(self, now: datetime) -> bool:
        if self._reconcile_every_s <= 0:
            return False
        if self._last_reconcile is None:
            self._last_reconcile = now  # the first sync just read everything
            return False
        elapsed = (now - self._last_reconcile).total_seconds()
        return elapsed >= self._reconcile_every_s

    async def _reconcile_all(self) -> None:
        for partner in await self._offload(self._partners.list_partners):
            try:
                changed = await self._partners.reconcile_status(partner.id)
            except PartnerError as exc:
                _log.warning("reconciling %s failed: %s", partner.id, exc)
                continue
            if changed:
                _log.info("reconciling %s healed %d piles", partner.id, changed)

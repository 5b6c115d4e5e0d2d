"""Status use-cases: ingest partner reports, expire silent piles, fan events out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from evroam.shared.clock import Clock
from evroam.shared.ids import OperatorId
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport
from evroam.status.ports import EventBus, StatusStore


class StatusService:
    def __init__(self, store: StatusStore, bus: EventBus, clock: Clock) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock

    async def ingest(
        self, reports: Sequence[PileStatusReport]
    ) -> list[PileStatusChanged]:
        """Durably apply a batch of reports, then publish what really changed."""
        changed = self._store.apply(reports)
        if changed:
            await self._bus.publish(changed)
        return changed

    def ingest_swap_stock(self, reports: Sequence[SwapStockReport]) -> int:
        return self._store.apply_swap_stock(reports)

    async def expire_silent_piles(
        self, operator_id: OperatorId, ttl: timedelta
    ) -> list[PileStatusChanged]:
        """Piles not heard from within ``ttl`` turn ``unknown`` on the map."""
        now = self._clock.now()
        changed = self._store.expire(operator_id, now - ttl, now)
        if changed:
            await self._bus.publish(changed)
        return changed

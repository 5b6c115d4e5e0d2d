"""Status use-cases: ingest partner reports, expire silent piles, fan events out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId, PileId
from evroam.shared.offload import Offload, inline
from evroam.status.history import StatusAt, import_rows
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport
from evroam.status.ports import EventBus, StatusStore


class StatusService:
    def __init__(
        self,
        store: StatusStore,
        bus: EventBus,
        clock: Clock,
        offload: Offload = inline,
    ) -> None:
        """``offload`` runs the store's blocking work of the async use cases
        (the composition root: off the event loop)."""
        self._store = store
        self._bus = bus
        self._clock = clock
        self._offload = offload

    async def ingest(
        self, reports: Sequence[PileStatusReport]
    ) -> list[PileStatusChanged]:
        """Durably apply a batch of reports, then publish what really changed."""
        changed = await self._offload(self._store.apply, reports)
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
        changed = await self._offload(self._store.expire, operator_id, now - ttl, now)
        if changed:
            await self._bus.publish(changed)
        return changed

    def history_starts(self, pile_ids: Sequence[PileId]) -> dict[PileId, datetime]:
        """When each pile's history starts (piles without one left out)."""
        return self._store.first_recorded(pile_ids)

    def import_history(
        self, timelines: Mapping[PileId, Sequence[StatusAt]], ends_at: datetime
    ) -> int:
        """Import what piles did before the hub saw them (the demo's backfill, or
        history brought from another system); returns the rows added.

        Only the history gets rows; live status is untouched. Each pile's rows
        stop before ``ends_at`` and before the first change the hub recorded
        itself (``status.history.imported_changes``)."""
        if ends_at.tzinfo is None or ends_at > self._clock.now():
            raise InvalidInputError("ends_at", "must be an aware time not after now")
        first = self._store.first_recorded(list(timelines))
        return self._store.import_history(import_rows(timelines, ends_at, first))

"""What the status context needs: a durable status store and an event bus."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Protocol

from evroam.shared.ids import OperatorId
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport


class StatusStore(Protocol):
    def apply(self, reports: Sequence[PileStatusReport]) -> list[PileStatusChanged]:
        """Store reports newer than what is held; return the real changes.

        Reports for unknown piles and stale or duplicate reports change nothing.
        """
        ...

    def apply_swap_stock(self, reports: Sequence[SwapStockReport]) -> int: ...

    def expire(
        self, operator_id: OperatorId, heard_before: datetime, now: datetime
    ) -> list[PileStatusChanged]:
        """Mark the operator's piles not heard from since ``heard_before`` unknown."""
        ...


class EventBus(Protocol):
    async def publish(self, events: Sequence[PileStatusChanged]) -> None: ...

    async def subscribe(self) -> AsyncGenerator[PileStatusChanged, None]:
        """Every event published after the call, until the iterator is closed."""
        ...

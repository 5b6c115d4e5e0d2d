"""What the status context needs: a durable status store and an event bus."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Protocol

from evroam.shared.ids import OperatorId, PileId
from evroam.status.history import PileStatusChange
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport


class StatusStore(Protocol):
    """Live pile status and its history: every real change the store makes
    (``apply``, ``expire``, a pile first seen) is also a history row."""

    def apply(self, reports: Sequence[PileStatusReport]) -> list[PileStatusChanged]:
        """Store reports newer than what is held; return the real changes.

        Reports for unknown piles and stale or duplicate reports change nothing.
        """
        ...

    def first_recorded(self, pile_ids: Sequence[PileId]) -> dict[PileId, datetime]:
        """When the history of each pile starts (piles without one left out)."""
        ...

    def import_history(self, changes: Sequence[PileStatusChange]) -> int:
        """Add rows of the past to the history only; live status is untouched."""
        ...

    def changes_of(
        self, pile_ids: Sequence[PileId], since: datetime, until: datetime
    ) -> list[PileStatusChange]:
        """History rows of ``pile_ids`` in ``[since, until)``, oldest first."""
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

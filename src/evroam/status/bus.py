"""The in-process event bus: fan-out to every subscriber of this process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence

from evroam.status.model import PileStatusChanged

_QUEUE_SIZE = 10_000


class InProcessEventBus:
    """Each subscriber has a bounded queue; a slow one loses its oldest events."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[PileStatusChanged]] = set()

    async def publish(self, events: Sequence[PileStatusChanged]) -> None:
        for queue in list(self._queues):
            for event in events:
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(event)

    async def subscribe(self) -> AsyncGenerator[PileStatusChanged, None]:
        """Registers at once, so nothing published after this call is missed."""
        queue: asyncio.Queue[PileStatusChanged] = asyncio.Queue(_QUEUE_SIZE)
        self._queues.add(queue)
        return self._drain(queue)

    async def _drain(
        self, queue: asyncio.Queue[PileStatusChanged]
    ) -> AsyncGenerator[PileStatusChanged, None]:
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

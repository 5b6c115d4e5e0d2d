"""A host router and an event recorder for the remote-charging tests."""

from __future__ import annotations

import asyncio
from typing import Any

from evroam.charging.remote import RemoteEvent, UnknownSessionError


class Recorder:
    """The hub's side of the callbacks: keeps every event, refuses unknown refs."""

    def __init__(self) -> None:
        self.events: list[tuple[str, RemoteEvent]] = []
        self.known: set[str] | None = None  # None: every ref is known
        self._arrived = asyncio.Event()

    async def __call__(self, key: str, event: RemoteEvent) -> None:
        if self.known is not None and event.ref not in self.known:
            raise UnknownSessionError(event.ref)
        self.events.append((key, event))
        self._arrived.set()

    def of(self, kind: type[Any], ref: str | None = None) -> list[Any]:
        return [
            e
            for _, e in self.events
            if isinstance(e, kind) and (ref is None or e.ref == ref)
        ]

    async def wait_for(
        self, kind: type[Any], ref: str, count: int = 1, timeout_s: float = 10.0
    ) -> list[Any]:
        async with asyncio.timeout(timeout_s):
            while len(self.of(kind, ref)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.of(kind, ref)

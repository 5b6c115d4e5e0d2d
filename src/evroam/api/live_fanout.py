"""One bus subscription per API worker, fanned out to its SSE streams (ADR 0046).

Each ``GET /api/v1/events`` used to hold a bus subscription of its own: with the
Redis bus one connection and one ``XREAD`` per stream, every event decoded and
encoded once per stream, so 1,000 streams on a worker fell seconds behind. Here
a worker reads the bus once, encodes each event's SSE frame once, and hands the
frame to the streams whose bbox holds the pile; a stream is a bounded queue of
frames (a slow client loses its oldest frames, never slows the others).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

from evroam.shared.geo import BoundingBox
from evroam.status.model import PileStatusChanged
from evroam.status.ports import EventBus

__all__ = ["LiveFanout"]

_log = logging.getLogger(__name__)
_QUEUE_FRAMES = 1_000
_ENDED = ""  # a frame no event encodes to: the stream is over (the bus failed)
_RETRY_S = 0.5


@dataclass(eq=False, slots=True)
class _Stream:
    box: BoundingBox | None
    frames: asyncio.Queue[str] = field(
        default_factory=lambda: asyncio.Queue(_QUEUE_FRAMES)
    )

    def offer(self, frame: str) -> None:
        if self.frames.full():
            self.frames.get_nowait()
        self.frames.put_nowait(frame)


class LiveFanout:
    """``frames(box)`` yields the SSE frame of every event published after the
    call whose pile is inside ``box`` (every event when ``box`` is None)."""

    def __init__(self, bus: EventBus, encode: Callable[[PileStatusChanged], str]):
        self._bus = bus
        self._encode = encode
        self._streams: set[_Stream] = set()
        self._pump: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = asyncio.Lock()

    async def frames(self, box: BoundingBox | None) -> AsyncGenerator[str, None]:
        """Registered, and the bus subscribed, before this returns: nothing
        published afterwards is missed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests): nothing of the old one holds
            self._loop, self._pump = loop, None
            self._starting, self._streams = asyncio.Lock(), set()
        stream = _Stream(box)
        await self._ensure_reading()
        self._streams.add(stream)
        return self._drain(stream)

    async def _ensure_reading(self) -> None:
        async with self._starting:
            if self._pump is None or self._pump.done():
                events = await self._bus.subscribe()
                self._pump = asyncio.create_task(self._read(events))

    async def _read(self, events: AsyncGenerator[PileStatusChanged, None]) -> None:
        """Deliver until the bus ends; a failed read subscribes again once (the
        events in between are lost, as a reconnecting browser's are); if that
        fails too, every stream ends and its client reconnects."""
        try:
            while True:
                try:
                    async for event in events:
                        self._deliver(event)
                    return
                except Exception:
                    _log.warning("live events: bus read failed, again", exc_info=True)
                    with contextlib.suppress(Exception):
                        await events.aclose()
                    await asyncio.sleep(_RETRY_S)
                    events = await self._bus.subscribe()
        except Exception:
            _log.exception(
                "live events: the bus failed; streams end, clients reconnect"
            )
        finally:
            for stream in list(self._streams):
                stream.offer(_ENDED)
            self._streams.clear()
            with contextlib.suppress(Exception):
                await events.aclose()

    def _deliver(self, event: PileStatusChanged) -> None:
        frame: str | None = None
        for stream in list(self._streams):
            box = stream.box
            if box is None or box.contains(event.lat, event.lon):
                frame = frame or self._encode(event)
                stream.offer(frame)

    async def _drain(self, stream: _Stream) -> AsyncGenerator[str, None]:
        try:
            while True:
                frame = await stream.frames.get()
                if frame == _ENDED:
                    return
                yield frame
        finally:
            self._streams.discard(stream)

    async def aclose(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None

"""Status events over a Redis Stream, so every API worker's SSE clients see them."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any

import redis.asyncio as aioredis

from evroam.catalogue.model import PileStatus
from evroam.shared.ids import PileId, StationId
from evroam.status.model import PileStatusChanged

STREAM = "evroam:pile-status"


def stream_name(namespace: str) -> str:
    """The status stream of the hub whose Redis keys start with ``namespace``."""
    return f"{namespace}:pile-status"


_MAX_LEN = 100_000  # approximate trim: the stream is a live feed, not a log
_BLOCK_MS = 5_000
# redis-py 8 times a read out after 5 s by default, the same as the XREAD's block:
# a quiet stream (or a busy loop) then lost the subscription. Wait longer.
_READ_TIMEOUT_S = _BLOCK_MS / 1000 + 10


class RedisStreamsEventBus:
    def __init__(self, url: str, stream: str = STREAM) -> None:
        self._url = url
        self._stream = stream
        self._client: aioredis.Redis | None = None

    def _redis(self) -> aioredis.Redis:
        if self._client is None:
            self._client = aioredis.Redis.from_url(self._url)
        return self._client

    async def publish(self, events: Sequence[PileStatusChanged]) -> None:
        client = self._redis()
        async with client.pipeline(transaction=False) as pipe:
            for event in events:
                pipe.xadd(
                    self._stream,
                    {"e": json.dumps(_to_wire(event))},
                    maxlen=_MAX_LEN,
                    approximate=True,
                )
            await pipe.execute()

    async def subscribe(self) -> AsyncGenerator[PileStatusChanged, None]:
        """Pins the stream's current last id now, so no event published after
        this call is missed (reading from ``$`` later would skip some)."""
        client = aioredis.Redis.from_url(self._url, socket_timeout=_READ_TIMEOUT_S)
        newest: Any = await client.xrevrange(self._stream, count=1)
        last_id = newest[0][0] if newest else b"0-0"
        return self._read(client, last_id)

    async def _read(
        self, client: aioredis.Redis, last_id: bytes
    ) -> AsyncGenerator[PileStatusChanged, None]:
        try:
            while True:
                reply: Any = await client.xread(
                    {self._stream: last_id}, block=_BLOCK_MS
                )
                for _stream, entries in reply or []:
                    for entry_id, fields in entries:
                        last_id = entry_id
                        yield _from_wire(json.loads(fields[b"e"]))
        finally:
            await client.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _to_wire(event: PileStatusChanged) -> dict[str, object]:
    return {
        "station_id": event.station_id,
        "pile_id": event.pile_id,
        "status": event.status.value,
        "observed_at": event.observed_at.isoformat(),
        "lat": event.lat,
        "lon": event.lon,
    }


def _from_wire(data: dict[str, object]) -> PileStatusChanged:
    return PileStatusChanged(
        station_id=StationId(str(data["station_id"])),
        pile_id=PileId(str(data["pile_id"])),
        status=PileStatus(str(data["status"])),
        observed_at=datetime.fromisoformat(str(data["observed_at"])),
        lat=float(str(data["lat"])),
        lon=float(str(data["lon"])),
    )

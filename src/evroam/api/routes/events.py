"""Live pile status as Server-Sent Events: GET /api/v1/events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from evroam.api.deps import get_services
from evroam.api.live_fanout import LiveFanout
from evroam.api.routes.stations import BBOX_HELP, parse_bbox
from evroam.status.model import PileStatusChanged

router = APIRouter(prefix="/api/v1", tags=["events"])

HEARTBEAT_S = 15.0


def live_fanout(request: Request) -> LiveFanout:
    """This worker's one reader of the bus (ADR 0046), made on first use."""
    live: LiveFanout | None = getattr(request.app.state, "live", None)
    if live is None:
        live = LiveFanout(get_services(request).bus, sse_frame)
        request.app.state.live = live
    return live


LiveDep = Annotated[LiveFanout, Depends(live_fanout)]


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_events(
    live: LiveDep,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
) -> StreamingResponse:
    """``event: pile_status`` for every status change (inside ``bbox`` if given)."""
    box = parse_bbox(bbox) if bbox else None
    return StreamingResponse(
        _sse(await live.frames(box)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse_frame(event: PileStatusChanged) -> str:
    data = {
        "station_id": event.station_id,
        "pile_id": event.pile_id,
        "status": event.status.value,
        "category": event.status.category.value,
        "observed_at": event.observed_at.isoformat(),
        "lat": event.lat,
        "lon": event.lon,
    }
    return f"event: pile_status\ndata: {json.dumps(data)}\n\n"


async def _sse(frames: AsyncGenerator[str, None]) -> AsyncIterator[str]:
    yield ": connected\n\n"
    pending: asyncio.Task[str] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(frames))
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_S)
            if not done:
                yield ": keep-alive\n\n"
                continue
            try:
                frame = pending.result()
            except StopAsyncIteration:
                return  # the bus failed: the client reconnects
            pending = None
            yield frame
    finally:
        if pending is not None:
            # The pending read holds the generator: finish it before closing.
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await frames.aclose()

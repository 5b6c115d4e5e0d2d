"""Live pile status as Server-Sent Events: GET /api/v1/events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from evroam.api.deps import ServicesDep
from evroam.api.routes.stations import BBOX_HELP, parse_bbox
from evroam.shared.geo import BoundingBox
from evroam.status.model import PileStatusChanged
from evroam.status.ports import EventBus

router = APIRouter(prefix="/api/v1", tags=["events"])

HEARTBEAT_S = 15.0


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_events(
    services: ServicesDep,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
) -> StreamingResponse:
    """``event: pile_status`` for every status change (inside ``bbox`` if given)."""
    box = parse_bbox(bbox) if bbox else None
    return StreamingResponse(
        _sse(services.bus, box),
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


async def _sse(bus: EventBus, box: BoundingBox | None) -> AsyncIterator[str]:
    events = await bus.subscribe()
    yield ": connected\n\n"
    pending: asyncio.Task[PileStatusChanged] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=HEARTBEAT_S)
            if not done:
                yield ": keep-alive\n\n"
                continue
            event = pending.result()
            pending = None
            if box is None or box.contains(event.lat, event.lon):
                yield sse_frame(event)
    finally:
        if pending is not None:
            # The pending read holds the generator: finish it before closing.
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await events.aclose()

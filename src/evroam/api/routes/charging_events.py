"""A charge as it happens: GET /api/v1/charging-sessions/{id}/events (SSE).

A browser's EventSource sends no headers, so the web app's session cookie
authenticates it (ADR 0036); bearer tokens work too. The stream reads the
session every ``POLL_S`` through the async boundary (any worker's write shows,
with no bus between workers) and sends ``event: progress`` whenever what the
driver sees changed, then ``event: end`` once it is billed, rejected, failed,
disputed or closed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES
from evroam.api.schemas.money import session_public
from evroam.bootstrap import Services
from evroam.charging.model import SessionStatus
from evroam.shared.ids import AccountId, SessionId

router = APIRouter(prefix="/api/v1", tags=["money"])

POLL_S = 1.0
HEARTBEAT_S = 15.0
_FINAL = {
    SessionStatus.BILLED,
    SessionStatus.REJECTED,
    SessionStatus.FAILED,
    SessionStatus.DISPUTED,
    SessionStatus.CLOSED,
}


@router.get(
    "/charging-sessions/{session_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **AUTH_RESPONSES},
)
def charging_events(
    services: ServicesDep, account: CurrentAccount, session_id: str
) -> StreamingResponse:
    """``event: progress`` (the session as GET gives it: kWh, power, SoC, cost so
    far) on every change, ``event: end`` when it is billed, rejected or failed."""
    services.charging.get_session(account.id, SessionId(session_id))  # 404 first
    return StreamingResponse(
        _progress(services, account.id, SessionId(session_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _progress(
    services: Services, account_id: AccountId, session_id: SessionId
) -> AsyncIterator[str]:
    yield ": connected\nretry: 2000\n\n"
    last = ""
    quiet_s = 0.0
    while True:
        session = await services.boundary.run(
            services.charging.get_session, account_id, session_id
        )
        data = json.dumps(session_public(session).model_dump(mode="json"))
        if data != last:
            last, quiet_s = data, 0.0
            yield f"event: progress\ndata: {data}\n\n"
        elif quiet_s >= HEARTBEAT_S:
            quiet_s = 0.0
            yield ": keep-alive\n\n"
        if session.status in _FINAL:
            yield f"event: end\ndata: {data}\n\n"
            return
        await asyncio.sleep(POLL_S)
        quiet_s += POLL_S

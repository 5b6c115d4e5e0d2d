"""Transport and format, Unique message IDs: ``X-Request-ID`` and ``X-Correlation-ID``.

Every request SHALL carry a unique request ID, echoed in its response; every
request and response SHALL carry a correlation ID, the same in the response.
Our servers echo both (making up any the peer left out) and log them; our
clients send a fresh request ID and the correlation ID of the exchange they
belong to: while a server handles a request, calls it makes to the peer (e.g.
reading its endpoints during a credentials POST) keep the incoming correlation
ID, so one exchange reads as one ID in both parties' logs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID = "X-Request-ID"
CORRELATION_ID = "X-Correlation-ID"
MAX_ID_LENGTH = 255  # what we echo of a peer's ID; OCPI advises UUIDs (36)

log = logging.getLogger("evroam.ocpi.messages")
_correlation: ContextVar[str | None] = ContextVar("ocpi_correlation", default=None)


def new_message_id() -> str:
    """A fresh ID; the spec advises GUIDs/UUIDs."""
    return str(uuid.uuid4())


def current_correlation_id() -> str | None:
    return _correlation.get()


@contextmanager
def correlated(correlation_id: str) -> Iterator[str]:
    """Calls made inside the block carry ``correlation_id``."""
    token = _correlation.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _correlation.reset(token)


def outgoing_ids() -> dict[str, str]:
    """The headers of a request we send: a new request ID, the exchange's
    correlation ID (a new one outside any exchange)."""
    return {
        REQUEST_ID: new_message_id(),
        CORRELATION_ID: current_correlation_id() or new_message_id(),
    }


def incoming_ids(headers: Mapping[str, str]) -> tuple[str, str]:
    """The (request, correlation) IDs of a request we answer; any the peer
    left out is made up so the response still carries both."""
    request_id = (headers.get(REQUEST_ID) or "").strip()[:MAX_ID_LENGTH]
    correlation_id = (headers.get(CORRELATION_ID) or "").strip()[:MAX_ID_LENGTH]
    return request_id or new_message_id(), correlation_id or new_message_id()


def log_exchange(
    direction: str,
    method: str,
    url: str,
    http_status: int,
    ids: Mapping[str, str],
) -> None:
    """One line per OCPI request, in (``<-``, we answered) or out (``->``)."""
    log.info(
        "OCPI %s %s %s: HTTP %s request_id=%s correlation_id=%s",
        direction,
        method,
        url,
        http_status,
        ids.get(REQUEST_ID, "-"),
        ids.get(CORRELATION_ID, "-"),
    )


__all__ = [
    "CORRELATION_ID",
    "REQUEST_ID",
    "correlated",
    "current_correlation_id",
    "incoming_ids",
    "log_exchange",
    "new_message_id",
    "outgoing_ids",
]

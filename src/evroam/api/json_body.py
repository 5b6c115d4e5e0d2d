"""Request bodies sent to ``/api/`` must say they are JSON, or get a 415 (ADR 0017).

A body whose ``Content-Type`` is not ``application/json`` (or ``application/*+json``)
is answered 415 problem+json with a one-line curl hint before any route runs, so
nothing changes. Requests without a body (a bodyless POST such as a stop) pass.
Partner-facing endpoints are not under this rule: OCPI (``/ocpi/``) and T/CEC
(``/evcs/v1/``) read their bodies whatever the header says, and the payment
provider's webhook is checked by its signature over the raw bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evroam.api.problem import problem

GUARDED_PREFIX = "/api/"
EXEMPT_PATHS = frozenset({"/api/v1/payments/webhook"})
CURL_HINT = "send -H 'Content-Type: application/json' with the body"
_ACCEPT_HEADER = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type, parameters (charset) ignored."""
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class JsonBodyRequired:
    """ASGI middleware: 415 for a non-JSON body on a guarded path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_guarded(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if is_json_media_type(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        length = headers.get("content-length")
        if length is not None:
            has_body, replay = length.strip() not in ("", "0"), receive
        elif "transfer-encoding" in headers:
            has_body, replay = await _peek_body(receive)
        else:
            has_body, replay = False, receive
        if has_body:
            await _refuse(scope, receive, send, headers.get("content-type"))
        else:
            await self.app(scope, replay, send)


def _is_guarded(scope: Scope) -> bool:
    if scope["type"] != "http":
        return False
    path = str(scope.get("path", ""))
    return path.startswith(GUARDED_PREFIX) and path not in EXEMPT_PATHS


async def _peek_body(receive: Receive) -> tuple[bool, Receive]:
    """Read a chunked body's first messages: is there a byte? (then replay them)."""
    seen: list[Message] = []
    while True:
        message = await receive()
        seen.append(message)
        if (
            message["type"] != "http.request"
            or message.get("body")
            or not message.get("more_body")
        ):
            break
    has_body = any(m.get("body") for m in seen)
    return has_body, _replaying(seen, receive)


def _replaying(messages: Iterable[Message], receive: Receive) -> Receive:
    queued = list(messages)

    async def replay() -> Message:
        return queued.pop(0) if queued else await receive()

    return replay


async def _refuse(
    scope: Scope, receive: Receive, send: Send, content_type: str | None
) -> None:
    sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
    response = problem(
        415,
        "Unsupported media type",
        f"the request body must be JSON ({sent} given); {CURL_HINT}",
    )
    accept = _ACCEPT_HEADER.get(str(scope.get("method", "")))
    if accept:
        response.headers[accept] = "application/json"
    await response(scope, receive, send)

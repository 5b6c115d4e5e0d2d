"""The use cases' view of async adapters: blocking ports that run them on the loop.

Partners' APIs are reached with async HTTP clients and the event bus is async;
the use cases that call them are synchronous and run in the boundary's worker
threads. Each bridge here implements a use case's port by running the async
adapter's coroutine back on the event loop (``Boundary.on_loop``), so only the
use case's thread waits (docs/architecture.md, "The async boundary").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from evroam.boundary import Boundary
from evroam.charging.remote import (
    PileAddress,
    RemoteCharging,
    RemoteEvent,
    SessionQuery,
    StartResult,
    StopResult,
)
from evroam.partners.model import Partner


class AsyncRemoteCharging(Protocol):
    """A protocol's remote charging client (``gateways.*``): async HTTP."""

    @property
    def can_resend_start(self) -> bool: ...

    async def start(
        self, partner: Partner, pile: PileAddress, session_ref: str, token_uid: str
    ) -> StartResult: ...

    async def stop(
        self,
        partner: Partner,
        pile: PileAddress,
        session_ref: str,
        partner_session_id: str | None,
    ) -> StopResult: ...


class LoopRemoteCharging:
    """``RemoteCharging`` for the charging use cases over an async client."""

    def __init__(self, remote: AsyncRemoteCharging, boundary: Boundary) -> None:
        self._remote = remote
        self._boundary = boundary

    @property
    def can_resend_start(self) -> bool:
        return self._remote.can_resend_start

    def start(
        self, partner: Partner, pile: PileAddress, session_ref: str, token_uid: str
    ) -> StartResult:
        return self._boundary.on_loop(
            self._remote.start, partner, pile, session_ref, token_uid
        )

    def stop(
        self,
        partner: Partner,
        pile: PileAddress,
        session_ref: str,
        partner_session_id: str | None,
    ) -> StopResult:
        return self._boundary.on_loop(
            self._remote.stop, partner, pile, session_ref, partner_session_id
        )


AsyncSessionQuery = Callable[[Partner, str], Awaitable[list[RemoteEvent]]]
"""A protocol's session status query (``TcecRemoteCharging.query_charge_status``)."""


class LoopSessionQuery:
    """``SessionQuery`` for the charging use cases over an async query."""

    def __init__(self, query: AsyncSessionQuery, boundary: Boundary) -> None:
        self._query = query
        self._boundary = boundary

    def query_session(self, partner: Partner, session_ref: str) -> list[RemoteEvent]:
        return self._boundary.on_loop(self._query, partner, session_ref)


def _is_remote_charging(remote: LoopRemoteCharging) -> RemoteCharging:
    return remote  # mypy checks the bridge against the port here


def _is_session_query(query: LoopSessionQuery) -> SessionQuery:
    return query


__all__ = [
    "AsyncRemoteCharging",
    "AsyncSessionQuery",
    "LoopRemoteCharging",
    "LoopSessionQuery",
]

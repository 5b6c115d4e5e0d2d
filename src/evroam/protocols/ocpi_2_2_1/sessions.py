"""OCPI 2.2.1 Sessions and CDRs modules: an eMSP's receivers, a CPO's senders.

A CPO pushes a started session (``PUT {sessions}/{cc}/{party}/{id}``), its
progress (``PATCH`` with ``kwh`` and ``last_updated``) and, once it ended, a
CDR (``POST {cdrs}``). The receivers hand each on with the eMSP's ref: the
``authorization_reference`` it gave in START_SESSION, echoed in the Session and
the CDR (or, for a PATCH that leaves it out, found from the CPO's session id by
``find_ref``).

evroam extension (ADR 0003 style): a CDR may carry ``evroam`` with the
electricity and service shares of its energy cost, which OCPI cannot split.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

import httpx
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.datatypes import (
    DateTime,
    Number,
    OcpiModel,
    Price,
    utc_or_none,
)
from evroam.protocols.ocpi_2_2_1.enums import VERSION, AuthMethod, ModuleId
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.server import (
    authenticate,
    ocpi_response,
    paginated_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore
from evroam.shared.clock import Clock, SystemClock

RefFinder = Callable[[str, str], Awaitable[str | None]]
"""``await find_ref(operator_key, cpo_session_id)``: our session ref, if known."""


class SessionStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    INVALID = "INVALID"
    PENDING = "PENDING"
    RESERVATION = "RESERVATION"


class Session(OcpiModel):
    country_code: str = Field(min_length=2, max_length=2)
    party_id: str = Field(min_length=3, max_length=3)
    id: str = Field(max_length=36)
    start_date_time: DateTime
    end_date_time: DateTime | None = None
    kwh: Number
    cdr_token: wire.CdrToken
    auth_method: AuthMethod
    authorization_reference: str | None = None
    location_id: str
    evse_uid: str
    connector_id: str
    meter_id: str | None = None
    currency: str = Field(min_length=3, max_length=3)
    charging_periods: list[wire.ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus
    last_updated: DateTime


class SessionPatch(wire.PatchModel):
    """Sessions module, PATCH: ``charging_periods`` given are ADDED to the list."""

    end_date_time: DateTime | None = None
    kwh: Number | None = None
    authorization_reference: str | None = None
    charging_periods: list[wire.ChargingPeriod] | None = None
    total_cost: Price | None = None
    status: SessionStatus | None = None


class CdrExtension(OcpiModel):
    """evroam extension: the electricity and service shares of the energy cost."""

    electricity_cost: Number
    service_cost: Number


class CDR(wire.CDR):
    """CDRs module, CDR, with the optional ``evroam`` extension."""

    evroam: CdrExtension | None = None


SessionSink = Callable[[str, str, str, Session | SessionPatch], Awaitable[None]]
"""``await on_session(operator_key, ref, session_id, update)``: a Session PUT or
PATCH; raise an ``OcpiError`` (e.g. ``InvalidParametersError``) to refuse it."""
CdrSink = Callable[[str, str, CDR], Awaitable[None]]
"""``await on_cdr(operator_key, ref, cdr)``; raise an ``OcpiError`` to refuse it."""


# --- eMSP side: receivers -------------------------------------------------------------


async def _ref_of(
    given: str | None, operator_key: str, session_id: str | None, find: RefFinder | None
) -> str:
    if given:
        return given
    if session_id is not None and find is not None:
        found = await find(operator_key, session_id)
        if found is not None:
            return found
    raise InvalidParametersError("no authorization_reference we know of")


def build_sessions_receiver_router(
    *,
    tokens: TokenStore,
    on_session: SessionSink,
    find_ref: RefFinder | None = None,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
) -> APIRouter:
    """``PUT``/``PATCH {prefix}/2.2.1/sessions/{cc}/{party}/{session_id}``."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))
    path = (
        f"/{VERSION}/{ModuleId.SESSIONS}/{{country_code}}/{{party_id}}/{{session_id}}"
    )

    async def deliver(
        key: str, session_id: str, update: Session | SessionPatch
    ) -> None:
        ref = await _ref_of(update.authorization_reference, key, session_id, find_ref)
        await on_session(key, ref, session_id, update)

    @router.put(path)
    async def put_session(
        request: Request, country_code: str, party_id: str, session_id: str
    ) -> Response:
        peer = authenticate(request, tokens)
        session = await read_body(request, Session)
        if (session.country_code, session.party_id, session.id) != (
            country_code,
            party_id,
            session_id,
        ):
            raise InvalidParametersError("the Session's ids differ from the URL's")
        await deliver(peer.key, session_id, session)
        return ocpi_response(clock)

    @router.patch(path)
    async def patch_session(
        request: Request,
        country_code: str,  # noqa: ARG001 - the session id is enough to find it
        party_id: str,  # noqa: ARG001
        session_id: str,
    ) -> Response:
        peer = authenticate(request, tokens)
        patch = await read_body(request, SessionPatch)
        await deliver(peer.key, session_id, patch)
        return ocpi_response(clock)

    return router


def build_cdrs_receiver_router(
    *,
    tokens: TokenStore,
    on_cdr: CdrSink,
    find_ref: RefFinder | None = None,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
    public_url: str | None = None,
) -> APIRouter:
    """``POST {prefix}/2.2.1/cdrs``: ``on_cdr`` gets each CDR with its ref.

    With ``public_url`` the answer carries the ``Location`` header the spec
    asks for (``{public_url}{prefix}/2.2.1/cdrs/{id}``); serving a GET there
    is the caller's choice.
    """
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))

    @router.post(f"/{VERSION}/{ModuleId.CDRS}")
    async def post_cdr(request: Request) -> Response:
        peer = authenticate(request, tokens)
        cdr = await read_body(request, CDR)
        ref = await _ref_of(
            cdr.authorization_reference, peer.key, cdr.session_id, find_ref
        )
        await on_cdr(peer.key, ref, cdr)
        headers = {}
        if public_url is not None:
            base = public_url.rstrip("/")
            headers["Location"] = f"{base}{prefix}/{VERSION}/{ModuleId.CDRS}/{cdr.id}"
        return ocpi_response(clock, headers=headers)

    return router


# --- CPO side: pushes and the CDRs sender ------------------------------------------


async def put_session(
    http: httpx.AsyncClient, receiver_url: str, token: str | None, session: Session
) -> None:
    url = f"{receiver_url}/{session.country_code}/{session.party_id}/{session.id}"
    await ocpi_call(http, "PUT", url, token, session)


async def patch_session(
    http: httpx.AsyncClient,
    receiver_url: str,
    token: str | None,
    ids: tuple[str, str, str],
    patch: SessionPatch,
) -> None:
    """``ids`` = (country_code, party_id, session id)."""
    await ocpi_call(http, "PATCH", f"{receiver_url}/{'/'.join(ids)}", token, patch)


async def post_cdr(
    http: httpx.AsyncClient, receiver_url: str, token: str | None, cdr: CDR
) -> None:
    await ocpi_call(http, "POST", receiver_url, token, cdr)


class CdrSource(Protocol):
    """CDRs a CPO serves; one page and the total matching (from incl., to excl.)."""

    def list_cdrs(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[CDR], int]: ...


def build_cpo_cdrs_router(
    *,
    tokens: TokenStore,
    source: CdrSource,
    clock: Clock | None = None,
    prefix: str = "/ocpi/cpo",
    max_limit: int = 100,
) -> APIRouter:
    """``GET {prefix}/2.2.1/cdrs`` (CDRs SENDER), paginated like every OCPI list."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))

    @router.get(f"/{VERSION}/{ModuleId.CDRS}")
    async def list_cdrs(
        request: Request,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        offset: int = Query(0, ge=0),
        limit: int = Query(max_limit, ge=1),
    ) -> Response:
        authenticate(request, tokens)
        limit = min(limit, max_limit)
        items, total = source.list_cdrs(
            utc_or_none(date_from), utc_or_none(date_to), offset, limit
        )
        return paginated_response(clock, request, items, total, offset, limit)

    return router


__all__ = [
    "CDR",
    "CdrExtension",
    "CdrSink",
    "CdrSource",
    "RefFinder",
    "Session",
    "SessionPatch",
    "SessionSink",
    "SessionStatus",
    "build_cdrs_receiver_router",
    "build_cpo_cdrs_router",
    "build_sessions_receiver_router",
    "patch_session",
    "post_cdr",
    "put_session",
]

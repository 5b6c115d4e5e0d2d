"""OCPI 2.2.1 Sessions and CDRs modules: the hub's receivers, a CPO's senders.

A CPO pushes a started session (``PUT {sessions}/{cc}/{party}/{id}``), its
progress (``PATCH`` with ``kwh`` and ``last_updated``) and, once it ended, a
CDR (``POST {cdrs}``). The hub turns them into ``operators.remote`` events
keyed by our session ref: the ``authorization_reference`` we gave in
START_SESSION, echoed in the Session and the CDR (or, for a PATCH that leaves
it out, found from the CPO's session id by ``find_ref``).

evroam extension (ADR 0003 style): a CDR may carry ``evroam`` with the
electricity and service shares of its energy cost, which OCPI cannot split.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import httpx
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    RemoteEvent,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    UnknownSessionError,
)
from evroam.gateways.ocpi.commands import EventSink, ocpi_call
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.datatypes import DateTime, Number, OcpiModel, Price
from evroam.protocols.ocpi_2_2_1.enums import (
    VERSION,
    AuthMethod,
    CdrDimensionType,
    ModuleId,
)
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.server import (
    authenticate,
    ocpi_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore
from evroam.shared.clock import Clock, SystemClock
from evroam.shared.money import Money

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


# --- wire -> events (pure) ----------------------------------------------------------


def _dimension(
    periods: Sequence[wire.ChargingPeriod] | None, kind: CdrDimensionType
) -> Decimal | None:
    for period in reversed(periods or ()):
        for dim in period.dimensions:
            if dim.type is kind:
                return Decimal(dim.volume)
    return None


def _fen(price: Price | None) -> int | None:
    if price is None:
        return None
    return Money.of(
        price.incl_vat if price.incl_vat is not None else price.excl_vat
    ).fen


def events_from_session(
    ref: str, session_id: str, update: Session | SessionPatch
) -> list[RemoteEvent]:
    """What a Session PUT or PATCH tells the hub. Pushes repeat: consumers must
    treat the events idempotently (a second SessionStarted changes nothing)."""
    events: list[RemoteEvent] = []
    status = update.status
    if status is SessionStatus.INVALID:
        return [SessionRejected(ref, "the CPO marked the session INVALID")]
    if status is SessionStatus.ACTIVE and isinstance(update, Session):
        events.append(SessionStarted(ref, session_id, update.start_date_time))
    if update.kwh is not None and status is not SessionStatus.COMPLETED:
        periods = update.charging_periods
        events.append(
            SessionProgress(
                ref,
                Decimal(update.kwh),
                _dimension(periods, CdrDimensionType.POWER),
                _dimension(periods, CdrDimensionType.STATE_OF_CHARGE),
                _fen(update.total_cost),
                update.last_updated,
            )
        )
    if status is SessionStatus.COMPLETED:
        events.append(SessionEnded(ref, update.end_date_time or update.last_updated))
    return events


def _is_parking(period: wire.ChargingPeriod) -> bool:
    kinds = {d.type for d in period.dimensions}
    return CdrDimensionType.PARKING_TIME in kinds and (
        CdrDimensionType.ENERGY not in kinds
    )


def _periods(cdr: wire.CDR) -> tuple[ChargePeriod, ...]:
    """The charging periods, each ending where the next one starts. A period of
    PARKING_TIME without energy (OCPI 2.2.1, CDRs module, CdrDimensionType: the
    EV plugged in, not charging) is left out: the charge ended where it began,
    and the time from there to ``end_date_time`` is parking time. A CDR that
    gives only ``total_parking_time`` has its charge end that long before
    ``end_date_time`` (never before the last period starts)."""
    ordered = sorted(cdr.charging_periods, key=lambda p: p.start_date_time)
    charged_until = cdr.end_date_time
    if ordered and not any(_is_parking(p) for p in ordered):
        parked = Decimal(cdr.total_parking_time or 0)
        if parked > 0:
            charged_until = max(
                ordered[-1].start_date_time,
                cdr.end_date_time - timedelta(seconds=float(parked * 3600)),
            )
    ends = [p.start_date_time for p in ordered[1:]] + [charged_until]
    return tuple(
        ChargePeriod(
            period.start_date_time,
            end,
            _dimension([period], CdrDimensionType.ENERGY) or Decimal(0),
        )
        for period, end in zip(ordered, ends, strict=True)
        if not _is_parking(period)
    )


def _amount(price: Price | None) -> Decimal:
    if price is None:
        return Decimal(0)
    return Decimal(price.incl_vat if price.incl_vat is not None else price.excl_vat)


def charge_record_from_cdr(ref: str, cdr: CDR) -> ChargeRecord:
    """The CPO's record; without the evroam split, all energy cost is electricity."""
    energy = _amount(cdr.total_energy_cost)
    if cdr.evroam is not None:
        electricity = Decimal(cdr.evroam.electricity_cost)
        service = Decimal(cdr.evroam.service_cost)
    else:
        electricity, service = energy, Decimal(0)
    return ChargeRecord(
        ref=ref,
        partner_record_id=cdr.id,
        started_at=cdr.start_date_time,
        ended_at=cdr.end_date_time,
        kwh=Decimal(cdr.total_energy),
        periods=_periods(cdr),
        electricity_money=electricity,
        service_money=service,
        parking_money=_amount(cdr.total_parking_cost),
        total_money=_amount(cdr.total_cost),
        protocol="ocpi",
    )


# --- hub side: receivers -------------------------------------------------------------


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
    on_session: EventSink,
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
        try:
            for event in events_from_session(ref, session_id, update):
                await on_session(key, event)
        except UnknownSessionError as exc:
            raise InvalidParametersError(f"unknown session {ref}") from exc

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
    on_cdr: EventSink,
    find_ref: RefFinder | None = None,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
    public_url: str | None = None,
) -> APIRouter:
    """``POST {prefix}/2.2.1/cdrs``: a CDR becomes a ``ChargeRecord``.

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
        try:
            await on_cdr(peer.key, charge_record_from_cdr(ref, cdr))
        except UnknownSessionError as exc:
            raise InvalidParametersError(f"unknown session {ref}") from exc
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


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


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
        items, total = source.list_cdrs(_utc(date_from), _utc(date_to), offset, limit)
        headers = {"X-Total-Count": str(total), "X-Limit": str(limit)}
        if items and offset + len(items) < total:
            next_url = request.url.include_query_params(
                offset=offset + len(items), limit=limit
            )
            headers["Link"] = f'<{next_url}>; rel="next"'
        return ocpi_response(clock, list(items), headers=headers)

    return router


__all__ = [
    "CDR",
    "CdrExtension",
    "CdrSource",
    "RefFinder",
    "Session",
    "SessionPatch",
    "SessionStatus",
    "build_cdrs_receiver_router",
    "build_cpo_cdrs_router",
    "build_sessions_receiver_router",
    "charge_record_from_cdr",
    "events_from_session",
    "patch_session",
    "post_cdr",
    "put_session",
]

"""OCPI 2.2.1 Commands module: START_SESSION / STOP_SESSION, both sides.

The hub (eMSP, Commands SENDER) POSTs ``{cpo commands}/START_SESSION`` with a
``StartSession``; the CPO answers at once with a ``CommandResponse`` (did it
take the request) and later POSTs a ``CommandResult`` to the ``response_url``
we gave (did the pile do it). The hub's ``response_url`` is
``{public}/ocpi/2.2.1/commands/{COMMAND}/{session ref}``: the ref in the path
tells us which session a result is about (docs/remote-charging.md).

Tokens module: we are the token SENDER; the Token in a StartSession is the
driver's account (type APP_USER), valid and whitelisted ALLOWED.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx
from fastapi import APIRouter, Request, Response
from pydantic import Field, ValidationError

from evroam.charging.remote import (
    PileAddress,
    RemoteEvent,
    SessionRejected,
    StartResult,
    StopRejected,
    StopResult,
    check_session_ref,
)
from evroam.gateways.ocpi.hub import peer_from_partner
from evroam.partners.errors import PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.datatypes import DateTime, DisplayText, OcpiModel
from evroam.protocols.ocpi_2_2_1.enums import VERSION, ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import (
    ClientApiUnusableError,
    OcpiError,
    OcpiHttpError,
    error_for,
)
from evroam.protocols.ocpi_2_2_1.server import (
    authenticate,
    ocpi_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore, authorization_header
from evroam.shared.clock import Clock, SystemClock

HttpFactory = Callable[[], httpx.AsyncClient]
EventSink = Callable[[str, RemoteEvent], Awaitable[None]]
"""``await sink(operator_key, event)``; the key is the OCPI peer's (hub: partner id)."""


class CommandType(enum.StrEnum):
    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(enum.StrEnum):
    """The CPO's synchronous answer: did it take the request."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(enum.StrEnum):
    """The asynchronous outcome posted to ``response_url``."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class WhitelistType(enum.StrEnum):
    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class Token(OcpiModel):
    """Tokens module, Token object (we send it; CPOs authorise with it)."""

    country_code: str = Field(min_length=2, max_length=2)
    party_id: str = Field(min_length=3, max_length=3)
    uid: str = Field(max_length=36)
    type: TokenType
    contract_id: str = Field(max_length=36)
    visual_number: str | None = None
    issuer: str = Field(max_length=64)
    group_id: str | None = None
    valid: bool
    whitelist: WhitelistType
    language: str | None = None
    last_updated: DateTime


class StartSession(OcpiModel):
    response_url: str
    token: Token
    location_id: str = Field(max_length=36)
    evse_uid: str | None = None
    connector_id: str | None = None
    authorization_reference: str | None = Field(default=None, max_length=36)


class StopSession(OcpiModel):
    response_url: str
    session_id: str = Field(max_length=36)


class CommandResponse(OcpiModel):
    result: CommandResponseType
    timeout: int  # seconds the CPO expects to need before posting the result
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    result: CommandResultType
    message: list[DisplayText] | None = None


def text_of(messages: list[DisplayText] | None) -> str:
    return "; ".join(m.text for m in messages or ())


# --- a plain OCPI call (for modules OcpiClient does not cover) --------------------


async def ocpi_call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    token: str | None,
    body: OcpiModel | None = None,
) -> Any:
    """One OCPI request; the answer's ``data``, or the matching ``OcpiError``."""
    headers = {"Authorization": authorization_header(token)} if token else {}
    json = body.model_dump(mode="json", exclude_none=True) if body else None
    try:
        response = await http.request(method, url, json=json, headers=headers)
    except httpx.HTTPError as exc:
        raise ClientApiUnusableError(f"{method} {url}: {exc}") from exc
    try:
        envelope = wire.OcpiResponse[Any].model_validate_json(response.content)
    except ValidationError as exc:
        raise OcpiHttpError(
            f"HTTP {response.status_code}, not an OCPI response",
            http_status=response.status_code,
        ) from exc
    if envelope.status_code != 1000 or response.status_code >= 400:
        message = envelope.status_message or ""
        raise error_for(envelope.status_code, message, response.status_code)
    return envelope.data


# --- hub side: the RemoteCharging adapter ----------------------------------------


class OcpiRemoteCharging:
    """``RemoteCharging`` over OCPI 2.2.1 Commands (we are the eMSP).

    ``response_url_base`` is where the command result router is reachable,
    e.g. ``https://hub.example/ocpi/2.2.1/commands``; ``country_code`` and
    ``party_id`` are ours (the Token's issuer party).
    """

    def __init__(
        self,
        http: HttpFactory,
        *,
        response_url_base: str,
        country_code: str,
        party_id: str,
        clock: Clock,
    ) -> None:
        self._http = http
        self._base = response_url_base.rstrip("/")
        self._country_code = country_code
        self._party_id = party_id
        self._clock = clock

    async def start(
        self, partner: Partner, pile: PileAddress, session_ref: str, token_uid: str
    ) -> StartResult:
        ref = check_session_ref(session_ref)
        command = StartSession(
            response_url=f"{self._base}/{CommandType.START_SESSION}/{ref}",
            token=self._token(token_uid),
            location_id=pile.station_external_id,
            evse_uid=pile.pile_external_uid,
            connector_id=pile.connector_id,
            authorization_reference=ref,
        )
        answer = await self._send(partner, CommandType.START_SESSION, command)
        if isinstance(answer, str):
            return StartResult(ref, is_accepted=False, reason=answer)
        is_accepted = answer.result is CommandResponseType.ACCEPTED
        reason = None if is_accepted else _reason(answer.result, answer.message)
        return StartResult(ref, is_accepted, None, reason, answer.timeout)

    async def stop(
        self,
        partner: Partner,
        pile: PileAddress,  # noqa: ARG002 - OCPI stops by session id
        session_ref: str,
        partner_session_id: str | None,
    ) -> StopResult:
        ref = check_session_ref(session_ref)
        if partner_session_id is None:
            return StopResult(ref, False, "the partner has not started the session")
        command = StopSession(
            response_url=f"{self._base}/{CommandType.STOP_SESSION}/{ref}",
            session_id=partner_session_id,
        )
        answer = await self._send(partner, CommandType.STOP_SESSION, command)
        if isinstance(answer, str):
            return StopResult(ref, False, answer)
        is_accepted = answer.result is CommandResponseType.ACCEPTED
        reason = None if is_accepted else _reason(answer.result, answer.message)
        return StopResult(ref, is_accepted, reason)

    def _token(self, token_uid: str) -> Token:
        return Token(
            country_code=self._country_code,
            party_id=self._party_id,
            uid=token_uid,
            type=TokenType.APP_USER,
            contract_id=token_uid,
            issuer="evroam",
            valid=True,
            whitelist=WhitelistType.ALLOWED,
            last_updated=self._clock.now(),
        )

    async def _send(
        self, partner: Partner, command: CommandType, body: OcpiModel
    ) -> CommandResponse | str:
        """The CPO's CommandResponse, or why there is none (a refusal in words)."""
        peer = peer_from_partner(partner)
        url = peer.endpoints.get(ModuleId.COMMANDS)
        if url is None:
            return "the partner offers no OCPI commands module"
        async with self._http() as http:
            try:
                data = await ocpi_call(
                    http, "POST", f"{url}/{command}", peer.outgoing_token, body
                )
            except ClientApiUnusableError as exc:
                raise PartnerUnreachableError(f"{partner.id}: {exc}") from exc
            except OcpiError as exc:
                return exc.message or str(exc)
        try:
            return CommandResponse.model_validate(data)
        except ValidationError:
            return "the partner's CommandResponse is not valid"


def _reason(
    result: CommandResponseType | CommandResultType, messages: list[DisplayText] | None
) -> str:
    text = text_of(messages)
    return f"{result.value}: {text}" if text else result.value


# --- hub side: where CommandResults arrive ----------------------------------------


def build_command_result_router(
    *,
    tokens: TokenStore,
    on_result: EventSink,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
) -> APIRouter:
    """``POST {prefix}/2.2.1/commands/{command}/{ref}`` (our ``response_url``s).

    An ACCEPTED result needs nothing (Session pushes follow); anything else
    becomes ``SessionRejected`` (START_SESSION) or ``StopRejected``.
    """
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))

    @router.post(f"/{VERSION}/{ModuleId.COMMANDS}/{{command}}/{{ref}}")
    async def post_command_result(request: Request, command: str, ref: str) -> Response:
        peer = authenticate(request, tokens)
        result = await read_body(request, CommandResult)
        event = _event_for(command, ref, result)
        if event is not None:
            await on_result(peer.key, event)
        return ocpi_response(clock)

    return router


def _event_for(
    command: str, ref: str, result: CommandResult
) -> SessionRejected | StopRejected | None:
    if result.result is CommandResultType.ACCEPTED:
        return None
    reason = _reason(result.result, result.message)
    if command == CommandType.STOP_SESSION:
        return StopRejected(ref, reason)
    return SessionRejected(ref, reason)


# --- CPO side (the partner simulator) ----------------------------------------------


class CommandReceiver(Protocol):
    """What a CPO does with commands; answers at once, results come later."""

    async def start_session(
        self, operator_key: str, command: StartSession
    ) -> CommandResponse: ...

    async def stop_session(
        self, operator_key: str, command: StopSession
    ) -> CommandResponse: ...


def build_cpo_commands_router(
    *,
    tokens: TokenStore,
    receiver: CommandReceiver,
    clock: Clock | None = None,
    prefix: str = "/ocpi/cpo",
) -> APIRouter:
    """``POST {prefix}/2.2.1/commands/{command}`` (Commands RECEIVER)."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))

    @router.post(f"/{VERSION}/{ModuleId.COMMANDS}/{{command}}")
    async def post_command(request: Request, command: str) -> Response:
        peer = authenticate(request, tokens)
        if command == CommandType.START_SESSION:
            start = await read_body(request, StartSession)
            answer = await receiver.start_session(peer.key, start)
        elif command == CommandType.STOP_SESSION:
            stop = await read_body(request, StopSession)
            answer = await receiver.stop_session(peer.key, stop)
        else:
            answer = CommandResponse(
                result=CommandResponseType.NOT_SUPPORTED, timeout=0
            )
        return ocpi_response(clock, answer)

    return router


__all__ = [
    "CommandReceiver",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "EventSink",
    "OcpiRemoteCharging",
    "StartSession",
    "StopSession",
    "Token",
    "WhitelistType",
    "build_command_result_router",
    "build_cpo_commands_router",
    "ocpi_call",
    "text_of",
]

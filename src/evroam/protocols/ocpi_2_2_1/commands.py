"""OCPI 2.2.1 Commands module: START_SESSION / STOP_SESSION, both sides.

The eMSP (Commands SENDER) POSTs ``{cpo commands}/START_SESSION`` with a
``StartSession``; the CPO answers at once with a ``CommandResponse`` (did it
take the request) and later POSTs a ``CommandResult`` to the ``response_url``
the eMSP gave (did the pile do it). A ``response_url`` of the form
``{base}/2.2.1/commands/{COMMAND}/{ref}`` lets the eMSP tell from the path
which request a result is about.

Tokens module: the Token in a StartSession is the eMSP's (we are the token
SENDER when we play the eMSP).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Protocol

from fastapi import APIRouter, Request, Response
from pydantic import Field

from evroam.protocols.ocpi_2_2_1.authorization import Token, WhitelistType
from evroam.protocols.ocpi_2_2_1.datatypes import DateTime, DisplayText, OcpiModel
from evroam.protocols.ocpi_2_2_1.enums import VERSION, ModuleId
from evroam.protocols.ocpi_2_2_1.server import (
    authenticate,
    ocpi_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore
from evroam.shared.clock import Clock, SystemClock


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


class ReserveNow(OcpiModel):
    """Commands module, ReserveNow: hold an EVSE (or any at the Location) for
    the token until ``expiry_date``; ``reservation_id`` is the eMSP's."""

    response_url: str
    token: Token
    expiry_date: DateTime
    reservation_id: str = Field(max_length=36)
    location_id: str = Field(max_length=36)
    evse_uid: str | None = Field(default=None, max_length=36)
    authorization_reference: str | None = Field(default=None, max_length=36)


class CancelReservation(OcpiModel):
    response_url: str
    reservation_id: str = Field(max_length=36)


class UnlockConnector(OcpiModel):
    """Commands module, UnlockConnector: for an operator's use only (the spec
    forbids handing it to drivers: it could stop another driver's session)."""

    response_url: str
    location_id: str = Field(max_length=36)
    evse_uid: str = Field(max_length=36)
    connector_id: str = Field(max_length=36)


class CommandResponse(OcpiModel):
    result: CommandResponseType
    timeout: int  # seconds the CPO expects to need before posting the result
    message: list[DisplayText] | None = None


class CommandResult(OcpiModel):
    result: CommandResultType
    message: list[DisplayText] | None = None


CommandResultSink = Callable[[str, str, str, CommandResult], Awaitable[None]]
"""``await on_result(operator_key, command, ref, result)``: a CommandResult
posted to ``{prefix}/2.2.1/commands/{command}/{ref}`` by the peer ``operator_key``."""


def text_of(messages: list[DisplayText] | None) -> str:
    return "; ".join(m.text for m in messages or ())


# --- eMSP side: where CommandResults arrive ----------------------------------------


def build_command_result_router(
    *,
    tokens: TokenStore,
    on_result: CommandResultSink,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
) -> APIRouter:
    """``POST {prefix}/2.2.1/commands/{command}/{ref}``: the eMSP's response URLs."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))

    @router.post(f"/{VERSION}/{ModuleId.COMMANDS}/{{command}}/{{ref}}")
    async def post_command_result(request: Request, command: str, ref: str) -> Response:
        peer = authenticate(request, tokens)
        result = await read_body(request, CommandResult)
        await on_result(peer.key, command, ref, result)
        return ocpi_response(clock)

    return router


# --- CPO side (Commands RECEIVER) --------------------------------------------------


class CommandReceiver(Protocol):
    """What a CPO does with commands; answers at once, results come later."""

    async def start_session(
        self, operator_key: str, command: StartSession
    ) -> CommandResponse: ...

    async def stop_session(
        self, operator_key: str, command: StopSession
    ) -> CommandResponse: ...


class ReservationReceiver(Protocol):
    async def reserve_now(
        self, operator_key: str, command: ReserveNow
    ) -> CommandResponse: ...

    async def cancel_reservation(
        self, operator_key: str, command: CancelReservation
    ) -> CommandResponse: ...


class UnlockReceiver(Protocol):
    async def unlock_connector(
        self, operator_key: str, command: UnlockConnector
    ) -> CommandResponse: ...


def build_cpo_commands_router(
    *,
    tokens: TokenStore,
    receiver: CommandReceiver,
    clock: Clock | None = None,
    prefix: str = "/ocpi/cpo",
    reservations: ReservationReceiver | None = None,
    unlocks: UnlockReceiver | None = None,
) -> APIRouter:
    """``POST {prefix}/2.2.1/commands/{command}`` (Commands RECEIVER); a command
    without its receiver is answered NOT_SUPPORTED."""
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
        elif command == CommandType.RESERVE_NOW and reservations is not None:
            reserve = await read_body(request, ReserveNow)
            answer = await reservations.reserve_now(peer.key, reserve)
        elif command == CommandType.CANCEL_RESERVATION and reservations is not None:
            cancel = await read_body(request, CancelReservation)
            answer = await reservations.cancel_reservation(peer.key, cancel)
        elif command == CommandType.UNLOCK_CONNECTOR and unlocks is not None:
            unlock = await read_body(request, UnlockConnector)
            answer = await unlocks.unlock_connector(peer.key, unlock)
        else:
            answer = CommandResponse(
                result=CommandResponseType.NOT_SUPPORTED, timeout=0
            )
        return ocpi_response(clock, answer)

    return router


__all__ = [
    "CancelReservation",
    "CommandReceiver",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultSink",
    "CommandResultType",
    "CommandType",
    "ReservationReceiver",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "Token",
    "UnlockConnector",
    "UnlockReceiver",
    "WhitelistType",
    "build_command_result_router",
    "build_cpo_commands_router",
    "text_of",
]

"""The hub over OCPI 2.2.1 Commands: the ``RemoteCharging`` adapter and its results.

The hub (eMSP, Commands SENDER) sends START_SESSION / STOP_SESSION with a
``response_url`` of ``{public}/ocpi/2.2.1/commands/{COMMAND}/{session ref}``:
the ref in the path tells us which session a result is about
(docs/remote-charging.md). Tokens module: we are the token SENDER; the Token in
a StartSession is the driver's app token (type APP_USER, whitelist NEVER: its
uid is random, not the account id; ``gateways.ocpi.tokens``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from pydantic import ValidationError

from evroam.charging.remote import (
    PileAddress,
    RemoteEvent,
    SessionRejected,
    StartResult,
    StopRejected,
    StopResult,
    UnknownSessionError,
    check_session_ref,
)
from evroam.gateways.ocpi.hub import peer_from_partner
from evroam.partners.errors import PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultSink,
    CommandResultType,
    CommandType,
    StartSession,
    StopSession,
    Token,
    WhitelistType,
    text_of,
)
from evroam.protocols.ocpi_2_2_1.datatypes import DisplayText, OcpiModel
from evroam.protocols.ocpi_2_2_1.enums import ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import (
    ClientApiUnusableError,
    InvalidParametersError,
    OcpiError,
)
from evroam.shared.clock import Clock
from evroam.shared.offload import Offload, inline

HttpFactory = Callable[[], httpx.AsyncClient]
EventSink = Callable[[str, RemoteEvent], Awaitable[None]]
"""``await sink(operator_key, event)``; the key is the OCPI peer's (hub: partner id)."""


# --- hub side: the RemoteCharging adapter ----------------------------------------


class OcpiRemoteCharging:
    """``RemoteCharging`` over OCPI 2.2.1 Commands (we are the eMSP).

    ``response_url_base`` is where the command result router is reachable,
    e.g. ``https://hub.example/ocpi/2.2.1/commands``; ``country_code`` and
    ``party_id`` are ours (the Token's issuer party). A second START_SESSION is
    a second session to the CPO, so an interrupted start is never re-sent.
    """

    can_resend_start = False

    def __init__(
        self,
        http: HttpFactory,
        *,
        response_url_base: str,
        country_code: str,
        party_id: str,
        clock: Clock,
        token_for: Callable[[str], Token] | None = None,
        offload: Offload = inline,
    ) -> None:
        """``offload`` runs ``token_for`` (a database read and perhaps a write:
        the hub passes the async boundary's ``run``, off the event loop)."""
        self._http = http
        self._token_for = token_for
        self._offload = offload
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
            token=await self._offload(self._token, token_uid),
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
        """``token_uid`` names the driver's account: its app token goes out."""
        if self._token_for is not None:
            return self._token_for(token_uid)
        return Token(
            country_code=self._country_code,
            party_id=self._party_id,
            uid=token_uid,
            type=TokenType.APP_USER,
            contract_id=token_uid,
            issuer="evroam",
            valid=True,
            whitelist=WhitelistType.NEVER,
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


# --- hub side: what a CommandResult at our response_url means -----------------------


def command_result_sink(on_event: EventSink) -> CommandResultSink:
    """The callback for ``build_command_result_router``: an ACCEPTED result needs
    nothing (Session pushes follow); anything else becomes ``SessionRejected``
    (START_SESSION) or ``StopRejected``; a result for a session the hub does
    not hold for this partner is refused (2001)."""

    async def on_result(
        operator_key: str, command: str, ref: str, result: CommandResult
    ) -> None:
        event = _event_for(command, ref, result)
        if event is None:
            return
        try:
            await on_event(operator_key, event)
        except UnknownSessionError as exc:
            raise InvalidParametersError(f"unknown session {ref}") from exc

    return on_result


def _event_for(
    command: str, ref: str, result: CommandResult
) -> SessionRejected | StopRejected | None:
    if result.result is CommandResultType.ACCEPTED:
        return None
    reason = _reason(result.result, result.message)
    if command == CommandType.STOP_SESSION:
        return StopRejected(ref, reason)
    return SessionRejected(ref, reason)


__all__ = [
    "EventSink",
    "HttpFactory",
    "OcpiRemoteCharging",
    "command_result_sink",
]

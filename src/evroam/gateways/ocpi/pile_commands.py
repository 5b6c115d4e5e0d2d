"""The hub over OCPI 2.2.1 pile commands: RESERVE_NOW, CANCEL_RESERVATION, UNLOCK.

Same path as START_SESSION: POST ``{cpo commands}/{COMMAND}`` with a
``response_url`` of ``{public}/ocpi/2.2.1/commands/{COMMAND}/{request id}``;
the CPO's CommandResponse says whether it took it, the CommandResult at that
URL says what the pile did (``pile_requests`` keeps both).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from evroam.gateways.ocpi.commands import HttpFactory
from evroam.gateways.ocpi.hub import peer_from_partner
from evroam.partners.errors import PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.pile_requests.model import Outcome
from evroam.pile_requests.ports import CommandAnswer, PileTarget
from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.commands import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandType,
    ReserveNow,
    Token,
    UnlockConnector,
    text_of,
)
from evroam.protocols.ocpi_2_2_1.datatypes import OcpiModel
from evroam.protocols.ocpi_2_2_1.enums import ModuleId
from evroam.protocols.ocpi_2_2_1.errors import ClientApiUnusableError, OcpiError
from evroam.shared.ids import AccountId
from evroam.shared.offload import Offload, inline

PILE_COMMANDS = frozenset(
    {
        CommandType.RESERVE_NOW,
        CommandType.CANCEL_RESERVATION,
        CommandType.UNLOCK_CONNECTOR,
    }
)
_OUTCOME = {
    CommandResultType.ACCEPTED: Outcome.ACCEPTED,
    CommandResultType.TIMEOUT: Outcome.TIMEOUT,
    CommandResultType.FAILED: Outcome.FAILED,
    CommandResultType.NOT_SUPPORTED: Outcome.FAILED,
}


def outcome_of(result: CommandResult) -> tuple[Outcome, str | None]:
    """Our outcome of a CommandResult, with the CPO's words when not ACCEPTED."""
    outcome = _OUTCOME.get(result.result, Outcome.REJECTED)
    if outcome is Outcome.ACCEPTED:
        return outcome, None
    text = text_of(result.message)
    return outcome, f"{result.result.value}: {text}" if text else result.result.value


class OcpiPileCommands:
    """``PileCommands`` over OCPI Commands; ``token_for`` gives an account's Token."""

    def __init__(
        self,
        http: HttpFactory,
        *,
        response_url_base: str,
        token_for: Callable[[str], Token],
        offload: Offload = inline,
    ) -> None:
        """``offload`` runs ``token_for`` (database work: the hub passes the
        async boundary's ``run``, off the event loop)."""
        self._http = http
        self._base = response_url_base.rstrip("/")
        self._token_for = token_for
        self._offload = offload

    def _response_url(self, command: CommandType, ref: str) -> str:
        return f"{self._base}/{command}/{ref}"

    async def reserve(
        self,
        partner: Partner,
        pile: PileTarget,
        reservation_id: str,
        account_id: AccountId,
        expires_at: datetime,
    ) -> CommandAnswer:
        command = ReserveNow(
            response_url=self._response_url(CommandType.RESERVE_NOW, reservation_id),
            token=await self._offload(self._token_for, account_id),
            expiry_date=expires_at,
            reservation_id=reservation_id,
            location_id=pile.station_external_id,
            evse_uid=pile.pile_external_uid,
        )
        return await self._send(partner, CommandType.RESERVE_NOW, command)

    async def cancel(self, partner: Partner, reservation_id: str) -> CommandAnswer:
        command = CancelReservation(
            response_url=self._response_url(
                CommandType.CANCEL_RESERVATION, reservation_id
            ),
            reservation_id=reservation_id,
        )
        return await self._send(partner, CommandType.CANCEL_RESERVATION, command)

    async def unlock(
        self, partner: Partner, pile: PileTarget, report_id: str
    ) -> CommandAnswer:
        command = UnlockConnector(
            response_url=self._response_url(CommandType.UNLOCK_CONNECTOR, report_id),
            location_id=pile.station_external_id,
            evse_uid=pile.pile_external_uid,
            connector_id=pile.connector_id or "1",
        )
        return await self._send(partner, CommandType.UNLOCK_CONNECTOR, command)

    async def _send(
        self, partner: Partner, command: CommandType, body: OcpiModel
    ) -> CommandAnswer:
        peer = peer_from_partner(partner)
        url = peer.endpoints.get(ModuleId.COMMANDS)
        if url is None:
            return CommandAnswer(Outcome.REJECTED, reason="no OCPI commands module")
        async with self._http() as http:
            try:
                data = await ocpi_call(
                    http, "POST", f"{url}/{command}", peer.outgoing_token, body
                )
            except ClientApiUnusableError as exc:
                raise PartnerUnreachableError(f"{partner.id}: {exc}") from exc
            except OcpiError as exc:
                return CommandAnswer(Outcome.FAILED, reason=exc.message or str(exc))
        try:
            answer = CommandResponse.model_validate(data)
        except ValidationError:
            return CommandAnswer(Outcome.FAILED, reason="invalid CommandResponse")
        if answer.result is CommandResponseType.ACCEPTED:
            return CommandAnswer(Outcome.REQUESTED, timeout_s=answer.timeout)
        text = text_of(answer.message)
        reason = f"{answer.result.value}: {text}" if text else answer.result.value
        return CommandAnswer(Outcome.REJECTED, reason=reason)


__all__ = ["PILE_COMMANDS", "OcpiPileCommands", "outcome_of"]

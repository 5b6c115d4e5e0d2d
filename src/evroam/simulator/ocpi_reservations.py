"""The OCPI simulator's pile commands: RESERVE_NOW, CANCEL_RESERVATION, UNLOCK.

Every EVSE of the simulated CPO lists RESERVABLE. A reservation is taken when
the pile is AVAILABLE (result ACCEPTED, the pile turns RESERVED and is pushed),
else the result says why (EVSE_OCCUPIED / EVSE_INOPERATIVE); at ``expiry_date``
an unused reservation ends and the pile is AVAILABLE again. A START_SESSION by
the token holding the reservation uses it. UNLOCK_CONNECTOR is ACCEPTED at any
known pile (the cable is free).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.commands import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    ReserveNow,
    UnlockConnector,
)
from evroam.protocols.ocpi_2_2_1.datatypes import DisplayText
from evroam.protocols.ocpi_2_2_1.errors import OcpiError
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore
from evroam.shared.clock import Clock
from evroam.simulator.ocpi_tokens import TokenCache
from evroam.simulator.runner import SimulationRunner

HUB_KEY = "hub"
TIMEOUT_S = 30
AVAILABLE, RESERVED, UNKNOWN = "available", "reserved", "unknown"  # status names
_BUSY = {
    "offline": CommandResultType.EVSE_INOPERATIVE,
    "faulted": CommandResultType.EVSE_INOPERATIVE,
    UNKNOWN: CommandResultType.EVSE_INOPERATIVE,
}


@dataclass
class Held:
    reservation_id: str
    pile: str
    token_uid: str
    expires_at: datetime


def _answer(result: CommandResponseType, why: str = "") -> CommandResponse:
    message = [DisplayText(language="en", text=why)] if why else None
    return CommandResponse(result=result, timeout=TIMEOUT_S, message=message)


class OcpiPileDesk:
    """A ``ReservationReceiver`` and ``UnlockReceiver`` over the simulated piles."""

    def __init__(
        self,
        runner: SimulationRunner,
        peers: TokenStore,
        http: httpx.AsyncClient,
        clock: Clock,
        cache: TokenCache | None = None,
    ) -> None:
        self._runner = runner
        self._peers = peers
        self._http = http
        self._clock = clock
        self._cache = cache or TokenCache()
        self.held: dict[str, Held] = {}  # by reservation id
        self.unlocked: list[str] = []  # pile names, in order
        self._tasks: set[asyncio.Task[None]] = set()

    def _status(self, pile: str) -> str | None:
        """The pile's status name; None: no such pile."""
        status = self._runner.network.pile_statuses().get(pile)
        return None if status is None else str(status)

    async def reserve_now(
        self,
        operator_key: str,  # noqa: ARG002 - the simulator serves one hub
        command: ReserveNow,
    ) -> CommandResponse:
        token = command.token
        if not token.valid or self._cache.is_refused(token):
            return _answer(CommandResponseType.REJECTED, "token not authorised")
        pile = f"{command.location_id}/{command.evse_uid}"
        if command.evse_uid is None or self._status(pile) is None:
            return _answer(CommandResponseType.REJECTED, "unknown location or EVSE")
        self._later(self._take(command, pile))
        return _answer(CommandResponseType.ACCEPTED)

    async def _take(self, command: ReserveNow, pile: str) -> None:
        status = self._status(pile)
        replacing = self.held.get(command.reservation_id)
        if status != AVAILABLE and replacing is None:
            busy = _BUSY.get(status or UNKNOWN, CommandResultType.EVSE_OCCUPIED)
            await self._result(command.response_url, busy)
            return
        self.held[command.reservation_id] = Held(
            command.reservation_id, pile, command.token.uid, command.expiry_date
        )
        await self._runner.force(pile, RESERVED)
        await self._result(command.response_url, CommandResultType.ACCEPTED)
        self._later(self._expire(command.reservation_id, command.expiry_date))

    async def _expire(self, reservation_id: str, at: datetime) -> None:
        await asyncio.sleep(max(0.0, (at - self._clock.now()).total_seconds()))
        held = self.held.pop(reservation_id, None)
        if held is not None and self._status(held.pile) == RESERVED:
            await self._runner.force(held.pile, AVAILABLE)

    async def cancel_reservation(
        self,
        operator_key: str,  # noqa: ARG002
        command: CancelReservation,
    ) -> CommandResponse:
        self._later(self._cancel(command))
        return _answer(CommandResponseType.ACCEPTED)

    async def _cancel(self, command: CancelReservation) -> None:
        held = self.held.pop(command.reservation_id, None)
        if held is None:
            result = CommandResultType.UNKNOWN_RESERVATION
            await self._result(command.response_url, result)
            return
        if self._status(held.pile) == RESERVED:
            await self._runner.force(held.pile, AVAILABLE)
        await self._result(command.response_url, CommandResultType.ACCEPTED)

    async def release_for(self, pile: str, token_uid: str) -> bool:
        """A START_SESSION by the reservation's holder uses the reservation:
        the pile is free for that start."""
        for reservation_id, held in list(self.held.items()):
            if held.pile == pile and held.token_uid == token_uid:
                del self.held[reservation_id]
                if self._status(pile) == RESERVED:
                    await self._runner.force(pile, AVAILABLE)
                return True
        return False

    async def unlock_connector(
        self,
        operator_key: str,  # noqa: ARG002
        command: UnlockConnector,
    ) -> CommandResponse:
        pile = f"{command.location_id}/{command.evse_uid}"
        if self._status(pile) is None:
            return _answer(CommandResponseType.REJECTED, "unknown location or EVSE")
        self.unlocked.append(pile)
        self._later(self._result(command.response_url, CommandResultType.ACCEPTED))
        return _answer(CommandResponseType.ACCEPTED)

    async def _result(self, url: str, result: CommandResultType) -> None:
        hub = self._peers.find(HUB_KEY)
        token = hub.outgoing_token if hub else None
        try:
            await ocpi_call(
                self._http, "POST", url, token, CommandResult(result=result)
            )
        except (OcpiError, httpx.HTTPError):
            return  # the hub times the command out: what a real CPO would cause

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

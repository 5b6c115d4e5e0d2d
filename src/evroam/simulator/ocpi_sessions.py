"""The OCPI simulator's sessions: Commands receiver, Session/CDR pushes, CDRs sender.

START_SESSION is answered ACCEPTED when the Location/EVSE exists and the
token is of type APP_USER or AD_HOC_USER (the simulator authorises any such
token: the hub is the token sender and vouches for its drivers); the
CommandResult follows (ACCEPTED, EVSE_OCCUPIED or EVSE_INOPERATIVE). Then the
Session is PUT (ACTIVE), PATCHed with ``kwh`` every report, PATCHed COMPLETED,
and its CDR is POSTed to the hub's CDRs receiver and kept for ``GET cdrs``.
Time plugged in after a full battery is the CDR's parking time: a last charging
period with a PARKING_TIME dimension from the moment energy stopped, and
``total_parking_time``/``total_parking_cost`` (parking fee plus idle fee).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import httpx

from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.client import ocpi_call
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    StartSession,
    StopSession,
)
from evroam.protocols.ocpi_2_2_1.datatypes import DisplayText, Price
from evroam.protocols.ocpi_2_2_1.enums import (
    AuthMethod,
    CdrDimensionType,
    ModuleId,
    TokenType,
)
from evroam.protocols.ocpi_2_2_1.sessions import (
    CDR,
    CdrExtension,
    Session,
    SessionPatch,
    SessionStatus,
    patch_session,
    post_cdr,
    put_session,
)
from evroam.protocols.ocpi_2_2_1.tokens import Peer, TokenStore
from evroam.simulator.charge import Charge, SentRecord, charge_record
from evroam.simulator.ocpi_reservations import OcpiPileDesk
from evroam.simulator.ocpi_source import NetworkCpoSource
from evroam.simulator.ocpi_tokens import TokenCache
from evroam.simulator.sessions import Refusal, SessionSimulator

HUB_KEY = "hub"
HOURS = Decimal("0.0001")
COMMAND_TIMEOUT_S = 30
_AUTHORISED = {TokenType.APP_USER, TokenType.AD_HOC_USER}
_RESULT_FOR = {
    Refusal.NO_SUCH_PILE: CommandResultType.REJECTED,
    Refusal.OFFLINE: CommandResultType.EVSE_INOPERATIVE,
    Refusal.FAULTED: CommandResultType.EVSE_INOPERATIVE,
    Refusal.OCCUPIED: CommandResultType.EVSE_OCCUPIED,
}


def _response(result: CommandResponseType, why: str = "") -> CommandResponse:
    message = [DisplayText(language="en", text=why)] if why else None
    return CommandResponse(result=result, timeout=COMMAND_TIMEOUT_S, message=message)


class OcpiCommandDesk:
    """A ``CommandReceiver`` that starts and stops simulated sessions."""

    def __init__(
        self,
        sessions: SessionSimulator,
        cache: TokenCache | None = None,
        piles: OcpiPileDesk | None = None,
    ) -> None:
        self._sessions = sessions
        self._cache = cache or TokenCache()
        self._piles = piles

    async def start_session(
        self, operator_key: str, command: StartSession
    ) -> CommandResponse:
        token = command.token
        if token.type not in _AUTHORISED or not token.valid:
            return _response(CommandResponseType.REJECTED, "token not authorised")
        if self._cache.is_refused(token):
            return _response(CommandResponseType.REJECTED, "token invalidated")
        pile = f"{command.location_id}/{command.evse_uid}"
        if command.evse_uid is None or self._sessions.network.find_pile(pile) is None:
            return _response(CommandResponseType.REJECTED, "unknown location or EVSE")
        if self._piles is not None:
            await self._piles.release_for(pile, token.uid)
        session_id = uuid.uuid4().hex
        self._sessions.start(
            pile,
            command.authorization_reference or session_id,
            session_id,
            start_url=command.response_url,
            token=command.token,
            operator_key=operator_key,
        )
        return _response(CommandResponseType.ACCEPTED)

    async def stop_session(
        self,
        operator_key: str,  # noqa: ARG002 - the simulator serves one hub
        command: StopSession,
    ) -> CommandResponse:
        charge = self._sessions.find_by_session(command.session_id)
        if charge is None or self._sessions.request_stop(charge.ref) is None:
            return _response(CommandResponseType.UNKNOWN_SESSION)
        charge.context["stop_url"] = command.response_url
        return _response(CommandResponseType.ACCEPTED)


def _money(amount: Decimal) -> Price:
    return Price(excl_vat=amount, incl_vat=amount)


class OcpiSessionReporter:
    """Tells the hub about sessions in OCPI; keeps every CDR it made."""

    def __init__(
        self,
        sessions: SessionSimulator,
        source: NetworkCpoSource,
        tokens: TokenStore,
        http: httpx.AsyncClient,
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._tokens = tokens
        self._http = http
        self.cdrs: list[CDR] = []

    def _hub(self) -> Peer:
        peer = self._tokens.find(HUB_KEY)
        if peer is None or not peer.is_registered:
            raise RuntimeError("the hub is not registered")
        return peer

    def _url(self, module: str) -> str:
        url = self._hub().endpoints.get(module)
        if url is None:
            raise RuntimeError(f"the hub has no {module} receiver")
        return url

    async def _result(self, url: str | None, result: CommandResultType) -> None:
        if url:
            body = CommandResult(result=result)
            await ocpi_call(self._http, "POST", url, self._hub().outgoing_token, body)

    async def started(self, charge: Charge) -> None:
        await self._result(charge.context.get("start_url"), CommandResultType.ACCEPTED)
        session = self._session(charge, SessionStatus.ACTIVE)
        token = self._hub().outgoing_token
        await put_session(self._http, self._url(ModuleId.SESSIONS), token, session)

    async def refused(self, charge: Charge, refusal: Refusal) -> None:
        await self._result(charge.context.get("start_url"), _RESULT_FOR[refusal])

    async def progressed(self, charge: Charge) -> None:
        await self._patch(
            charge,
            SessionPatch(
                kwh=_kwh(charge),
                total_cost=_money(self._cost_so_far(charge)),
                authorization_reference=charge.ref,
                last_updated=charge.now,
            ),
        )

    async def ended(self, charge: Charge) -> None:
        await self._result(charge.context.get("stop_url"), CommandResultType.ACCEPTED)
        await self._patch(
            charge,
            SessionPatch(
                kwh=_kwh(charge),
                status=SessionStatus.COMPLETED,
                end_date_time=charge.now,
                authorization_reference=charge.ref,
                last_updated=charge.now,
            ),
        )

    async def recorded(self, charge: Charge, record: SentRecord) -> None:
        cdr = self._cdr(charge, record)
        self.cdrs.append(cdr)
        token = self._hub().outgoing_token
        await post_cdr(self._http, self._url(ModuleId.CDRS), token, cdr)

    async def _patch(self, charge: Charge, patch: SessionPatch) -> None:
        ids = (self._source.country_code, self._source.party_id, charge.session_id)
        token = self._hub().outgoing_token
        await patch_session(self._http, self._url(ModuleId.SESSIONS), token, ids, patch)

    def _cost_so_far(self, charge: Charge) -> Decimal:
        return charge_record(charge).total_money

    def _cdr_token(self, charge: Charge) -> wire.CdrToken:
        token = charge.context["token"]
        return wire.CdrToken(
            country_code=token.country_code,
            party_id=token.party_id,
            uid=token.uid,
            type=token.type,
            contract_id=token.contract_id,
        )

    def _place(self, charge: Charge) -> tuple[wire.Location, wire.EVSE]:
        location_id, evse_uid = charge.pile.split("/", 1)
        index = self._sessions.network.find_station(location_id)
        assert index is not None  # the session ran at one of our piles
        location = self._source.location(index)
        return location, next(e for e in location.evses or () if e.uid == evse_uid)

    def _session(self, charge: Charge, status: SessionStatus) -> Session:
        location, evse = self._place(charge)
        return Session(
            country_code=self._source.country_code,
            party_id=self._source.party_id,
            id=charge.session_id,
            start_date_time=charge.started_at,
            kwh=_kwh(charge),
            cdr_token=self._cdr_token(charge),
            auth_method=AuthMethod.COMMAND,
            authorization_reference=charge.ref,
            location_id=location.id,
            evse_uid=evse.uid,
            connector_id=evse.connectors[0].id,
            currency="CNY",
            status=status,
            last_updated=charge.now,
        )

    def _cdr(self, charge: Charge, record: SentRecord) -> CDR:
        location, evse = self._place(charge)
        energy = record.electricity_money + record.service_money
        return CDR(
            country_code=self._source.country_code,
            party_id=self._source.party_id,
            id=record.record_id,
            start_date_time=record.started_at,
            end_date_time=record.ended_at,
            session_id=charge.session_id,
            cdr_token=self._cdr_token(charge),
            auth_method=AuthMethod.COMMAND,
            authorization_reference=charge.ref,
            cdr_location=_cdr_location(location, evse),
            currency="CNY",
            charging_periods=_charging_periods(record),
            total_cost=_money(record.total_money),
            total_energy=record.kwh,
            total_energy_cost=_money(energy),
            total_time=_hours(record.started_at, record.ended_at),
            total_parking_time=_hours(record.charged_until, record.ended_at),
            total_parking_cost=_money(record.parking_money + record.idle_money),
            last_updated=record.ended_at,
            evroam=CdrExtension(
                electricity_cost=record.electricity_money,
                service_cost=record.service_money,
            ),
        )

    def list_cdrs(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[CDR], int]:
        """CDRs sender: ``last_updated`` in [date_from, date_to)."""
        matching = [
            c
            for c in self.cdrs
            if (date_from is None or c.last_updated >= date_from)
            and (date_to is None or c.last_updated < date_to)
        ]
        return matching[offset : offset + limit], len(matching)


def _hours(start: datetime, end: datetime) -> Decimal:
    seconds = max(Decimal(0), Decimal((end - start).total_seconds()))
    return (seconds / 3600).quantize(HOURS)


def _charging_periods(record: SentRecord) -> list[wire.ChargingPeriod]:
    """One period per time-of-use period, then (OCPI 2.2.1, CDRs module,
    CdrDimensionType) one PARKING_TIME period from the moment energy stopped."""
    periods = [
        wire.ChargingPeriod(
            start_date_time=p.started_at,
            dimensions=[wire.CdrDimension(type=CdrDimensionType.ENERGY, volume=p.kwh)],
        )
        for p in record.periods
    ]
    if record.ended_at > record.charged_until:
        parked = _hours(record.charged_until, record.ended_at)
        periods.append(
            wire.ChargingPeriod(
                start_date_time=record.charged_until,
                dimensions=[
                    wire.CdrDimension(type=CdrDimensionType.PARKING_TIME, volume=parked)
                ],
            )
        )
    return periods


def _kwh(charge: Charge) -> Decimal:
    return Decimal(repr(charge.kwh)).quantize(Decimal("0.01"))


def _cdr_location(location: wire.Location, evse: wire.EVSE) -> wire.CdrLocation:
    connector = evse.connectors[0]
    return wire.CdrLocation(
        id=location.id,
        name=location.name,
        address=location.address,
        city=location.city,
        country=location.country,
        coordinates=location.coordinates,
        evse_uid=evse.uid,
        evse_id=evse.evse_id or evse.uid,
        connector_id=connector.id,
        connector_standard=connector.standard,
        connector_format=connector.format,
        connector_power_type=connector.power_type,
    )

"""The T/CEC simulator's sessions: query_start/stop_charge, notifications, orders.

query_start_charge refuses at once (SuccStat 1) an unknown ConnectorID
(FailReason 1), an offline pile (2), a busy one (3) or a faulted one (4, our
custom code); otherwise it answers StartChargeSeqStat 1 (starting) and the
result follows as notification_start_charge_result (2 charging, or 5 when the
pile was taken meanwhile). Progress is notification_equip_charge_status (once
the battery is full: ConnectorStatus 2, plugged in and not charging, until the
driver is back); a stop is answered by notification_stop_charge_result (a
driver unplugging a full car by a last status with StartChargeSeqStat 4), then
notification_charge_order_info. The standard's money fields are electricity,
service and total: the parking and idle fees are in ``TotalMoney`` only.
A notification the hub does not confirm (SuccStat or ConfirmResult not 0)
raises ``UnconfirmedError``, so the session simulator sends it again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from evroam.protocols.tcec_102.charging_models import (
    ChargeDetail,
    ChargeOrder,
    CheckChargeOrdersRequest,
    CheckChargeOrdersResponse,
    EquipAuthFailReason,
    EquipChargeStatus,
    NotificationChargeOrderInfoRequest,
    NotificationStartChargeResultRequest,
    NotificationStopChargeResultRequest,
    QueryEquipAuthRequest,
    QueryEquipAuthResponse,
    QueryEquipChargeStatusRequest,
    QueryStartChargeRequest,
    QueryStartChargeResponse,
    QueryStopChargeRequest,
    QueryStopChargeResponse,
    StartChargeSeqStat,
    StartFailReason,
    StopReason,
)
from evroam.protocols.tcec_102.client import TcecClient
from evroam.protocols.tcec_102.endpoint import Handler
from evroam.protocols.tcec_102.errors import ParameterError, PayloadError
from evroam.protocols.tcec_102.models import (
    ConnectorStatsInfo,
    EquipmentStatsInfo,
    QueryStationStatsRequest,
    QueryStationStatsResponse,
    StationStatsInfo,
    parse_body,
)
from evroam.protocols.tcec_102.timestamp import WIRE_ZONE, format_query_time
from evroam.simulator.charge import (
    Charge,
    SentRecord,
    StopCause,
    charge_record,
)
from evroam.simulator.sessions import Refusal, SessionSimulator
from evroam.simulator.wire_status import tcec_code

DC_VOLTAGE = Decimal(500)
AC_VOLTAGE = Decimal(220)
_FAIL_FOR = {
    Refusal.NO_SUCH_PILE: StartFailReason.NO_SUCH_EQUIPMENT,
    Refusal.OFFLINE: StartFailReason.EQUIPMENT_OFFLINE,
    Refusal.OCCUPIED: StartFailReason.BUSY,
    Refusal.FAULTED: StartFailReason.FAULTED,
}
_AUTH_FAIL_FOR = {
    Refusal.NO_SUCH_PILE: EquipAuthFailReason.NO_SUCH_EQUIPMENT,
    Refusal.OFFLINE: EquipAuthFailReason.EQUIPMENT_OFFLINE,
    Refusal.OCCUPIED: EquipAuthFailReason.BUSY,
    Refusal.FAULTED: EquipAuthFailReason.FAULTED,
}


class UnconfirmedError(Exception):
    """The hub answered a notification without confirming it."""


def _confirmed(message: str, reply: dict[str, Any], field: str) -> None:
    if reply.get(field) != 0:
        raise UnconfirmedError(f"{message}: {field} {reply.get(field)!r}")


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def charge_status(
    sessions: SessionSimulator, charge: Charge, stat: StartChargeSeqStat
) -> EquipChargeStatus:
    """A charge as the standard's status snapshot (one phase: DC or AC)."""
    pile = sessions.network.pile_named(charge.pile)
    voltage = DC_VOLTAGE if pile.is_dc else AC_VOLTAGE
    power_w = Decimal(repr(charge.power_kw)) * 1000 if stat < 4 else Decimal(0)
    so_far = charge_record(charge)
    return EquipChargeStatus(
        StartChargeSeq=charge.ref,
        StartChargeSeqStat=int(stat),
        ConnectorID=charge.pile,
        ConnectorStatus=tcec_code(sessions.network.status(pile.index)),
        CurrentA=_money(power_w / voltage),
        VoltageA=voltage,
        Soc=_money(Decimal(repr(charge.soc * 100))),
        StartTime=format_query_time(charge.started_at),
        EndTime=format_query_time(charge.now),
        TotalPower=so_far.kwh,
        ElecMoney=so_far.electricity_money,
        SeviceMoney=so_far.service_money,
        TotalMoney=so_far.total_money,
    )


def order_info(
    record: SentRecord, stop: StopReason
) -> NotificationChargeOrderInfoRequest:
    details = [
        ChargeDetail(
            DetailStartTime=format_query_time(p.started_at),
            DetailEndTime=format_query_time(p.ended_at),
            ElecPrice=p.electricity_per_kwh,
            SevicePrice=p.service_per_kwh,
            DetailPower=p.kwh,
            DetailElecMoney=p.electricity_money,
            DetailSeviceMoney=p.service_money,
        )
        for p in record.periods
    ]
    return NotificationChargeOrderInfoRequest(
        StartChargeSeq=record.ref,
        ConnectorID=record.pile,
        StartTime=format_query_time(record.started_at),
        EndTime=format_query_time(record.ended_at),
        TotalPower=record.kwh,
        TotalElecMoney=record.electricity_money,
        TotalSeviceMoney=record.service_money,
        TotalMoney=record.total_money,
        StopReason=int(stop),
        SumPeriod=len(details),
        ChargeDetails=details,
    )


def final_status(sessions: SessionSimulator, record: SentRecord) -> EquipChargeStatus:
    """A finished charge as query_equip_charge_status tells it: ended, its totals."""
    pile = sessions.network.pile_named(record.pile)
    return EquipChargeStatus(
        StartChargeSeq=record.ref,
        StartChargeSeqStat=int(StartChargeSeqStat.ENDED),
        ConnectorID=record.pile,
        ConnectorStatus=tcec_code(sessions.network.status(pile.index)),
        StartTime=format_query_time(record.started_at),
        EndTime=format_query_time(record.ended_at),
        TotalPower=record.kwh,
        ElecMoney=record.electricity_money,
        SeviceMoney=record.service_money,
        TotalMoney=record.total_money,
    )


def status_now(sessions: SessionSimulator, start_charge_seq: str) -> EquipChargeStatus:
    """query_equip_charge_status: a running charge's snapshot, or a finished
    one's totals; ``ParameterError`` for a StartChargeSeq we never started."""
    charge = sessions.find(start_charge_seq)
    if charge is not None:
        return charge_status(sessions, charge, StartChargeSeqStat.CHARGING)
    ended = [r for r in sessions.records if r.ref == start_charge_seq]
    if not ended:
        raise ParameterError("未知的StartChargeSeq")
    return final_status(sessions, ended[-1])


def station_stats(
    sessions: SessionSimulator, request: QueryStationStatsRequest
) -> QueryStationStatsResponse | None:
    """Energy of the records that ended on the asked days (Beijing dates,
    inclusive), per connector of the station; None for an unknown station."""
    index = sessions.network.find_station(request.StationID)
    if index is None:
        return None
    try:
        first = date.fromisoformat(request.StartTime)
        last = date.fromisoformat(request.EndTime)
    except ValueError as exc:
        raise PayloadError("StartTime/EndTime应为yyyy-MM-dd") from exc
    starts_at = datetime.combine(first, time(0), WIRE_ZONE)
    ends_at = datetime.combine(last + timedelta(days=1), time(0), WIRE_ZONE)
    kwh: dict[str, Decimal] = {}
    for record in sessions.records_between(starts_at, ends_at):
        kwh[record.pile] = kwh.get(record.pile, Decimal(0)) + record.kwh
    station = sessions.network.station(index)
    equipment = [
        EquipmentStatsInfo(
            EquipmentID=pile.external_uid,
            EquipmentElectricity=kwh.get(pile.external_uid, Decimal(0)),
            ConnectorStatsInfos=[
                ConnectorStatsInfo(
                    ConnectorID=pile.external_uid,
                    ConnectorElectricity=kwh.get(pile.external_uid, Decimal(0)),
                )
            ],
        )
        for pile in station.piles
    ]
    return QueryStationStatsResponse(
        StationStats=StationStatsInfo(
            StationID=request.StationID,
            StartTime=request.StartTime,
            EndTime=request.EndTime,
            StationElectricity=sum(
                (e.EquipmentElectricity for e in equipment), Decimal(0)
            ),
            EquipmentStatsInfos=equipment,
        )
    )


def build_charging_query_handlers(sessions: SessionSimulator) -> dict[str, Handler]:
    """query_equip_auth, query_start_charge, query_stop_charge,
    query_equip_charge_status and query_station_stats."""

    async def auth(_: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryEquipAuthRequest, body)
        refusal = sessions.refusal_for(request.ConnectorID)
        return QueryEquipAuthResponse(
            EquipAuthSeq=request.EquipAuthSeq,
            ConnectorID=request.ConnectorID,
            SuccStat=0 if refusal is None else 1,
            FailReason=0 if refusal is None else int(_AUTH_FAIL_FOR[refusal]),
        ).to_wire()

    async def stats(_: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = station_stats(sessions, parse_body(QueryStationStatsRequest, body))
        if answer is None:
            raise ParameterError("未知的StationID")
        return answer.to_wire()

    async def start(_: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryStartChargeRequest, body)
        refusal = sessions.refusal_for(request.ConnectorID)
        if sessions.find(request.StartChargeSeq) is not None:
            refusal = Refusal.OCCUPIED
        if refusal is not None:
            return QueryStartChargeResponse(
                StartChargeSeq=request.StartChargeSeq,
                StartChargeSeqStat=int(StartChargeSeqStat.ENDED),
                ConnectorID=request.ConnectorID,
                SuccStat=1,
                FailReason=int(_FAIL_FOR[refusal]),
            ).to_wire()
        seq = request.StartChargeSeq
        sessions.start(request.ConnectorID, seq, seq)
        return QueryStartChargeResponse(
            StartChargeSeq=seq,
            StartChargeSeqStat=int(StartChargeSeqStat.STARTING),
            ConnectorID=request.ConnectorID,
            SuccStat=0,
        ).to_wire()

    async def stop(_: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryStopChargeRequest, body)
        charge = sessions.request_stop(request.StartChargeSeq)
        is_stopping = charge is not None
        return QueryStopChargeResponse(
            StartChargeSeq=request.StartChargeSeq,
            StartChargeSeqStat=int(
                StartChargeSeqStat.STOPPING if is_stopping else StartChargeSeqStat.ENDED
            ),
            SuccStat=0 if is_stopping else 1,
            FailReason=0 if is_stopping else int(StartFailReason.BUSY),
        ).to_wire()

    async def status(_: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(QueryEquipChargeStatusRequest, body)
        return status_now(sessions, request.StartChargeSeq).to_wire()

    return {
        "query_equip_auth": auth,
        "query_station_stats": stats,
        "query_start_charge": start,
        "query_stop_charge": stop,
        "query_equip_charge_status": status,
    }


class TcecSessionReporter:
    """Tells the hub about sessions in T/CEC, as the partner's OperatorID."""

    def __init__(self, sessions: SessionSimulator, client: TcecClient) -> None:
        self._sessions = sessions
        self._client = client

    async def _start_result(self, charge: Charge, stat: StartChargeSeqStat) -> None:
        request = NotificationStartChargeResultRequest(
            StartChargeSeq=charge.ref,
            StartChargeSeqStat=int(stat),
            ConnectorID=charge.pile,
            StartTime=format_query_time(charge.started_at),
        )
        message = "notification_start_charge_result"
        _confirmed(message, await self._client.call(message, request), "SuccStat")

    async def started(self, charge: Charge) -> None:
        await self._start_result(charge, StartChargeSeqStat.CHARGING)

    async def refused(self, charge: Charge, refusal: Refusal) -> None:  # noqa: ARG002
        await self._start_result(charge, StartChargeSeqStat.UNKNOWN)

    async def progressed(self, charge: Charge) -> None:
        snapshot = charge_status(self._sessions, charge, StartChargeSeqStat.CHARGING)
        await self._client.call("notification_equip_charge_status", snapshot)

    async def ended(self, charge: Charge) -> None:
        if charge.stop_cause is StopCause.FULL:
            last = charge_status(self._sessions, charge, StartChargeSeqStat.ENDED)
            await self._client.call("notification_equip_charge_status", last)
            return
        result = NotificationStopChargeResultRequest(
            StartChargeSeq=charge.ref,
            StartChargeSeqStat=int(StartChargeSeqStat.ENDED),
            ConnectorID=charge.pile,
            SuccStat=0,
        )
        message = "notification_stop_charge_result"
        _confirmed(message, await self._client.call(message, result), "SuccStat")

    async def recorded(self, charge: Charge, record: SentRecord) -> None:
        stop = (
            StopReason.BMS
            if charge.stop_cause is StopCause.FULL
            else StopReason.PLATFORM
        )
        message = "notification_charge_order_info"
        reply = await self._client.call(message, order_info(record, stop))
        _confirmed(message, reply, "ConfirmResult")

    async def check_orders(
        self, check_id: str, starts_at: datetime, ends_at: datetime
    ) -> CheckChargeOrdersResponse:
        """check_charge_orders for the records that ended in [starts_at, ends_at)."""
        records = self._sessions.records_between(starts_at, ends_at)
        request = CheckChargeOrdersRequest(
            CheckOrderSeq=check_id,
            StartTime=format_query_time(starts_at),
            EndTime=format_query_time(ends_at),
            OrderCount=len(records),
            TotalOrderPower=sum((r.kwh for r in records), Decimal(0)),
            TotalOrderMoney=sum((r.total_money for r in records), Decimal(0)),
            ChargeOrders=[
                ChargeOrder(
                    StartChargeSeq=r.ref, TotalPower=r.kwh, TotalMoney=r.total_money
                )
                for r in records
            ],
        )
        body = await self._client.call("check_charge_orders", request)
        return parse_body(CheckChargeOrdersResponse, body)


class CheckRequest(BaseModel):
    check_id: str
    starts_at: datetime
    ends_at: datetime


def build_check_control_router(reporter: TcecSessionReporter) -> APIRouter:
    """``POST /sim/charge-records/check``: send check_charge_orders to the hub."""
    router = APIRouter(prefix="/sim", tags=["simulator control"])

    @router.post("/charge-records/check")
    async def check(body: CheckRequest) -> dict[str, Any]:
        reply = await reporter.check_orders(body.check_id, body.starts_at, body.ends_at)
        return reply.model_dump(mode="json", by_alias=True)

    return router


__all__ = [
    "TcecSessionReporter",
    "UnconfirmedError",
    "build_charging_query_handlers",
    "build_check_control_router",
    "charge_status",
    "order_info",
]

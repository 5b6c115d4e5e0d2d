"""The hub over T/CEC 102.4 remote charging: start/stop and what notifications mean.

The hub names a session by its ref; the ``StartChargeSeq`` it sends is our
OperatorID (9) + the ref (18) = the standard's 27 characters, so every later
message (which carries only StartChargeSeq) leads straight back to the ref.

    hub  --query_equip_auth-->    partner    SuccStat (sync): may the connector be used
    hub  --query_start_charge-->  partner    SuccStat (sync)
    hub  <--notification_start_charge_result  StartChargeSeqStat 2: started
    hub  <--notification_equip_charge_status  every ~15 s
    hub  --query_equip_charge_status-->       the same, asked (a silent partner)
    hub  --query_stop_charge-->   partner    SuccStat (sync)
    hub  <--notification_stop_charge_result
    hub  <--notification_charge_order_info    hub answers ConfirmResult
    hub  <--check_charge_orders               hub answers the disputed orders
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from decimal import Decimal

from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    OrderCheck,
    OrderDispute,
    OrderTotals,
    PileAddress,
    RemoteEvent,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    StartResult,
    StopRejected,
    StopResult,
    UnknownSessionError,
    check_session_ref,
)
from evroam.partners.model import Partner
from evroam.protocols.tcec_102.charging import fail_text
from evroam.protocols.tcec_102.charging_models import (
    CheckChargeOrdersRequest,
    CheckChargeOrdersResponse,
    DisputeOrder,
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
)
from evroam.protocols.tcec_102.client import TcecClient
from evroam.protocols.tcec_102.errors import PayloadError
from evroam.protocols.tcec_102.models import parse_body
from evroam.protocols.tcec_102.timestamp import parse_query_time
from evroam.shared.clock import Clock
from evroam.shared.errors import InvalidInputError
from evroam.shared.money import Money

TcecClientFactory = Callable[[Partner], AbstractAsyncContextManager[TcecClient]]
"""An open client to the partner (the hub's ``TcecPartnerGateway`` has one)."""
EventSink = Callable[[str, RemoteEvent], Awaitable[None]]
"""``await sink(partner_key, event)``; raise ``UnknownSessionError`` to refuse."""
OrderSink = Callable[[str, ChargeRecord], Awaitable[bool | None]]
"""``await sink(partner_key, record)``: False when the hub disputes the record
(ConfirmResult 1); raise ``UnknownSessionError`` to refuse, ``InvalidInputError``
for a malformed record (Ret 4004)."""
CheckHandler = Callable[[str, OrderCheck], Awaitable[Sequence[OrderDispute]]]


def start_charge_seq(hub_operator_id: str, session_ref: str) -> str:
    """The StartChargeSeq for a session: OperatorID (9) + ref (18)."""
    if len(hub_operator_id) != 9:
        raise ValueError("a T/CEC OperatorID has 9 characters")
    return f"{hub_operator_id}{check_session_ref(session_ref)}"


def ref_of_seq(start_charge_seq: str) -> str:
    """The session ref inside a StartChargeSeq (the whole seq if it is not ours)."""
    return start_charge_seq[9:] if len(start_charge_seq) == 27 else start_charge_seq


_NOTHING_TO_TELL = {StartChargeSeqStat.STARTING, StartChargeSeqStat.UNKNOWN}


class TcecRemoteCharging:
    """``RemoteCharging`` over T/CEC 102.3 (query_equip_auth, query_start_charge,
    query_stop_charge) and the status query that chases a silent partner.

    A start is named by its StartChargeSeq, so sending it again after an
    interruption asks for the same session (``can_resend_start``).
    """

    can_resend_start = True

    def __init__(self, clients: TcecClientFactory, hub_operator_id: str) -> None:
        self._clients = clients
        self._hub_operator_id = hub_operator_id

    async def start(
        self,
        partner: Partner,
        pile: PileAddress,
        session_ref: str,
        token_uid: str,  # noqa: ARG002 - T/CEC starts for the platform, not a token
    ) -> StartResult:
        seq = start_charge_seq(self._hub_operator_id, session_ref)
        connector = pile.pile_external_uid
        async with self._clients(partner) as client:
            # T/CEC 102.3: the connector is authorised (query_equip_auth) before
            # a charge is started on it; EquipAuthSeq names the same session.
            auth = QueryEquipAuthRequest(EquipAuthSeq=seq, ConnectorID=connector)
            allowed = parse_body(
                QueryEquipAuthResponse, await client.call("query_equip_auth", auth)
            )
            if allowed.SuccStat != 0:
                reason = f"query_equip_auth {fail_text(allowed.FailReason)}"
                return StartResult(session_ref, False, seq, reason)
            request = QueryStartChargeRequest(StartChargeSeq=seq, ConnectorID=connector)
            body = await client.call("query_start_charge", request)
        reply = parse_body(QueryStartChargeResponse, body)
        if reply.SuccStat != 0:
            return StartResult(session_ref, False, seq, fail_text(reply.FailReason))
        return StartResult(session_ref, True, seq)

    async def query_charge_status(
        self, partner: Partner, session_ref: str
    ) -> list[RemoteEvent]:
        """query_equip_charge_status: the partner's own account of a session now
        (to chase a partner whose notifications stopped), as the events its
        notification would have given: progress, and the end once it ended;
        none while it is still starting or when the partner does not know it."""
        request = QueryEquipChargeStatusRequest(
            StartChargeSeq=start_charge_seq(self._hub_operator_id, session_ref)
        )
        async with self._clients(partner) as client:
            body = await client.call("query_equip_charge_status", request)
        status = parse_body(EquipChargeStatus, body)
        if status.StartChargeSeqStat in _NOTHING_TO_TELL:
            return []  # still starting, or unknown to the partner: no progress
        return events_from_status(status)

    async def stop(
        self,
        partner: Partner,
        pile: PileAddress,
        session_ref: str,
        partner_session_id: str | None,  # noqa: ARG002 - the seq is ours
    ) -> StopResult:
        request = QueryStopChargeRequest(
            StartChargeSeq=start_charge_seq(self._hub_operator_id, session_ref),
            ConnectorID=pile.pile_external_uid,
        )
        async with self._clients(partner) as client:
            body = await client.call("query_stop_charge", request)
        reply = parse_body(QueryStopChargeResponse, body)
        if reply.SuccStat != 0:
            return StopResult(session_ref, False, fail_text(reply.FailReason))
        return StopResult(session_ref, True)


# --- wire -> events (pure) ----------------------------------------------------------


def _fen(money: Decimal | None) -> int | None:
    return None if money is None else Money.of(money).fen


def _power_kw(status: EquipChargeStatus) -> Decimal | None:
    watts = status.CurrentA * status.VoltageA
    for current, voltage in (
        (status.CurrentB, status.VoltageB),
        (status.CurrentC, status.VoltageC),
    ):
        if current is not None and voltage is not None:
            watts += current * voltage
    return (watts / 1000).quantize(Decimal("0.01")) if watts else None


def events_from_status(status: EquipChargeStatus) -> list[RemoteEvent]:
    ref = ref_of_seq(status.StartChargeSeq)
    at = parse_query_time(status.EndTime)
    progress = SessionProgress(
        ref,
        status.TotalPower,
        _power_kw(status),
        status.Soc,
        _fen(status.TotalMoney),
        at,
    )
    if status.StartChargeSeqStat == StartChargeSeqStat.ENDED:
        return [progress, SessionEnded(ref, at)]
    return [progress]


def charge_record_from_order(order: NotificationChargeOrderInfoRequest) -> ChargeRecord:
    periods = tuple(
        ChargePeriod(
            parse_query_time(d.DetailStartTime),
            parse_query_time(d.DetailEndTime),
            d.DetailPower,
        )
        for d in order.ChargeDetails
    )
    return ChargeRecord(
        ref=ref_of_seq(order.StartChargeSeq),
        partner_record_id=order.StartChargeSeq,
        started_at=parse_query_time(order.StartTime),
        ended_at=parse_query_time(order.EndTime),
        kwh=order.TotalPower,
        periods=periods,
        electricity_money=order.TotalElecMoney,
        service_money=order.TotalSeviceMoney,
        # T/CEC has no parking field: what the total holds beyond electricity
        # and service is the time at the bay (parking and idle fees).
        parking_money=max(
            Decimal(0),
            order.TotalMoney - order.TotalElecMoney - order.TotalSeviceMoney,
        ),
        total_money=order.TotalMoney,
        protocol="tcec",
    )


def order_check_from_request(request: CheckChargeOrdersRequest) -> OrderCheck:
    return OrderCheck(
        check_id=request.CheckOrderSeq,
        starts_at=parse_query_time(request.StartTime),
        ends_at=parse_query_time(request.EndTime),
        orders=tuple(
            OrderTotals(ref_of_seq(o.StartChargeSeq), o.TotalPower, o.TotalMoney)
            for o in request.ChargeOrders
        ),
    )


def check_response(
    request: CheckChargeOrdersRequest,
    disputes: Sequence[OrderDispute],
    hub_operator_id: str,
) -> CheckChargeOrdersResponse:
    seq_of = {
        ref_of_seq(o.StartChargeSeq): o.StartChargeSeq for o in request.ChargeOrders
    }
    orders = [
        DisputeOrder(
            StartChargeSeq=seq_of.get(d.ref, f"{hub_operator_id}{d.ref}"),
            TotalPower=d.kwh,
            TotalMoney=d.total_money,
            DisputeReason=int(d.reason),
        )
        for d in disputes
    ]
    return CheckChargeOrdersResponse(
        CheckOrderSeq=request.CheckOrderSeq,
        StartTime=request.StartTime,
        EndTime=request.EndTime,
        TotalDisputeOrder=len(orders),
        TotalDisputePower=sum((d.kwh for d in disputes), Decimal(0)),
        TotalDisputeMoney=sum((d.total_money for d in disputes), Decimal(0)),
        DisputeOrders=orders,
    )


# --- hub side: what the notifications mean ------------------------------------------


async def _deliver(sink: EventSink, key: str, events: Sequence[RemoteEvent]) -> bool:
    """False when the hub does not know the session."""
    try:
        for event in events:
            await sink(key, event)
    except UnknownSessionError:
        return False
    return True


def _start_events(request: NotificationStartChargeResultRequest) -> list[RemoteEvent]:
    ref = ref_of_seq(request.StartChargeSeq)
    stat = request.StartChargeSeqStat
    if stat == StartChargeSeqStat.CHARGING:
        started_at = parse_query_time(request.StartTime)
        return [SessionStarted(ref, request.StartChargeSeq, started_at)]
    if stat in (StartChargeSeqStat.ENDED, StartChargeSeqStat.UNKNOWN):
        return [SessionRejected(ref, f"StartChargeSeqStat {stat}: did not start")]
    return []  # 1 starting, 3 stopping: nothing new


def _stop_events(
    request: NotificationStopChargeResultRequest, clock: Clock
) -> list[RemoteEvent]:
    ref = ref_of_seq(request.StartChargeSeq)
    if request.SuccStat != 0:
        return [StopRejected(ref, fail_text(request.FailReason))]
    if request.StartChargeSeqStat == StartChargeSeqStat.ENDED:
        return [SessionEnded(ref, clock.now())]  # the message carries no time
    return []


class TcecChargingReceiver:
    """The hub's ``ChargeNotificationReceiver``: notifications become
    ``charging.remote`` events (give it to ``build_charging_handlers``).
    ``partner_for`` maps the sender's OperatorID to the key the callbacks get
    (default: the OperatorID itself)."""

    def __init__(
        self,
        *,
        on_start_result: EventSink,
        on_status: EventSink,
        on_stop_result: EventSink,
        on_order: OrderSink,
        on_check: CheckHandler,
        clock: Clock,
        hub_operator_id: str,
        partner_for: Callable[[str], str | None] | None = None,
    ) -> None:
        self._on_start_result = on_start_result
        self._on_status = on_status
        self._on_stop_result = on_stop_result
        self._on_order = on_order
        self._on_check = on_check
        self._clock = clock
        self._hub_operator_id = hub_operator_id
        self._partner_for = partner_for

    def _key_of(self, operator_id: str) -> str:
        found = self._partner_for(operator_id) if self._partner_for else None
        return found or operator_id

    async def start_charge_result(
        self, operator_id: str, request: NotificationStartChargeResultRequest
    ) -> bool:
        events = _start_events(request)
        return await _deliver(self._on_start_result, self._key_of(operator_id), events)

    async def equip_charge_status(
        self, operator_id: str, request: EquipChargeStatus
    ) -> bool:
        events = events_from_status(request)
        return await _deliver(self._on_status, self._key_of(operator_id), events)

    async def stop_charge_result(
        self, operator_id: str, request: NotificationStopChargeResultRequest
    ) -> bool:
        events = _stop_events(request, self._clock)
        return await _deliver(self._on_stop_result, self._key_of(operator_id), events)

    async def charge_order_info(
        self, operator_id: str, request: NotificationChargeOrderInfoRequest
    ) -> bool:
        """ConfirmResult 0 (True) when the hub takes the record, 1 when it
        disputes it or does not hold the session; Ret 4004 when malformed."""
        record = charge_record_from_order(request)
        try:
            taken = await self._on_order(self._key_of(operator_id), record)
        except UnknownSessionError:
            return False
        except InvalidInputError as exc:
            raise PayloadError(f"充电订单不合法: {exc}") from exc
        return taken is not False

    async def check_charge_orders(
        self, operator_id: str, request: CheckChargeOrdersRequest
    ) -> CheckChargeOrdersResponse:
        disputes = await self._on_check(
            self._key_of(operator_id), order_check_from_request(request)
        )
        return check_response(request, disputes, self._hub_operator_id)


__all__ = [
    "CheckHandler",
    "EventSink",
    "OrderSink",
    "TcecChargingReceiver",
    "TcecClientFactory",
    "TcecRemoteCharging",
    "charge_record_from_order",
    "check_response",
    "events_from_status",
    "order_check_from_request",
    "ref_of_seq",
    "start_charge_seq",
]

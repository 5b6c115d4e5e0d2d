"""T/CEC 102.4 charging notifications: the handlers a platform serves for them.

An operator platform tells the platform that started a charge how it went:
``notification_start_charge_result``, ``notification_equip_charge_status``
(every ~15 s), ``notification_stop_charge_result``,
``notification_charge_order_info`` (answered with ConfirmResult) and, for
reconciliation, ``check_charge_orders`` (answered with the disputed orders).
``build_charging_handlers`` parses each body into its wire model, asks a
``ChargeNotificationReceiver`` and writes the standard's answer.
"""

from __future__ import annotations

from typing import Any, Protocol

from evroam.protocols.tcec_102.charging_models import (
    CheckChargeOrdersRequest,
    CheckChargeOrdersResponse,
    EquipChargeStatus,
    NotificationChargeOrderInfoRequest,
    NotificationChargeOrderInfoResponse,
    NotificationEquipChargeStatusResponse,
    NotificationStartChargeResultRequest,
    NotificationStartChargeResultResponse,
    NotificationStopChargeResultRequest,
    NotificationStopChargeResultResponse,
)
from evroam.protocols.tcec_102.endpoint import Handler
from evroam.protocols.tcec_102.models import parse_body

_FAIL_TEXT = {
    1: "no such equipment",
    2: "equipment offline",
    3: "connector busy or already stopped",
    4: "equipment faulted or reserved",
}


def fail_text(code: int) -> str:
    """A FailReason of query_start_charge / query_stop_charge, in words."""
    return f"FailReason {code}: {_FAIL_TEXT.get(code, 'refused')}"


class ChargeNotificationReceiver(Protocol):
    """What the starting platform does with each notification. The first four
    answer False when it does not know the charge (the answer says so)."""

    async def start_charge_result(
        self, operator_id: str, request: NotificationStartChargeResultRequest
    ) -> bool: ...

    async def equip_charge_status(
        self, operator_id: str, request: EquipChargeStatus
    ) -> bool: ...

    async def stop_charge_result(
        self, operator_id: str, request: NotificationStopChargeResultRequest
    ) -> bool: ...

    async def charge_order_info(
        self, operator_id: str, request: NotificationChargeOrderInfoRequest
    ) -> bool: ...

    async def check_charge_orders(
        self, operator_id: str, request: CheckChargeOrdersRequest
    ) -> CheckChargeOrdersResponse: ...


def build_charging_handlers(receiver: ChargeNotificationReceiver) -> dict[str, Handler]:
    """Handlers for the charging notifications, by interface name; merge them
    into the platform's other T/CEC handlers. ``operator_id`` is the sender's."""

    async def start_result(operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(NotificationStartChargeResultRequest, body)
        ok = await receiver.start_charge_result(operator_id, request)
        return NotificationStartChargeResultResponse(
            StartChargeSeq=request.StartChargeSeq,
            SuccStat=0 if ok else 1,
            FailReason=0 if ok else 1,
        ).to_wire()

    async def status(operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(EquipChargeStatus, body)
        ok = await receiver.equip_charge_status(operator_id, request)
        return NotificationEquipChargeStatusResponse(
            StartChargeSeq=request.StartChargeSeq, SuccStat=0 if ok else 1
        ).to_wire()

    async def stop_result(operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(NotificationStopChargeResultRequest, body)
        ok = await receiver.stop_charge_result(operator_id, request)
        return NotificationStopChargeResultResponse(
            StartChargeSeq=request.StartChargeSeq,
            SuccStat=0 if ok else 1,
            FailReason=0 if ok else 1,
        ).to_wire()

    async def order(operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(NotificationChargeOrderInfoRequest, body)
        ok = await receiver.charge_order_info(operator_id, request)
        return NotificationChargeOrderInfoResponse(
            StartChargeSeq=request.StartChargeSeq,
            ConnectorID=request.ConnectorID,
            ConfirmResult=0 if ok else 1,
        ).to_wire()

    async def check(operator_id: str, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_body(CheckChargeOrdersRequest, body)
        answer = await receiver.check_charge_orders(operator_id, request)
        return answer.to_wire()

    return {
        "notification_start_charge_result": start_result,
        "notification_equip_charge_status": status,
        "notification_stop_charge_result": stop_result,
        "notification_charge_order_info": order,
        "check_charge_orders": check,
    }


__all__ = ["ChargeNotificationReceiver", "build_charging_handlers", "fail_text"]

"""T/CEC 102.4 (2016) charging messages: start, status, stop, order, reconciliation.

Names exactly as the standard spells them, "Sevice" included (``SevicePrice``,
``SeviceMoney``, ``TotalSeviceMoney``, ``DetailSeviceMoney``); the "Service"
spelling is read too and ``Wire.to_wire`` writes the partner's choice. Times
are ``yyyy-MM-dd HH:mm:ss`` Beijing time (``timestamp.format_query_time``).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from pydantic import AliasChoices, Field

from evroam.protocols.tcec_102.models import Wire


def _fee(standard: str) -> Any:
    """A money field read as the standard's "Sevice" name or as "Service"."""
    return Field(
        validation_alias=AliasChoices(standard, standard.replace("Sevice", "Service")),
        serialization_alias=standard,
        ge=0,
    )


def _optional_fee(standard: str) -> Any:
    return Field(
        default=None,
        validation_alias=AliasChoices(standard, standard.replace("Sevice", "Service")),
        serialization_alias=standard,
        ge=0,
    )


class StartChargeSeqStat(enum.IntEnum):
    """充电订单状态."""

    STARTING = 1
    CHARGING = 2
    STOPPING = 3
    ENDED = 4
    UNKNOWN = 5


class StartFailReason(enum.IntEnum):
    """query_start_charge / query_stop_charge FailReason (4-99 are custom)."""

    NONE = 0
    NO_SUCH_EQUIPMENT = 1  # 此设备不存在
    EQUIPMENT_OFFLINE = 2  # 此设备离线
    # start: 3 "not plugged in" is common usage; stop: 3 already stopped
    BUSY = 3
    FAULTED = 4  # evroam: faulted or reserved (custom range)


class StopReason(enum.IntEnum):
    """notification_charge_order_info StopReason (5-99 are custom)."""

    USER = 0  # 用户手动停止充电
    PLATFORM = 1  # 客户归属地运营商平台停止充电
    BMS = 2  # BMS停止充电 (battery full)
    FAULT = 3  # 充电机设备故障
    UNPLUGGED = 4  # 连接器断开


# --- start ------------------------------------------------------------------------


class QueryStartChargeRequest(Wire):
    StartChargeSeq: str = Field(min_length=27, max_length=27)
    ConnectorID: str
    QRCode: str | None = None


class QueryStartChargeResponse(Wire):
    StartChargeSeq: str
    StartChargeSeqStat: int
    ConnectorID: str
    SuccStat: int  # 0 success, 1 failure
    FailReason: int = 0


class NotificationStartChargeResultRequest(Wire):
    StartChargeSeq: str
    StartChargeSeqStat: int
    ConnectorID: str
    StartTime: str
    IdentCode: str | None = None


class NotificationStartChargeResultResponse(Wire):
    StartChargeSeq: str
    SuccStat: int
    FailReason: int = 0


# --- status -----------------------------------------------------------------------


class ChargeDetail(Wire):
    """One time-of-use period of a charge."""

    DetailStartTime: str
    DetailEndTime: str
    ElecPrice: Decimal | None = Field(default=None, ge=0)
    SevicePrice: Decimal | None = _optional_fee("SevicePrice")
    DetailPower: Decimal = Field(ge=0)
    DetailElecMoney: Decimal | None = Field(default=None, ge=0)
    DetailSeviceMoney: Decimal | None = _optional_fee("DetailSeviceMoney")


class QueryEquipChargeStatusRequest(Wire):
    StartChargeSeq: str


class EquipChargeStatus(Wire):
    """query_equip_charge_status reply and notification_equip_charge_status body."""

    StartChargeSeq: str
    StartChargeSeqStat: int
    ConnectorID: str
    ConnectorStatus: int
    CurrentA: Decimal = Decimal(0)
    CurrentB: Decimal | None = None
    CurrentC: Decimal | None = None
    VoltageA: Decimal = Decimal(0)
    VoltageB: Decimal | None = None
    VoltageC: Decimal | None = None
    Soc: Decimal = Decimal(0)
    StartTime: str
    EndTime: str  # this sample's time
    TotalPower: Decimal = Field(ge=0)
    ElecMoney: Decimal | None = Field(default=None, ge=0)
    SeviceMoney: Decimal | None = _optional_fee("SeviceMoney")
    TotalMoney: Decimal | None = Field(default=None, ge=0)
    SumPeriod: int | None = None
    ChargeDetails: list[ChargeDetail] | None = None


class NotificationEquipChargeStatusResponse(Wire):
    StartChargeSeq: str
    SuccStat: int


# --- stop -------------------------------------------------------------------------


class QueryStopChargeRequest(Wire):
    StartChargeSeq: str
    ConnectorID: str


class QueryStopChargeResponse(Wire):
    StartChargeSeq: str
    StartChargeSeqStat: int
    SuccStat: int
    FailReason: int = 0


class NotificationStopChargeResultRequest(Wire):
    StartChargeSeq: str
    StartChargeSeqStat: int
    ConnectorID: str
    SuccStat: int
    FailReason: int = 0


class NotificationStopChargeResultResponse(Wire):
    StartChargeSeq: str
    SuccStat: int
    FailReason: int = 0


# --- order ------------------------------------------------------------------------


class NotificationChargeOrderInfoRequest(Wire):
    StartChargeSeq: str
    ConnectorID: str
    StartTime: str
    EndTime: str
    TotalPower: Decimal = Field(ge=0)
    TotalElecMoney: Decimal = Field(ge=0)
    TotalSeviceMoney: Decimal = _fee("TotalSeviceMoney")
    TotalMoney: Decimal = Field(ge=0)
    StopReason: int
    SumPeriod: int | None = None
    ChargeDetails: list[ChargeDetail] = Field(default_factory=list)


class NotificationChargeOrderInfoResponse(Wire):
    StartChargeSeq: str
    ConnectorID: str
    ConfirmResult: int  # 0 success, 1 disputed, 2-99 custom


# --- reconciliation ----------------------------------------------------------------


class ChargeOrder(Wire):
    StartChargeSeq: str
    TotalPower: Decimal = Field(ge=0)
    TotalMoney: Decimal = Field(ge=0)


class CheckChargeOrdersRequest(Wire):
    CheckOrderSeq: str
    StartTime: str
    EndTime: str
    OrderCount: int = Field(ge=0)
    TotalOrderPower: Decimal = Field(ge=0)
    TotalOrderMoney: Decimal = Field(ge=0)
    ChargeOrders: list[ChargeOrder] = Field(default_factory=list)


class DisputeOrder(Wire):
    StartChargeSeq: str
    TotalPower: Decimal
    TotalMoney: Decimal
    DisputeReason: int  # 1 no such order, 2 money differs, 3 energy differs


class CheckChargeOrdersResponse(Wire):
    CheckOrderSeq: str
    StartTime: str
    EndTime: str
    TotalDisputeOrder: int
    TotalDisputePower: Decimal
    TotalDisputeMoney: Decimal
    DisputeOrders: list[DisputeOrder] = Field(default_factory=list)

"""T/CEC 102.4 (2016) charging messages: start, status, stop, order, reconciliation.

Names exactly as the standard spells them, "Sevice" included (``SevicePrice``,
``SeviceMoney``, ``TotalSeviceMoney``, ``DetailSeviceMoney``); a partner's
``profiles.SpellingProfile`` renames those four on the wire, nowhere else. Times
are ``yyyy-MM-dd HH:mm:ss`` Beijing time (``timestamp.format_query_time``).
"""

from __future__ import annotations

import enum
from decimal import Decimal

from pydantic import Field

from evroam.protocols.tcec_102.models import Number, Wire


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


class EquipAuthFailReason(enum.IntEnum):
    """query_equip_auth FailReason (3-99 are custom)."""

    NONE = 0
    NO_SUCH_EQUIPMENT = 1  # 此设备不存在
    EQUIPMENT_OFFLINE = 2  # 此设备离线
    BUSY = 3  # evroam: connector in use (custom range)
    FAULTED = 4  # evroam: faulted or reserved (custom range)


# --- equipment authorisation --------------------------------------------------------


class QueryEquipAuthRequest(Wire):
    """Ask whether a connector may be used now (before query_start_charge)."""

    EquipAuthSeq: str = Field(min_length=27, max_length=27)  # OperatorID + 18
    ConnectorID: str


class QueryEquipAuthResponse(Wire):
    EquipAuthSeq: str
    ConnectorID: str
    SuccStat: int  # 0 success, 1 failure
    FailReason: int = 0


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
    ElecPrice: Number | None = Field(default=None, ge=0)
    SevicePrice: Number | None = Field(default=None, ge=0)
    DetailPower: Number = Field(ge=0)
    DetailElecMoney: Number | None = Field(default=None, ge=0)
    DetailSeviceMoney: Number | None = Field(default=None, ge=0)


class QueryEquipChargeStatusRequest(Wire):
    StartChargeSeq: str


class EquipChargeStatus(Wire):
    """query_equip_charge_status reply and notification_equip_charge_status body."""

    StartChargeSeq: str
    StartChargeSeqStat: int
    ConnectorID: str
    ConnectorStatus: int
    CurrentA: Number = Decimal(0)
    CurrentB: Number | None = None
    CurrentC: Number | None = None
    VoltageA: Number = Decimal(0)
    VoltageB: Number | None = None
    VoltageC: Number | None = None
    Soc: Number = Decimal(0)
    StartTime: str
    EndTime: str  # this sample's time
    TotalPower: Number = Field(ge=0)
    ElecMoney: Number | None = Field(default=None, ge=0)
    SeviceMoney: Number | None = Field(default=None, ge=0)
    TotalMoney: Number | None = Field(default=None, ge=0)
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
    TotalPower: Number = Field(ge=0)
    TotalElecMoney: Number = Field(ge=0)
    TotalSeviceMoney: Number = Field(ge=0)
    TotalMoney: Number = Field(ge=0)
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
    TotalPower: Number = Field(ge=0)
    TotalMoney: Number = Field(ge=0)


class CheckChargeOrdersRequest(Wire):
    CheckOrderSeq: str
    StartTime: str
    EndTime: str
    OrderCount: int = Field(ge=0)
    TotalOrderPower: Number = Field(ge=0)
    TotalOrderMoney: Number = Field(ge=0)
    ChargeOrders: list[ChargeOrder] = Field(default_factory=list)


class DisputeOrder(Wire):
    StartChargeSeq: str
    TotalPower: Number
    TotalMoney: Number
    DisputeReason: int  # 1 no such order, 2 money differs, 3 energy differs


class CheckChargeOrdersResponse(Wire):
    CheckOrderSeq: str
    StartTime: str
    EndTime: str
    TotalDisputeOrder: int
    TotalDisputePower: Number
    TotalDisputeMoney: Number
    DisputeOrders: list[DisputeOrder] = Field(default_factory=list)

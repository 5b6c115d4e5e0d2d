"""T/CEC 102 (2016) wire models, named and typed exactly as the standard has them.

Field names follow T/CEC 102.2 (public information: StationInfo,
EquipmentInfo, ConnectorInfo, status) and 102.3 (business information),
including the standard's four "Sevice" misspellings (``SevicePrice``,
``TotalSeviceMoney`` ...); a partner that spells them otherwise has a
``profiles.SpellingProfile``, applied on the way in and out, so the models only
ever see the standard's names.

Types are the standard's and are checked strictly: an integer field (整型)
takes a JSON integer only, a decimal field (浮点) a JSON number only, a string
field (字符串) a JSON string only, so ``"Status":"255"`` is refused (Ret 4004,
with the field and the reason) rather than coerced. Unknown fields are ignored
so that operator extensions never break a sync. evroam's own extensions (swap
stations, ``City``, ``StatusTime``) are marked below and described in
docs/adr/0004-tcec-swap-extension.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import ErrorDetails

from evroam.protocols.tcec_102.errors import PayloadError
from evroam.protocols.tcec_102.profiles import SpellingProfile, write


def _json_number(value: object) -> object:
    """浮点: a JSON number (int or, as decoded, Decimal); never a string or bool."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"should be a JSON number, got {type(value).__name__}")
    return value


Number: TypeAlias = Annotated[
    Decimal, BeforeValidator(_json_number), Field(strict=False)
]
"""A 浮点 field: a JSON number, read as Decimal (never a float)."""


class Wire(BaseModel):
    model_config = ConfigDict(
        populate_by_name=True, extra="ignore", frozen=True, strict=True
    )

    def to_wire(
        self, profile: SpellingProfile = SpellingProfile.STANDARD
    ) -> dict[str, Any]:
        """The JSON-ready body in ``profile``'s spelling; Decimals stay
        (``encode_body`` writes them as numbers)."""
        body = self.model_dump(by_alias=True, exclude_none=True)
        result: dict[str, Any] = write(body, profile)
        return result


_ModelT = TypeVar("_ModelT", bound=Wire)


def parse_body(model: type[_ModelT], body: object) -> _ModelT:
    """A wire model from a decrypted body (standard names); ``PayloadError``
    (4004, 业务参数不合法) naming the first field that misfits and why."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PayloadError(
            f"业务参数不合法: {model.__name__}.{_reason(exc.errors()[0])}"
        ) from exc


def _reason(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(body)"
    given = error.get("input")
    shown = repr(given) if isinstance(given, str | int | float | Decimal) else ""
    got = f" (got {type(given).__name__} {shown})" if shown else ""
    return f"{where}: {error['msg']}{got}"


# --- envelopes (T/CEC 102.4 §6) ---------------------------------------------------


class RequestEnvelope(Wire):
    OperatorID: str
    Data: str
    TimeStamp: str
    Seq: str
    Sig: str


class ResponseEnvelope(Wire):
    Ret: int
    Msg: str
    Data: str
    Sig: str


# --- query_token ------------------------------------------------------------------


class QueryTokenRequest(Wire):
    OperatorID: str
    OperatorSecret: str


class QueryTokenResponse(Wire):
    OperatorID: str
    SuccStat: int  # 0 success, 1 failure
    AccessToken: str = ""
    TokenAvailableTime: int = 0  # seconds
    FailReason: int = 0  # 0 none, 1 no such operator, 2 wrong secret


# --- stations ---------------------------------------------------------------------


class SwapBayInfo(Wire):
    """evroam extension: battery-swap state (not in T/CEC 2016)."""

    BatteryStock: int = Field(ge=0)
    QueueLength: int = Field(ge=0)
    SwapMinutes: int = Field(default=3, ge=0)


class ConnectorInfo(Wire):
    """T/CEC 102.2 (2016) 充电设备接口信息: every field, the standard's types."""

    ConnectorID: str
    ConnectorName: str | None = None
    # 1 household socket (mode 2), 2 AC socket (mode 3, case B), 3 AC plug
    # (mode 3, case C), 4 DC plug (mode 4), 5 wireless, 6 other
    ConnectorType: int
    VoltageUpperLimits: int | None = None  # V
    VoltageLowerLimits: int | None = None  # V
    Current: int | None = None  # A
    Power: Number  # kW
    ParkNo: str | None = None
    NationalStandard: int | None = None  # 1: GB/T 20234 (2011), 2: (2015)


class EquipmentInfo(Wire):
    """T/CEC 102.2 (2016) 充电设备信息: every field, the standard's types."""

    EquipmentID: str
    ManufacturerID: str | None = None  # 9-character organisation code
    ManufacturerName: str | None = None
    EquipmentModel: str | None = None
    ProductionDate: str | None = None  # yyyy-MM-dd
    EquipmentType: int = 5  # 1 DC, 2 AC, 3 AC/DC, 4 wireless, 5 other
    ConnectorInfos: list[ConnectorInfo] = Field(default_factory=list)
    EquipmentLng: Number | None = None  # in the partner's datum (see StationLng)
    EquipmentLat: Number | None = None
    Power: Number | None = None  # kW
    EquipmentName: str | None = None


class StationInfo(Wire):
    """T/CEC 102.2 (2016) 充电站信息: every field, the standard's types.

    ``StationLng``/``StationLat`` are in the partner's datum: GCJ-02 for
    Chinese platforms unless the partner is set otherwise (ADR 0030).
    """

    StationID: str
    OperatorID: str = ""
    EquipmentOwnerID: str | None = None
    StationName: str
    CountryCode: str = "CN"
    AreaCode: str | None = None  # GB/T 2260 administrative division code
    Address: str = ""
    StationTel: str | None = None
    ServiceTel: str | None = None
    # 1 public, 50 personal, 100 bus, 101 sanitation, 102 logistics, 103 taxi,
    # 255 other
    StationType: int = 1
    StationStatus: int = 50  # 0 unknown, 1 building, 5 closed, 6 maintenance, 50 open
    ParkNums: int = 0  # 0: unknown
    StationLng: Number
    StationLat: Number
    SiteGuide: str | None = None
    # 1 residential, 2 public institution, 3 enterprise, 4 office building,
    # 5 industrial park, 6 transport hub, 7 culture and sports venue, 8 urban
    # green space, 9 building car park, 10 roadside parking, 11 intercity
    # expressway service area, 255 other
    Construction: int | None = None
    Pictures: list[str] | None = None
    MatchCars: str | None = None
    ParkInfo: str | None = None
    BusineHours: str | None = None
    ElectricityFee: str | None = None
    ServiceFee: str | None = None  # T/CEC 102.2 spells it right (cf. profiles.py)
    ParkFee: str | None = None  # free text; see park_fee.py for what we write
    Payment: str | None = None
    SupportOrder: int | None = None  # 0 no, 1 yes
    Remark: str | None = None
    EquipmentInfos: list[EquipmentInfo] = Field(default_factory=list)
    City: str | None = None  # evroam extension
    SwapInfo: SwapBayInfo | None = None  # evroam extension: present on swap stations


class QueryStationsInfoRequest(Wire):
    LastQueryTime: str | None = None  # yyyy-MM-dd HH:mm:ss
    PageNo: int = Field(default=1, ge=1)
    PageSize: int = Field(default=10, ge=1, le=1000)


class QueryStationsInfoResponse(Wire):
    PageNo: int
    PageCount: int
    ItemSize: int
    StationInfos: list[StationInfo] = Field(default_factory=list)


class StationsInfoPage(Wire):
    """A query_stations_info answer whose stations are read one by one (a
    station that misfits is refused with its reason, the rest of the page is
    kept: one bad station never drops a partner's network)."""

    PageNo: int
    PageCount: int
    ItemSize: int
    StationInfos: list[dict[str, Any]] = Field(default_factory=list)


# --- status -----------------------------------------------------------------------


class ConnectorStatusInfo(Wire):
    ConnectorID: str
    # 0 offline, 1 idle, 2 occupied not charging, 3 charging, 4 reserved, 255 fault
    Status: int
    ParkStatus: int | None = None  # 0 unknown, 10 free, 50 occupied
    LockStatus: int | None = None  # 0 unknown, 10 locked, 50 unlocked
    SwapInfo: SwapBayInfo | None = None  # evroam extension, on a swap bay's connector
    # evroam extension (ADR 0004): when this status began, ``yyyy-MM-dd
    # HH:mm:ss.SSS`` Beijing time, so reordered or replayed pushes are detected.
    StatusTime: str | None = None


class StationStatusInfo(Wire):
    StationID: str
    ConnectorStatusInfos: list[ConnectorStatusInfo] = Field(default_factory=list)


class QueryStationStatusRequest(Wire):
    StationIDs: list[str] = Field(min_length=1, max_length=50)


class QueryStationStatusResponse(Wire):
    Total: int
    StationStatusInfos: list[StationStatusInfo] = Field(default_factory=list)


_ConnectorStatus: TypeAlias = ConnectorStatusInfo


class NotificationStationStatusRequest(Wire):
    ConnectorStatusInfo: _ConnectorStatus


class NotificationStationStatusResponse(Wire):
    Status: int  # 0 accepted, 1 rejected


# --- statistics (query_station_stats) ----------------------------------------------


class QueryStationStatsRequest(Wire):
    StationID: str
    StartTime: str  # yyyy-MM-dd, the first day counted
    EndTime: str  # yyyy-MM-dd, the last day counted


class ConnectorStatsInfo(Wire):
    ConnectorID: str
    ConnectorElectricity: Number = Field(ge=0)  # kWh


class EquipmentStatsInfo(Wire):
    EquipmentID: str
    EquipmentElectricity: Number = Field(ge=0)  # kWh
    ConnectorStatsInfos: list[ConnectorStatsInfo] = Field(default_factory=list)


class StationStatsInfo(Wire):
    StationID: str
    StartTime: str
    EndTime: str
    StationElectricity: Number = Field(ge=0)  # kWh
    EquipmentStatsInfos: list[EquipmentStatsInfo] = Field(default_factory=list)


class QueryStationStatsResponse(Wire):
    StationStats: StationStatsInfo


# --- business policy (time-of-use prices) -----------------------------------------


class PolicyInfo(Wire):
    StartTime: str = Field(pattern=r"^([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$")
    ElecPrice: Number = Field(ge=0)
    SevicePrice: Number = Field(ge=0)


class QueryEquipBusinessPolicyRequest(Wire):
    EquipBizSeq: str
    ConnectorID: str


class QueryEquipBusinessPolicyResponse(Wire):
    EquipBizSeq: str
    ConnectorID: str
    SuccStat: int  # 0 success, 1 failure
    FailReason: int = 0
    SumPeriod: int = 0
    PolicyInfos: list[PolicyInfo] = Field(default_factory=list)

"""T/CEC 102 (2016) wire models, named exactly as the standard spells them.

Field names follow T/CEC 102.2/102.4 (2016), including the standard's own
misspelling "Sevice" (``SevicePrice``, ``TotalSeviceMoney``). Some operators
write "Service"; we accept both on input and send the spelling a partner asks
for (``profiles.FeeSpelling`` + ``respell``). Unknown fields are ignored so that
operator extensions never break a sync. evroam's own extensions (swap
stations, ``City``) are marked below and described in
docs/adr/0004-tcec-swap-extension.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from evroam.protocols.tcec_102.errors import PayloadError
from evroam.protocols.tcec_102.profiles import FeeSpelling, respell


def _either(standard: str) -> Any:
    """A field that reads the standard's "Sevice" name or the "Service" variant."""
    return Field(
        validation_alias=AliasChoices(standard, standard.replace("Sevice", "Service")),
        serialization_alias=standard,
        ge=0,
    )


class Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    def to_wire(self, spelling: FeeSpelling = FeeSpelling.STANDARD) -> dict[str, Any]:
        """The JSON-ready body; Decimals stay (``encode_body`` writes numbers)."""
        body = self.model_dump(by_alias=True, exclude_none=True)
        result: dict[str, Any] = respell(body, spelling)
        return result


_ModelT = TypeVar("_ModelT", bound=Wire)


def parse_body(model: type[_ModelT], body: object) -> _ModelT:
    """A wire model from a decrypted body; ``PayloadError`` (4004) if it misfits."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PayloadError(f"{model.__name__}字段错误") from exc


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
    ConnectorID: str
    ConnectorName: str | None = None
    # 1 household socket, 2 AC socket, 3 AC plug (tethered), 4 DC plug,
    # 5 wireless, 6 other
    ConnectorType: int
    VoltageUpperLimits: int | None = None
    VoltageLowerLimits: int | None = None
    Current: int | None = None
    Power: Decimal  # kW
    ParkNo: str | None = None
    NationalStandard: int | None = None  # 1: GB/T 2011, 2: GB/T 2015


class EquipmentInfo(Wire):
    EquipmentID: str
    ManufacturerID: str | None = None
    EquipmentModel: str | None = None
    ProductionDate: str | None = None
    EquipmentType: int = 5  # 1 DC, 2 AC, 3 AC/DC, 4 wireless, 5 other
    ConnectorInfos: list[ConnectorInfo] = Field(default_factory=list)
    EquipmentLng: Decimal | None = None
    EquipmentLat: Decimal | None = None
    Power: Decimal | None = None
    EquipmentName: str | None = None


class StationInfo(Wire):
    StationID: str
    OperatorID: str = ""
    EquipmentOwnerID: str | None = None
    StationName: str
    CountryCode: str = "CN"
    AreaCode: str | None = None
    Address: str = ""
    StationTel: str | None = None
    ServiceTel: str | None = None
    StationType: int = 1  # 1 public, 50 personal, 100 bus, ..., 255 other
    StationStatus: int = 50  # 0 unknown, 1 building, 5 closed, 6 maintenance, 50 open
    ParkNums: int = 0
    StationLng: Decimal
    StationLat: Decimal
    SiteGuide: str | None = None
    Construction: int | None = None
    Pictures: list[str] | None = None
    MatchCars: str | None = None
    ParkInfo: str | None = None
    BusineHours: str | None = None
    ElectricityFee: str | None = None
    ServiceFee: str | None = None
    ParkFee: str | None = None  # free text; see park_fee.py for what we write
    Payment: str | None = None
    SupportOrder: int | None = None
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


# --- business policy (time-of-use prices) -----------------------------------------


class PolicyInfo(Wire):
    StartTime: str = Field(pattern=r"^([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$")
    ElecPrice: Decimal = Field(ge=0)
    SevicePrice: Decimal = _either("SevicePrice")


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

"""T/CEC wire models ⇄ evroam domain: stations, piles, status codes, tariffs.

Pile rule: every T/CEC connector (``ConnectorInfo``) is one evroam pile, because
T/CEC reports status per ``ConnectorID`` and a two-gun pile charges two cars.
The pile id is ``pile_id_for(station_id, ConnectorID)`` and the pile's
``external_uid`` is the ``ConnectorID`` (unique per operator in T/CEC 102.2).
Going out, each pile becomes one ``EquipmentInfo`` whose EquipmentID and
ConnectorID are both the pile's ``external_uid``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    ParkingRule,
    Pile,
    PileStatus,
    PowerType,
    Station,
    SwapBay,
)
from evroam.gateways.tcec.park_fee import format_park_fee, parse_park_fee
from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.protocols.tcec_102.errors import ParameterError, UnsupportedTariffError
from evroam.protocols.tcec_102.models import (
    ConnectorInfo,
    ConnectorStatusInfo,
    EquipmentInfo,
    PolicyInfo,
    StationInfo,
    StationStatusInfo,
    SwapBayInfo,
)
from evroam.protocols.tcec_102.timestamp import (
    format_hhmmss,
    format_status_time,
    parse_hhmmss,
    parse_status_time,
)
from evroam.shared.datum import Datum, from_wgs84, to_wgs84
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId, PileId, StationId, TariffId, station_id_for
from evroam.shared.ids import pile_id_for as _pile_id_for
from evroam.shared.money import unit_price
from evroam.status.model import PileStatusReport, SwapStockReport

# T/CEC 102.2 (2016) ConnectorType and EquipmentType codes.
CONNECTOR_HOUSEHOLD_SOCKET, CONNECTOR_AC_SOCKET, CONNECTOR_AC_PLUG = 1, 2, 3
CONNECTOR_DC_PLUG, CONNECTOR_WIRELESS, CONNECTOR_OTHER = 4, 5, 6
EQUIPMENT_DC, EQUIPMENT_AC, EQUIPMENT_OTHER = 1, 2, 5
STATION_PUBLIC, STATION_OPEN, NATIONAL_STANDARD_2015 = 1, 50, 2
CONSTRUCTION_RESIDENTIAL, CONSTRUCTION_BUILDING_CAR_PARK = 1, 9
CONSTRUCTION_EXPRESSWAY, CONSTRUCTION_OTHER = 11, 255

_STATUS_BY_CODE = {
    0: PileStatus.OFFLINE,
    1: PileStatus.AVAILABLE,
    2: PileStatus.OCCUPIED,
    3: PileStatus.CHARGING,
    4: PileStatus.RESERVED,
    255: PileStatus.FAULTED,
}
_CODE_BY_STATUS = {status: code for code, status in _STATUS_BY_CODE.items()}
_CITY = re.compile(r"^(?:[^省]{2,8}省|[^区]{2,10}自治区)?([^市省]{2,8}市)")


def pile_status_from_code(code: int) -> PileStatus:
    """A T/CEC connector ``Status``; codes the standard does not define are UNKNOWN."""
    return _STATUS_BY_CODE.get(code, PileStatus.UNKNOWN)


def code_from_pile_status(status: PileStatus) -> int:
    """The T/CEC ``Status`` code; UNKNOWN has none and is sent as 0 (offline)."""
    return _CODE_BY_STATUS.get(status, 0)


def pile_id_for_connector(station_id: str, connector_id: str) -> PileId:
    return _pile_id_for(station_id, connector_id)


# --- stations ---------------------------------------------------------------------


def station_from_station_info(
    info: StationInfo,
    operator_id: OperatorId,
    tariff_id: TariffId,
    observed_at: datetime,
    *,
    datum: Datum,
) -> Station:
    """A catalogue station; piles are UNKNOWN until their status is pulled.
    ``datum`` is the partner's: its coordinates are stored as WGS-84."""
    lat, lon = float(info.StationLat), float(info.StationLng)
    try:
        GeoPoint(lat, lon)
    except ValueError as exc:
        raise ParameterError(f"StationLat/StationLng无效: {info.StationID}") from exc
    lat, lon = to_wgs84(lat, lon, datum)
    station_id = station_id_for(operator_id, info.StationID)
    is_swap = info.SwapInfo is not None
    piles = tuple(
        _pile_from_connector(station_id, equipment, connector, is_swap)
        for equipment in info.EquipmentInfos
        for connector in equipment.ConnectorInfos
    )
    return Station(
        id=station_id,
        operator_id=operator_id,
        external_id=info.StationID,
        name=info.StationName,
        address=info.Address,
        city=info.City if info.City is not None else _city_from_address(info.Address),
        lat=lat,
        lon=lon,
        tariff_id=tariff_id,
        parking=parse_park_fee(info.ParkFee).rule,
        piles=piles,
        swap=_swap_bay(info.SwapInfo),
        updated_at=observed_at,
    )


def _city_from_address(address: str) -> str:
    match = _CITY.match(address)
    return match.group(1) if match else ""


def _swap_bay(info: SwapBayInfo | None) -> SwapBay | None:
    if info is None:
        return None
    return SwapBay(info.BatteryStock, info.QueueLength, info.SwapMinutes)


def _pile_from_connector(
    station_id: StationId,
    equipment: EquipmentInfo,
    connector: ConnectorInfo,
    is_swap: bool,
) -> Pile:
    standard, power_type = _standard_for(
        connector.ConnectorType, equipment.EquipmentType, is_swap
    )
    return Pile(
        id=pile_id_for_connector(station_id, connector.ConnectorID),
        external_uid=connector.ConnectorID,
        connectors=(Connector(standard, float(connector.Power), power_type),),
    )


def _standard_for(
    connector_type: int, equipment_type: int, is_swap: bool
) -> tuple[ConnectorStandard, PowerType]:
    if connector_type == CONNECTOR_OTHER and is_swap:
        return ConnectorStandard.SWAP, PowerType.DC
    if connector_type == CONNECTOR_DC_PLUG:
        return ConnectorStandard.GBT_DC, PowerType.DC
    if connector_type in (
        CONNECTOR_HOUSEHOLD_SOCKET,
        CONNECTOR_AC_SOCKET,
        CONNECTOR_AC_PLUG,
    ):
        return ConnectorStandard.GBT_AC, PowerType.AC
    # Wireless (5) and other (6): the equipment's type decides.
    if equipment_type == EQUIPMENT_DC:
        return ConnectorStandard.GBT_DC, PowerType.DC
    return ConnectorStandard.GBT_AC, PowerType.AC


@dataclass(frozen=True, slots=True)
class StationContact:
    """What a StationInfo says that the catalogue does not keep: the GB/T 2260
    ``AreaCode`` of the station's division and the operator's service line."""

    area_code: str
    service_tel: str
    station_tel: str | None = None


def station_info_from_station(
    station: Station,
    tcec_operator_id: str,
    tariff: Tariff | None = None,
    contact: StationContact | None = None,
    *,
    datum: Datum,
) -> StationInfo:
    """The StationInfo we publish, every field of T/CEC 102.2 filled;
    ``tcec_operator_id`` is the 9-character T/CEC id, coordinates are written in
    ``datum`` (GCJ-02 as Chinese platforms do). The tariff's idle fee, if any,
    is written into ``ParkFee`` (see park_fee)."""
    contact = contact or StationContact(area_code="", service_tel="")
    parking = station.parking
    lat, lon = (Decimal(repr(c)) for c in from_wgs84(station.lat, station.lon, datum))
    return StationInfo(
        StationID=station.external_id,
        OperatorID=tcec_operator_id,
        EquipmentOwnerID=tcec_operator_id,
        StationName=station.name,
        CountryCode="CN",
        AreaCode=contact.area_code,
        Address=station.address,
        StationTel=contact.station_tel or contact.service_tel,
        ServiceTel=contact.service_tel,
        City=station.city,
        StationType=STATION_PUBLIC,
        StationStatus=STATION_OPEN,
        ParkNums=len(station.piles),
        StationLng=lon,
        StationLat=lat,
        SiteGuide=station.address,
        Construction=_construction(station),
        Pictures=[],
        MatchCars=_MATCH_CARS_SWAP if station.is_swap else _MATCH_CARS,
        ParkInfo=_park_info(parking),
        BusineHours=_ALL_DAY,
        ElectricityFee=_fee_text(tariff, is_service=False),
        ServiceFee=_fee_text(tariff, is_service=True),
        ParkFee=format_park_fee(parking, tariff.idle if tariff else None),
        Payment=_PAYMENT,
        SupportOrder=0,
        Remark="",
        EquipmentInfos=[
            _equipment_from_pile(pile, station, tcec_operator_id, (lat, lon))
            for pile in station.piles
        ],
        SwapInfo=_swap_info(station.swap),
    )


_ALL_DAY = "00:00-24:00"
_PAYMENT = "线上支付"  # paid in the driver's app (the hub's wallet)
_MATCH_CARS = "支持GB/T 20234接口的电动汽车"
_MATCH_CARS_SWAP = "本运营商换电车型"


def _construction(station: Station) -> int:
    """T/CEC 102.2 Construction from the scenario's site tags."""
    tags = set(station.tags)
    if "expressway" in tags:
        return CONSTRUCTION_EXPRESSWAY
    if "community" in tags:
        return CONSTRUCTION_RESIDENTIAL
    if "urban" in tags or "swap" in tags:
        return CONSTRUCTION_BUILDING_CAR_PARK
    return CONSTRUCTION_OTHER


def _park_info(parking: ParkingRule) -> str:
    if parking.is_free:
        return "充电期间免费停车"
    return f"充电免费停车{parking.free_minutes}分钟"


def _fee_text(tariff: Tariff | None, is_service: bool) -> str | None:
    if tariff is None:
        return None
    parts = [
        f"{price.kind.value}:"
        f"{price.service_per_kwh if is_service else price.electricity_per_kwh}"
        for price in tariff.prices
    ]
    return "元/度,".join(parts) + "元/度"


def _swap_info(swap: SwapBay | None) -> SwapBayInfo | None:
    if swap is None:
        return None
    return SwapBayInfo(
        BatteryStock=swap.batteries_in_stock,
        QueueLength=swap.queue_length,
        SwapMinutes=swap.swap_minutes,
    )


def _equipment_from_pile(
    pile: Pile,
    station: Station,
    tcec_operator_id: str,
    at: tuple[Decimal, Decimal],
) -> EquipmentInfo:
    connectors = [
        _connector_info(
            pile.external_uid if i == 0 else f"{pile.external_uid}-{i}", c, i
        )
        for i, c in enumerate(pile.connectors)
    ]
    first = pile.connectors[0] if pile.connectors else None
    if first is None or first.standard is ConnectorStandard.SWAP:
        equipment_type = EQUIPMENT_OTHER
    elif first.power_type is PowerType.DC:
        equipment_type = EQUIPMENT_DC
    else:
        equipment_type = EQUIPMENT_AC
    return EquipmentInfo(
        EquipmentID=pile.external_uid,
        ManufacturerID=tcec_operator_id,
        ManufacturerName=_MANUFACTURER_NAME,
        EquipmentModel=f"{'DC' if equipment_type == EQUIPMENT_DC else 'AC'}"
        f"{round(pile.max_power_kw)}",
        ProductionDate=_PRODUCTION_DATE,
        EquipmentType=equipment_type,
        ConnectorInfos=connectors,
        EquipmentLng=at[1],
        EquipmentLat=at[0],
        Power=Decimal(repr(pile.max_power_kw)),
        EquipmentName=f"{station.name} {pile.external_uid}",
    )


_MANUFACTURER_NAME = "运营商自有设备"  # the simulated operator builds its own
_PRODUCTION_DATE = "2024-01-01"


_TYPE_BY_STANDARD = {
    ConnectorStandard.GBT_AC: CONNECTOR_AC_PLUG,
    ConnectorStandard.TYPE2: CONNECTOR_AC_SOCKET,
    ConnectorStandard.GBT_DC: CONNECTOR_DC_PLUG,
    ConnectorStandard.CCS2: CONNECTOR_DC_PLUG,
    ConnectorStandard.CHADEMO: CONNECTOR_DC_PLUG,
    ConnectorStandard.NACS: CONNECTOR_DC_PLUG,
    ConnectorStandard.SWAP: CONNECTOR_OTHER,
}


def _connector_info(
    connector_id: str, connector: Connector, position: int
) -> ConnectorInfo:
    is_dc = connector.power_type is PowerType.DC
    upper, lower = (750, 200) if is_dc else (220, 220)
    return ConnectorInfo(
        ConnectorID=connector_id,
        ConnectorName=f"{position + 1}号枪",
        ConnectorType=_TYPE_BY_STANDARD[connector.standard],
        VoltageUpperLimits=upper,
        VoltageLowerLimits=lower,
        Current=round(connector.max_power_kw * 1000 / upper),
        Power=Decimal(repr(connector.max_power_kw)),
        ParkNo="",
        NationalStandard=NATIONAL_STANDARD_2015,
    )


# --- status -----------------------------------------------------------------------


def pile_status_report(
    station_id: str, info: ConnectorStatusInfo, observed_at: datetime
) -> PileStatusReport:
    return PileStatusReport(
        pile_id_for_connector(station_id, info.ConnectorID),
        pile_status_from_code(info.Status),
        observed_at,
    )


def swap_stock_report(
    station_id: StationId, info: ConnectorStatusInfo, observed_at: datetime
) -> SwapStockReport | None:
    if info.SwapInfo is None:
        return None
    swap = info.SwapInfo
    return SwapStockReport(station_id, swap.BatteryStock, swap.QueueLength, observed_at)


def reports_from_station_status(
    operator_id: OperatorId, info: StationStatusInfo, observed_at: datetime
) -> tuple[tuple[PileStatusReport, ...], tuple[SwapStockReport, ...]]:
    """Pile reports and swap-stock reports for one StationStatusInfo."""
    station_id = station_id_for(operator_id, info.StationID)
    piles = tuple(
        pile_status_report(station_id, c, observed_at)
        for c in info.ConnectorStatusInfos
    )
    swaps = (
        swap_stock_report(station_id, c, observed_at) for c in info.ConnectorStatusInfos
    )
    return piles, tuple(s for s in swaps if s is not None)


def connector_status_info_from_pile(
    pile: Pile, swap: SwapBay | None = None
) -> ConnectorStatusInfo:
    """The status of a pile as sent; ``swap`` rides along on a swap bay's connector."""
    is_bay = any(c.standard is ConnectorStandard.SWAP for c in pile.connectors)
    return ConnectorStatusInfo(
        ConnectorID=pile.external_uid,
        Status=code_from_pile_status(pile.status),
        SwapInfo=_swap_info(swap) if is_bay else None,
        StatusTime=format_status_time(pile.status_at) if pile.status_at else None,
    )


def observed_at_of(info: ConnectorStatusInfo, received_at: datetime) -> datetime:
    """When the reported status began: the StatusTime extension when the partner
    sends it, else when we received the report (ordering then follows arrival)."""
    return parse_status_time(info.StatusTime) if info.StatusTime else received_at


def station_status_info_from_station(station: Station) -> StationStatusInfo:
    return StationStatusInfo(
        StationID=station.external_id,
        ConnectorStatusInfos=[
            connector_status_info_from_pile(pile, station.swap)
            for pile in station.piles
        ],
    )


# --- tariffs (query_equip_business_policy) ----------------------------------------

_KINDS_BY_COUNT = {
    1: (PeriodKind.FLAT,),
    2: (PeriodKind.PEAK, PeriodKind.VALLEY),
    3: (PeriodKind.PEAK, PeriodKind.FLAT, PeriodKind.VALLEY),
    4: (PeriodKind.SHARP, PeriodKind.PEAK, PeriodKind.FLAT, PeriodKind.VALLEY),
}
_PricePair = tuple[Decimal, Decimal]


def tariff_from_policy_infos(
    tariff_id: TariffId, policy_infos: Sequence[PolicyInfo]
) -> Tariff:
    """A tariff from one day's PolicyInfos.

    Each slot runs from its StartTime to the next one (the last wraps past
    midnight to the first). Distinct (ElecPrice, SevicePrice) pairs are ranked by
    total price: four give sharp/peak/flat/valley, three peak/flat/valley, two
    peak/valley, one flat. More than four raise ``UnsupportedTariffError``.
    """
    slots = _slots(policy_infos)
    kinds = _kinds_by_rank({price for _, price in slots})
    windows = tuple(
        TouWindow(start, slots[(i + 1) % len(slots)][0], kinds[price])
        for i, (start, price) in enumerate(slots)
    )
    prices = tuple(PeriodPrice(kind, elec, svc) for (elec, svc), kind in kinds.items())
    return Tariff(tariff_id, prices, windows, default_kind=kinds[slots[-1][1]])


def _slots(policy_infos: Sequence[PolicyInfo]) -> list[tuple[time, _PricePair]]:
    if not policy_infos:
        raise ParameterError("PolicyInfos为空")
    slots = sorted(
        (
            (
                parse_hhmmss(p.StartTime),
                (unit_price(p.ElecPrice), unit_price(p.SevicePrice)),
            )
            for p in policy_infos
        ),
        key=lambda slot: slot[0],
    )
    if len({start for start, _ in slots}) != len(slots):
        raise ParameterError("PolicyInfos的StartTime重复")
    return slots


def _kinds_by_rank(prices: set[_PricePair]) -> dict[_PricePair, PeriodKind]:
    if len(prices) > len(_KINDS_BY_COUNT):
        raise UnsupportedTariffError(f"{len(prices)}种价格超过尖峰平谷四个时段")
    ranked = sorted(prices, key=lambda p: (p[0] + p[1], p[0]), reverse=True)
    return dict(zip(ranked, _KINDS_BY_COUNT[len(ranked)], strict=True))


def policy_infos_from_tariff(tariff: Tariff, day: date) -> list[PolicyInfo]:
    """The PolicyInfos of ``day`` (local): one slot per price change, from 000000."""
    boundaries = sorted(
        {time(0)} | {w.start for w in tariff.windows} | {w.end for w in tariff.windows}
    )
    infos: list[PolicyInfo] = []
    last: _PricePair | None = None
    for boundary in boundaries:
        price = tariff.price_for(tariff.kind_at(datetime.combine(day, boundary)))
        pair = (price.electricity_per_kwh, price.service_per_kwh)
        if pair != last:
            infos.append(
                PolicyInfo(
                    StartTime=format_hhmmss(boundary),
                    ElecPrice=pair[0],
                    SevicePrice=pair[1],
                )
            )
            last = pair
    return infos

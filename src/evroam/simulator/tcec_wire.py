"""The operator's sites and price lists as T/CEC 102 StationInfo, status, policy.

The simulator's own mapping, written from the standard (T/CEC 102.2 tables
StationInfo, EquipmentInfo, ConnectorInfo, ConnectorStatusInfo, PolicyInfo),
not borrowed from the hub's gateway (issue 11). Each pile is one EquipmentInfo
whose EquipmentID and ConnectorID are both the pile's ``external_uid``. The
car park and idle fees travel as ``ParkFee`` text in the format the hub's
glossary documents (docs/glossary-tcec.md)::

    免费停车30分钟,超时5.00元/小时,每日封顶20.00元,充电结束15分钟后占位费0.50元/分钟,单次封顶30.00元
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from evroam.protocols.tcec_102.models import (
    ConnectorInfo,
    ConnectorStatusInfo,
    EquipmentInfo,
    PolicyInfo,
    StationInfo,
    StationStatusInfo,
    SwapBayInfo,
)
from evroam.protocols.tcec_102.timestamp import format_hhmmss, format_status_time
from evroam.shared.datum import Datum, from_wgs84
from evroam.shared.money import FEN
from evroam.simulator.prices import CarPark, IdleTerms, PriceList
from evroam.simulator.site import SWAP, Plug, Site, SitePile, SwapStock
from evroam.simulator.wire_status import tcec_code

# T/CEC 102.2 (2016) codes.
CONNECTOR_AC_SOCKET, CONNECTOR_AC_PLUG, CONNECTOR_DC_PLUG, CONNECTOR_OTHER = 2, 3, 4, 6
EQUIPMENT_DC, EQUIPMENT_AC, EQUIPMENT_OTHER = 1, 2, 5
STATION_PUBLIC, STATION_OPEN, NATIONAL_STANDARD_2015 = 1, 50, 2
CONSTRUCTION_RESIDENTIAL, CONSTRUCTION_BUILDING_CAR_PARK = 1, 9
CONSTRUCTION_EXPRESSWAY, CONSTRUCTION_OTHER = 11, 255

_TYPE_BY_STANDARD = {
    "gbt_ac": CONNECTOR_AC_PLUG,
    "type2": CONNECTOR_AC_SOCKET,
    "gbt_dc": CONNECTOR_DC_PLUG,
    "ccs2": CONNECTOR_DC_PLUG,
    "chademo": CONNECTOR_DC_PLUG,
    "nacs": CONNECTOR_DC_PLUG,
    SWAP: CONNECTOR_OTHER,
}
_ALL_DAY = "00:00-24:00"
_PAYMENT = "线上支付"  # paid in the driver's app (the hub's wallet)
_MATCH_CARS = "支持GB/T 20234接口的电动汽车"
_MATCH_CARS_SWAP = "本运营商换电车型"
_MANUFACTURER_NAME = "运营商自有设备"  # the simulated operator builds its own
_PRODUCTION_DATE = "2024-01-01"
FREE_PARKING = "免费停车"


@dataclass(frozen=True, slots=True)
class StationContact:
    """The GB/T 2260 ``AreaCode`` of the station's division and the service line."""

    area_code: str
    service_tel: str


# --- StationInfo ------------------------------------------------------------------


def station_info_of(
    site: Site,
    tcec_operator_id: str,
    prices: PriceList,
    contact: StationContact,
    *,
    datum: Datum,
) -> StationInfo:
    """The StationInfo the operator publishes, every field of T/CEC 102.2
    filled; coordinates written in ``datum`` (GCJ-02, as Chinese platforms do)."""
    lat, lon = (Decimal(repr(c)) for c in from_wgs84(site.lat, site.lon, datum))
    return StationInfo(
        StationID=site.external_id,
        OperatorID=tcec_operator_id,
        EquipmentOwnerID=tcec_operator_id,
        StationName=site.name,
        CountryCode="CN",
        AreaCode=contact.area_code,
        Address=site.address,
        StationTel=contact.service_tel,
        ServiceTel=contact.service_tel,
        City=site.city,
        StationType=STATION_PUBLIC,
        StationStatus=STATION_OPEN,
        ParkNums=len(site.piles),
        StationLng=lon,
        StationLat=lat,
        SiteGuide=site.address,
        Construction=_construction(site.tags),
        Pictures=[],
        MatchCars=_MATCH_CARS_SWAP if site.is_swap else _MATCH_CARS,
        ParkInfo=_park_info(site.parking),
        BusineHours=_ALL_DAY,
        ElectricityFee=_fee_text(prices, is_service=False),
        ServiceFee=_fee_text(prices, is_service=True),
        ParkFee=park_fee_text(site.parking, prices.idle),
        Payment=_PAYMENT,
        SupportOrder=0,
        Remark="",
        EquipmentInfos=[
            _equipment(pile, site.name, tcec_operator_id, (lat, lon))
            for pile in site.piles
        ],
        SwapInfo=_swap_info(site.swap),
    )


def _construction(tags: tuple[str, ...]) -> int:
    """T/CEC 102.2 Construction from the site's tags."""
    if "expressway" in tags:
        return CONSTRUCTION_EXPRESSWAY
    if "community" in tags:
        return CONSTRUCTION_RESIDENTIAL
    if "urban" in tags or "swap" in tags:
        return CONSTRUCTION_BUILDING_CAR_PARK
    return CONSTRUCTION_OTHER


def _park_info(car_park: CarPark) -> str:
    if car_park.per_hour == 0:
        return "充电期间免费停车"
    return f"充电免费停车{car_park.free_minutes}分钟"


def _fee_text(prices: PriceList, is_service: bool) -> str:
    parts = [
        f"{period}:{unit.service_per_kwh if is_service else unit.electricity_per_kwh}"
        for period, unit in prices.prices.items()
    ]
    return "元/度,".join(parts) + "元/度"


def park_fee_text(car_park: CarPark, idle: IdleTerms | None = None) -> str:
    """``ParkFee``: the car park fee, then the idle fee (占位费) if any."""
    parts = [_car_park_text(car_park)]
    if idle is not None:
        after = f"{idle.grace_minutes}分钟后" if idle.grace_minutes else "后"
        parts.append(f"充电结束{after}占位费{_amount(idle.per_minute)}元/分钟")
        if idle.cap is not None:
            parts.append(f"单次封顶{_amount(idle.cap)}元")
    return ",".join(parts)


def _car_park_text(car_park: CarPark) -> str:
    cap = car_park.daily_cap
    if car_park.per_hour == 0 and car_park.free_minutes == 0 and cap is None:
        return FREE_PARKING
    parts = []
    if car_park.free_minutes:
        parts.append(f"{FREE_PARKING}{car_park.free_minutes}分钟")
    fee = f"{car_park.per_hour}元/小时"
    parts.append(f"超时{fee}" if car_park.free_minutes else fee)
    if cap is not None:
        parts.append(f"每日封顶{cap}元")
    return ",".join(parts)


def _amount(value: Decimal) -> str:
    """Two decimals, more only when the value has them."""
    if value == value.quantize(FEN):
        return str(value.quantize(FEN))
    return format(value.normalize(), "f")


def _swap_info(swap: SwapStock | None) -> SwapBayInfo | None:
    if swap is None:
        return None
    return SwapBayInfo(
        BatteryStock=swap.batteries_in_stock,
        QueueLength=swap.queue_length,
        SwapMinutes=swap.swap_minutes,
    )


def _equipment(
    pile: SitePile, site_name: str, tcec_operator_id: str, at: tuple[Decimal, Decimal]
) -> EquipmentInfo:
    connectors = [
        _connector_info(
            pile.external_uid if i == 0 else f"{pile.external_uid}-{i}", plug, i
        )
        for i, plug in enumerate(pile.connectors)
    ]
    first = pile.connectors[0] if pile.connectors else None
    if first is None or first.standard == SWAP:
        equipment_type = EQUIPMENT_OTHER
    elif first.is_dc:
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
        EquipmentName=f"{site_name} {pile.external_uid}",
    )


def _connector_info(connector_id: str, plug: Plug, position: int) -> ConnectorInfo:
    upper, lower = (750, 200) if plug.is_dc else (220, 220)
    return ConnectorInfo(
        ConnectorID=connector_id,
        ConnectorName=f"{position + 1}号枪",
        ConnectorType=_TYPE_BY_STANDARD[plug.standard],
        VoltageUpperLimits=upper,
        VoltageLowerLimits=lower,
        Current=round(plug.max_power_kw * 1000 / upper),
        Power=Decimal(repr(plug.max_power_kw)),
        ParkNo="",
        NationalStandard=NATIONAL_STANDARD_2015,
    )


# --- status -----------------------------------------------------------------------


def connector_status_info_of(
    pile: SitePile, swap: SwapStock | None = None
) -> ConnectorStatusInfo:
    """The status of a pile as sent; ``swap`` rides along on a swap bay's connector."""
    return ConnectorStatusInfo(
        ConnectorID=pile.external_uid,
        Status=tcec_code(pile.status),
        SwapInfo=_swap_info(swap) if pile.is_swap_bay else None,
        StatusTime=format_status_time(pile.status_at) if pile.status_at else None,
    )


def station_status_info_of(site: Site) -> StationStatusInfo:
    return StationStatusInfo(
        StationID=site.external_id,
        ConnectorStatusInfos=[
            connector_status_info_of(pile, site.swap) for pile in site.piles
        ],
    )


# --- query_equip_business_policy --------------------------------------------------


def policy_infos_of(prices: PriceList, day: date) -> list[PolicyInfo]:
    """The PolicyInfos of ``day`` (local): one slot per price change, from 000000."""
    edges = {w.start for w in prices.windows} | {w.end for w in prices.windows}
    infos: list[PolicyInfo] = []
    last: tuple[Decimal, Decimal] | None = None
    for edge in sorted({time(0)} | edges):
        unit = prices.prices_for(prices.period_at(datetime.combine(day, edge)))
        pair = (unit.electricity_per_kwh, unit.service_per_kwh)
        if pair != last:
            infos.append(
                PolicyInfo(
                    StartTime=format_hhmmss(edge),
                    ElecPrice=pair[0],
                    SevicePrice=pair[1],  # T/CEC 102.4 table 19 spells it so
                )
            )
            last = pair
    return infos

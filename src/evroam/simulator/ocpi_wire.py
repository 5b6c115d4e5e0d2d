"""The operator's sites and price lists as OCPI 2.2.1 Locations and Tariffs.

The simulator's own mapping, written from the spec and the hub's published
``evroam`` extension (docs/glossary-ocpi.md), not borrowed from the hub's
gateway (issue 11). Every EVSE lists the capabilities of this CPO: it starts,
stops, reserves and unlocks everywhere.

A Tariff is written element by element, in this order (ADR 0022): one ENERGY
element per time-of-use window (``start_time``/``end_time``, our ``months``),
the default period's ENERGY element unrestricted, ENERGY elements for prices no
window uses; the car park fee (PARKING_TIME per hour, ``step_size`` 900, always
written so its free minutes read back); the idle fee (PARKING_TIME per minute x
60, ``step_size`` 60, our ``is_idle_fee``). ENERGY ``price`` is the total per
kWh and our ``service_price`` its service share. Free minutes are also given
as ``min_duration`` for parties that do not read our extension.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    PowerType,
    TariffDimensionType,
)
from evroam.simulator.prices import CarPark, IdleTerms, PriceList, UnitPrices, Window
from evroam.simulator.site import Plug, Site, SitePile
from evroam.simulator.wire_status import ocpi_status

CAPABILITIES = (
    Capability.REMOTE_START_STOP_CAPABLE,
    Capability.RESERVABLE,
    Capability.UNLOCK_CAPABLE,
)
SINGLE_PHASE_MAX_KW = 7.4  # up to 230 V x 32 A on one phase
_AC_VOLTAGE = 220  # line to neutral, as OCPI asks for AC_3_PHASE too
_DC_VOLTAGE = 750
_CONNECTOR_TYPE = {
    "gbt_dc": ConnectorType.GBT_DC,
    "gbt_ac": ConnectorType.GBT_AC,
    "ccs2": ConnectorType.IEC_62196_T2_COMBO,
    "type2": ConnectorType.IEC_62196_T2,
    "chademo": ConnectorType.CHADEMO,
    "nacs": ConnectorType.TESLA_S,  # 2.2.1 has no NACS value
}
PARKING_STEP_S = 900  # every started quarter hour
IDLE_STEP_S = 60  # every whole minute
_MINUTES_PER_HOUR = 60


# --- Locations --------------------------------------------------------------------


def location_of(
    site: Site, country_code: str, party_id: str, ocpi_tariff_id: str
) -> wire.Location:
    """The Location of ``site``; its connectors name ``ocpi_tariff_id``."""
    if site.updated_at is None:
        raise ValueError(f"site {site.external_id} has no updated_at")
    tariff_ids = [ocpi_tariff_id]
    return wire.Location(
        country_code=country_code,
        party_id=party_id,
        id=site.external_id,
        publish=True,
        name=site.name,
        address=site.address,
        city=site.city,
        country="CHN",
        coordinates=wire.GeoLocation(
            latitude=f"{site.lat:.7f}", longitude=f"{site.lon:.7f}"
        ),
        evses=[_evse(p, tariff_ids, site.updated_at) for p in site.piles],
        time_zone=site.time_zone,
        last_updated=site.updated_at,
        evroam=_location_extension(site, ocpi_tariff_id),
    )


def _location_extension(
    site: Site, ocpi_tariff_id: str
) -> wire.LocationExtension | None:
    if site.swap is None and not site.tags and site.piles:
        return None
    swap = site.swap
    return wire.LocationExtension(
        swap=None
        if swap is None
        else wire.SwapExtension(
            batteries_in_stock=swap.batteries_in_stock,
            queue_length=swap.queue_length,
            swap_minutes=swap.swap_minutes,
        ),
        tags=list(site.tags) or None,
        tariff_id=None if site.piles else ocpi_tariff_id,
    )


def _evse(pile: SitePile, tariff_ids: list[str], fallback: datetime) -> wire.EVSE:
    updated = pile.status_at or fallback
    return wire.EVSE(
        uid=pile.external_uid,
        status=ocpi_status(pile.status),
        capabilities=list(CAPABILITIES),
        connectors=[
            _connector(str(n), c, tariff_ids, updated)
            for n, c in enumerate(pile.connectors, start=1)
        ],
        last_updated=updated,
    )


def _connector(
    connector_id: str, plug: Plug, tariff_ids: list[str], updated: datetime
) -> wire.Connector:
    watts = round(plug.max_power_kw * 1000)
    if plug.is_dc:
        power_type, voltage, phases = PowerType.DC, _DC_VOLTAGE, 1
    elif plug.max_power_kw <= SINGLE_PHASE_MAX_KW:
        power_type, voltage, phases = PowerType.AC_1_PHASE, _AC_VOLTAGE, 1
    else:
        power_type, voltage, phases = PowerType.AC_3_PHASE, _AC_VOLTAGE, 3
    ocpi_type = _CONNECTOR_TYPE.get(plug.standard)
    return wire.Connector(
        id=connector_id,
        # A swap bay has no plug; GB/T DC stands in and the extension says swap.
        standard=ocpi_type or ConnectorType.GBT_DC,
        format=ConnectorFormat.CABLE,
        power_type=power_type,
        max_voltage=voltage,
        max_amperage=math.ceil(watts / (voltage * phases)),
        max_electric_power=watts,
        tariff_ids=tariff_ids,
        last_updated=updated,
        evroam=None if ocpi_type else wire.ConnectorExtension(standard=plug.standard),
    )


# --- Tariffs ----------------------------------------------------------------------


def tariff_of(
    prices: PriceList,
    car_park: CarPark,
    *,
    ocpi_id: str,
    country_code: str,
    party_id: str,
    last_updated: datetime,
) -> wire.Tariff:
    """The Tariff of a price list and a station's car park fee."""
    elements = [
        *_energy_elements(prices),
        _car_park_element(car_park),
        *([_idle_element(prices.idle)] if prices.idle is not None else []),
    ]
    return wire.Tariff(
        country_code=country_code,
        party_id=party_id,
        id=ocpi_id,
        currency=prices.currency,
        elements=elements,
        last_updated=last_updated,
    )


def _energy_elements(prices: PriceList) -> list[wire.TariffElement]:
    elements = [_energy_element(w.period, prices, w) for w in prices.windows]
    elements.append(_energy_element(prices.default_period, prices))
    used = {w.period for w in prices.windows} | {prices.default_period}
    elements += [_energy_element(p, prices) for p in prices.prices if p not in used]
    return elements


def _energy_element(
    period: str, prices: PriceList, window: Window | None = None
) -> wire.TariffElement:
    unit: UnitPrices = prices.prices_for(period)
    restrictions, months = None, None
    if window is not None:
        restrictions = wire.TariffRestrictions(
            start_time=window.start.strftime("%H:%M"),
            end_time=window.end.strftime("%H:%M"),
        )
        months = sorted(window.months) or None
    return wire.TariffElement(
        price_components=[
            wire.PriceComponent(
                type=TariffDimensionType.ENERGY,
                price=unit.electricity_per_kwh + unit.service_per_kwh,
                step_size=1,
            )
        ],
        restrictions=restrictions,
        evroam=wire.ElementExtension(
            period=period,
            service_price=unit.service_per_kwh,
            months=months,
        ),
    )


def _parking_time(
    price: Decimal, step_s: int, free_minutes: int, extension: wire.ElementExtension
) -> wire.TariffElement:
    return wire.TariffElement(
        price_components=[
            wire.PriceComponent(
                type=TariffDimensionType.PARKING_TIME, price=price, step_size=step_s
            )
        ],
        restrictions=wire.TariffRestrictions(min_duration=free_minutes * 60)
        if free_minutes
        else None,
        evroam=extension if extension.model_dump(exclude_none=True) else None,
    )


def _car_park_element(car_park: CarPark) -> wire.TariffElement:
    extension = wire.ElementExtension(
        daily_cap=car_park.daily_cap, free_minutes=car_park.free_minutes or None
    )
    return _parking_time(
        car_park.per_hour, PARKING_STEP_S, car_park.free_minutes, extension
    )


def _idle_element(idle: IdleTerms) -> wire.TariffElement:
    extension = wire.ElementExtension(
        is_idle_fee=True, idle_cap=idle.cap, free_minutes=idle.grace_minutes or None
    )
    return _parking_time(
        idle.per_minute * _MINUTES_PER_HOUR, IDLE_STEP_S, idle.grace_minutes, extension
    )

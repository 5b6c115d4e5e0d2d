"""OCPI 2.2.1 wire objects ⇄ catalogue domain: Location → Station, EVSE → Pile.

Pure functions. Tariff mapping lives in ``tariff_mapping`` and is re-exported
here. Choices the spec leaves open are written down in docs/glossary-ocpi.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    Pile,
    PileStatus,
    PowerType,
    Station,
    SwapBay,
)
from evroam.gateways.ocpi.tariff_mapping import (
    UnmappableTariffError,
    ocpi_tariff_from_tariff,
    parking_rule_from_ocpi,
    tariff_from_ocpi,
    tariff_id_for,
)
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    Status,
)
from evroam.protocols.ocpi_2_2_1.enums import PowerType as WirePowerType
from evroam.shared.ids import OperatorId, TariffId, pile_id_for, station_id_for

UNKNOWN_TARIFF = "unknown"  # OCPI id used when a Location names no tariff
SINGLE_PHASE_MAX_KW = 7.4  # up to 230 V x 32 A on one phase
_AC_VOLTAGE = 220  # line to neutral, as OCPI asks for AC_3_PHASE too
_DC_VOLTAGE = 750

_PILE_STATUS = {
    Status.AVAILABLE: PileStatus.AVAILABLE,
    Status.BLOCKED: PileStatus.OCCUPIED,  # a car in the bay, not charging
    Status.CHARGING: PileStatus.CHARGING,
    Status.INOPERATIVE: PileStatus.OFFLINE,
    Status.OUTOFORDER: PileStatus.FAULTED,
    Status.PLANNED: PileStatus.OFFLINE,
    Status.REMOVED: PileStatus.OFFLINE,
    Status.RESERVED: PileStatus.RESERVED,
    Status.UNKNOWN: PileStatus.UNKNOWN,
}
_EVSE_STATUS = {
    PileStatus.AVAILABLE: Status.AVAILABLE,
    PileStatus.OCCUPIED: Status.BLOCKED,
    PileStatus.CHARGING: Status.CHARGING,
    PileStatus.RESERVED: Status.RESERVED,
    PileStatus.OFFLINE: Status.INOPERATIVE,
    PileStatus.FAULTED: Status.OUTOFORDER,
    PileStatus.UNKNOWN: Status.UNKNOWN,
}
_STANDARD = {
    ConnectorType.GBT_DC: ConnectorStandard.GBT_DC,
    ConnectorType.GBT_AC: ConnectorStandard.GBT_AC,
    ConnectorType.IEC_62196_T2_COMBO: ConnectorStandard.CCS2,
    ConnectorType.IEC_62196_T2: ConnectorStandard.TYPE2,
    ConnectorType.CHADEMO: ConnectorStandard.CHADEMO,
    ConnectorType.TESLA_S: ConnectorStandard.NACS,  # 2.2.1 has no NACS value
}
_CONNECTOR_TYPE = {standard: ocpi for ocpi, standard in _STANDARD.items()}
_CAPABILITIES = [Capability.RESERVABLE]


def pile_status_from_evse_status(status: Status) -> PileStatus:
    return _PILE_STATUS[status]


def evse_status_from_pile_status(status: PileStatus) -> Status:
    return _EVSE_STATUS[status]


# --- OCPI -> domain -------------------------------------------------------------


def station_from_location(
    location: wire.Location,
    operator_id: OperatorId | str,
    tariffs_by_ocpi_id: Mapping[str, wire.Tariff],
) -> Station:
    """A Station from a Location; REMOVED EVSEs and connectors of plug types we
    do not model are left out. The station's tariff is the first one a
    connector names; its PARKING_TIME element gives the parking rule."""
    station_id = station_id_for(operator_id, location.id)
    evses = [e for e in location.evses or () if e.status is not Status.REMOVED]
    piles = tuple(_pile(station_id, evse) for evse in evses)
    ext = location.evroam
    ocpi_tariff_id = (
        _first_tariff_id(evses) or (ext and ext.tariff_id) or UNKNOWN_TARIFF
    )
    return Station(
        id=station_id,
        operator_id=OperatorId(operator_id),
        external_id=location.id,
        name=location.name or "",
        address=location.address,
        city=location.city,
        lat=float(location.coordinates.latitude),
        lon=float(location.coordinates.longitude),
        tariff_id=tariff_id_for(operator_id, ocpi_tariff_id),
        parking=parking_rule_from_ocpi(tariffs_by_ocpi_id.get(ocpi_tariff_id)),
        piles=tuple(p for p in piles if p.connectors),
        time_zone=location.time_zone,
        swap=_swap(ext.swap) if ext and ext.swap else None,
        updated_at=location.last_updated,
        tags=tuple(ext.tags or ()) if ext else (),
    )


def _first_tariff_id(evses: list[wire.EVSE]) -> str | None:
    for evse in evses:
        for connector in evse.connectors:
            if connector.tariff_ids:
                return connector.tariff_ids[0]
    return None


def _swap(ext: wire.SwapExtension) -> SwapBay:
    return SwapBay(ext.batteries_in_stock, ext.queue_length, ext.swap_minutes)


def _pile(station_id: str, evse: wire.EVSE) -> Pile:
    connectors = (_connector(c) for c in evse.connectors)
    return Pile(
        id=pile_id_for(station_id, evse.uid),
        external_uid=evse.uid,
        connectors=tuple(c for c in connectors if c is not None),
        status=pile_status_from_evse_status(evse.status),
        status_at=evse.last_updated,
        is_reservable=Capability.RESERVABLE in (evse.capabilities or ()),
    )


def _connector(connector: wire.Connector) -> Connector | None:
    if connector.evroam is not None:
        standard: ConnectorStandard | None = ConnectorStandard(
            connector.evroam.standard
        )
    else:
        standard = _STANDARD.get(connector.standard)
    if standard is None:
        return None
    is_dc = connector.power_type is WirePowerType.DC
    return Connector(
        standard=standard,
        max_power_kw=_power_kw(connector),
        power_type=PowerType.DC if is_dc else PowerType.AC,
    )


def _power_kw(connector: wire.Connector) -> float:
    """max_electric_power (W) when given, else voltage x amperage (x phases)."""
    if connector.max_electric_power is not None:
        return connector.max_electric_power / 1000
    phases = {WirePowerType.AC_3_PHASE: 3, WirePowerType.AC_2_PHASE: 2}
    watts = connector.max_voltage * connector.max_amperage
    return watts * phases.get(connector.power_type, 1) / 1000


# --- domain -> OCPI -------------------------------------------------------------


def location_from_station(
    station: Station,
    country_code: str,
    party_id: str,
    tariff_id_map: Mapping[TariffId, str],
    *,
    country: str = "CHN",
    now: datetime | None = None,
) -> wire.Location:
    """A Location for ``station``; ``tariff_id_map`` gives the OCPI tariff id of
    the station's tariff. ``last_updated`` comes from the station (or ``now``)."""
    last_updated = station.updated_at or now
    if last_updated is None:
        raise ValueError("station has no updated_at and no `now` was given")
    tariff_ids = [tariff_id_map[station.tariff_id]]
    return wire.Location(
        country_code=country_code,
        party_id=party_id,
        id=station.external_id,
        publish=True,
        name=station.name,
        address=station.address,
        city=station.city,
        country=country,
        coordinates=wire.GeoLocation(
            latitude=f"{station.lat:.7f}", longitude=f"{station.lon:.7f}"
        ),
        evses=[_evse(p, tariff_ids, last_updated) for p in station.piles],
        time_zone=station.time_zone,
        last_updated=last_updated,
        evroam=_location_extension(station, tariff_ids[0]),
    )


def _location_extension(
    station: Station, ocpi_tariff_id: str
) -> wire.LocationExtension | None:
    if station.swap is None and not station.tags and station.piles:
        return None
    swap = station.swap
    return wire.LocationExtension(
        swap=wire.SwapExtension(
            batteries_in_stock=swap.batteries_in_stock,
            queue_length=swap.queue_length,
            swap_minutes=swap.swap_minutes,
        )
        if swap is not None
        else None,
        tags=list(station.tags) or None,
        tariff_id=None if station.piles else ocpi_tariff_id,
    )


def _evse(pile: Pile, tariff_ids: list[str], fallback: datetime) -> wire.EVSE:
    updated = pile.status_at or fallback
    return wire.EVSE(
        uid=pile.external_uid,
        status=evse_status_from_pile_status(pile.status),
        capabilities=_CAPABILITIES if pile.is_reservable else None,
        connectors=[
            _wire_connector(str(n), c, tariff_ids, updated)
            for n, c in enumerate(pile.connectors, start=1)
        ],
        last_updated=updated,
    )


def _wire_connector(
    connector_id: str, connector: Connector, tariff_ids: list[str], updated: datetime
) -> wire.Connector:
    watts = round(connector.max_power_kw * 1000)
    if connector.power_type is PowerType.DC:
        power_type, voltage, phases = WirePowerType.DC, _DC_VOLTAGE, 1
    elif connector.max_power_kw <= SINGLE_PHASE_MAX_KW:
        power_type, voltage, phases = WirePowerType.AC_1_PHASE, _AC_VOLTAGE, 1
    else:
        power_type, voltage, phases = WirePowerType.AC_3_PHASE, _AC_VOLTAGE, 3
    ocpi_type = _CONNECTOR_TYPE.get(connector.standard)
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
        evroam=None
        if ocpi_type
        else wire.ConnectorExtension(standard=connector.standard.value),
    )


__all__ = [
    "UNKNOWN_TARIFF",
    "UnmappableTariffError",
    "evse_status_from_pile_status",
    "location_from_station",
    "ocpi_tariff_from_tariff",
    "parking_rule_from_ocpi",
    "pile_status_from_evse_status",
    "station_from_location",
    "tariff_from_ocpi",
    "tariff_id_for",
]

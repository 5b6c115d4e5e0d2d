"""Rows of the stations, piles and operators tables ⇄ catalogue domain objects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from evroam.catalogue.model import (
    ConnectorStandard,
    Operator,
    OperatorProfile,
    ParkingRule,
    Pile,
    PileCounts,
    PileStatus,
    Protocol,
    Station,
    SwapBay,
    count_piles,
)
from evroam.catalogue.search import StationSummary
from evroam.shared.ids import OperatorId, PileId, StationId, TariffId
from evroam.shared.money import Money
from evroam.storage.codec import aware_utc, connectors_from_json, connectors_to_json


def operator_of(row: RowMapping) -> Operator:
    return Operator(
        id=OperatorId(row["id"]),
        name=row["name"],
        profile=OperatorProfile(row["profile"]),
        protocol=Protocol(row["protocol"]),
        country_code=row["country_code"],
        party_id=row["party_id"],
    )


def station_row(s: Station) -> dict[str, Any]:
    mask = 0
    for standard in s.connector_standards:
        mask |= standard.bit
    counts = count_piles(s.piles)
    return {
        "id": s.id,
        "operator_id": s.operator_id,
        "external_id": s.external_id,
        "name": s.name,
        "address": s.address,
        "city": s.city,
        "lat": s.lat,
        "lon": s.lon,
        "time_zone": s.time_zone,
        "tariff_id": s.tariff_id,
        "parking_free_minutes": s.parking.free_minutes,
        "parking_fee_fen_per_hour": s.parking.fee_per_hour.fen,
        "parking_daily_cap_fen": s.parking.daily_cap.fen
        if s.parking.daily_cap
        else None,
        "max_power_kw": s.max_power_kw,
        "connector_mask": mask,
        "is_swap": s.is_swap,
        "swap_batteries": s.swap.batteries_in_stock if s.swap else None,
        "swap_queue": s.swap.queue_length if s.swap else None,
        "swap_minutes": s.swap.swap_minutes if s.swap else None,
        "piles_free": counts.free,
        "piles_busy": counts.busy,
        "piles_offline": counts.offline,
        "piles_unknown": counts.unknown,
        "updated_at": s.updated_at,
    }


def pile_row(p: Pile, sid: int) -> dict[str, Any]:
    return {
        "id": p.id,
        "station_sid": sid,
        "external_uid": p.external_uid,
        "connectors": connectors_to_json(p.connectors),
        "max_power_kw": p.max_power_kw,
        "status": p.status.value,
        "status_at": p.status_at,
        "heard_at": p.status_at,
        "is_reservable": p.is_reservable,
    }


def parking_of(row: RowMapping) -> ParkingRule:
    cap = row["parking_daily_cap_fen"]
    return ParkingRule(
        free_minutes=row["parking_free_minutes"],
        fee_per_hour=Money.from_fen(row["parking_fee_fen_per_hour"]),
        daily_cap=Money.from_fen(cap) if cap is not None else None,
    )


def swap_of(row: RowMapping) -> SwapBay | None:
    if not row["is_swap"]:
        return None
    return SwapBay(
        row["swap_batteries"] or 0, row["swap_queue"] or 0, row["swap_minutes"] or 3
    )


def summary_of(row: RowMapping) -> StationSummary:
    return StationSummary(
        id=StationId(row["id"]),
        operator_id=OperatorId(row["operator_id"]),
        name=row["name"],
        address=row["address"],
        city=row["city"],
        lat=row["lat"],
        lon=row["lon"],
        tariff_id=TariffId(row["tariff_id"]),
        time_zone=row["time_zone"],
        max_power_kw=row["max_power_kw"],
        connectors=ConnectorStandard.from_mask(row["connector_mask"]),
        piles=PileCounts(
            row["piles_free"],
            row["piles_busy"],
            row["piles_offline"],
            row["piles_unknown"],
        ),
        parking=parking_of(row),
        swap=swap_of(row),
        updated_at=aware_utc(row["updated_at"]),
    )


def pile_of(row: RowMapping) -> Pile:
    return Pile(
        id=PileId(row["id"]),
        external_uid=row["external_uid"],
        connectors=connectors_from_json(row["connectors"]),
        status=PileStatus(row["status"]),
        status_at=aware_utc(row["status_at"]),
        is_reservable=bool(row["is_reservable"]),
    )


def station_of(row: RowMapping, station_piles: tuple[Pile, ...]) -> Station:
    return Station(
        id=StationId(row["id"]),
        operator_id=OperatorId(row["operator_id"]),
        external_id=row["external_id"],
        name=row["name"],
        address=row["address"],
        city=row["city"],
        lat=row["lat"],
        lon=row["lon"],
        tariff_id=TariffId(row["tariff_id"]),
        parking=parking_of(row),
        piles=station_piles,
        time_zone=row["time_zone"],
        swap=swap_of(row),
        updated_at=aware_utc(row["updated_at"]),
    )

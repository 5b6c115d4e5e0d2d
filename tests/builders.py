"""Test data builders: ``a_station(**overrides)`` and friends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from evroam.catalogue.model import (
    Connector,
    ConnectorStandard,
    Operator,
    OperatorProfile,
    ParkingRule,
    Pile,
    PileStatus,
    PowerType,
    Station,
    SwapBay,
)
from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff, TouWindow
from evroam.shared.ids import OperatorId, TariffId, pile_id_for, station_id_for
from evroam.shared.money import Money

EPOCH = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai, a Monday


def an_operator(**overrides: Any) -> Operator:
    base = Operator(
        id=OperatorId("rapidgrid"),
        name="Rapid Grid",
        profile=OperatorProfile.FAST,
        party_id="RPG",
    )
    return replace(base, **overrides)


def a_tariff(**overrides: Any) -> Tariff:
    base = Tariff(
        id=TariffId("t-standard"),
        prices=(
            PeriodPrice(PeriodKind.VALLEY, Decimal("0.3100"), Decimal("0.4000")),
            PeriodPrice(PeriodKind.FLAT, Decimal("0.6500"), Decimal("0.6000")),
            PeriodPrice(PeriodKind.PEAK, Decimal("1.0200"), Decimal("0.8000")),
        ),
        windows=(
            TouWindow(time(23), time(7), PeriodKind.VALLEY),
            TouWindow(time(10), time(15), PeriodKind.PEAK),
            TouWindow(time(18), time(21), PeriodKind.PEAK),
        ),
    )
    return replace(base, **overrides)


def a_pile(station_id: str, uid: str = "E01", **overrides: Any) -> Pile:
    base = Pile(
        id=pile_id_for(station_id, uid),
        external_uid=uid,
        connectors=(Connector(ConnectorStandard.GBT_DC, 120.0, PowerType.DC),),
        status=PileStatus.AVAILABLE,
        status_at=EPOCH,
    )
    return replace(base, **overrides)


def a_station(
    external_id: str = "S0001",
    *,
    operator_id: str = "rapidgrid",
    lat: float = 31.2304,
    lon: float = 121.4737,
    statuses: tuple[PileStatus, ...] = (PileStatus.AVAILABLE, PileStatus.CHARGING),
    standard: ConnectorStandard = ConnectorStandard.GBT_DC,
    power_kw: float = 120.0,
    swap: SwapBay | None = None,
    **overrides: Any,
) -> Station:
    station_id = station_id_for(operator_id, external_id)
    power_type = (
        PowerType.AC
        if standard in (ConnectorStandard.GBT_AC, ConnectorStandard.TYPE2)
        else PowerType.DC
    )
    piles = tuple(
        a_pile(
            station_id,
            f"E{i + 1:02d}",
            status=status,
            connectors=(Connector(standard, power_kw, power_type),),
        )
        for i, status in enumerate(statuses)
    )
    base = Station(
        id=station_id,
        operator_id=OperatorId(operator_id),
        external_id=external_id,
        name=f"Test station {external_id}",
        address="1 Test Road",
        city="Shanghai",
        lat=lat,
        lon=lon,
        tariff_id=TariffId("t-standard"),
        parking=ParkingRule(60, Money.of("5.00"), Money.of("30.00")),
        piles=piles,
        swap=swap,
        updated_at=EPOCH,
    )
    return replace(base, **overrides)

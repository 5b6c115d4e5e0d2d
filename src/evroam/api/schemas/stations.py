"""Station, operator and cluster schemas of the public API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from evroam.api.schemas.message import MessagePublic, message_public
from evroam.catalogue.model import ConnectorStandard, PileStatus, StatusCategory
from evroam.catalogue.search import Cluster, OperatorStats, StationHit, summarise
from evroam.catalogue.service import StationDetail
from evroam.pricing.tariff import IdleFee, PeriodKind, PriceNow, Tariff
from evroam.recommend.outlook import StationOutlook
from evroam.recommend.reliability import WINDOW_DAYS, PileTrack
from evroam.shared.message import Message


class PileCountsPublic(BaseModel):
    free: int
    busy: int
    offline: int
    unknown: int
    total: int


class PriceNowPublic(BaseModel):
    electricity_per_kwh: str = Field(description="CNY per kWh, 4 decimals")
    service_per_kwh: str
    total_per_kwh: str
    currency: str
    period: PeriodKind


class IdleFeePublic(BaseModel):
    """The operator's fee for keeping the bay after charging has finished."""

    grace_minutes: int = Field(description="free minutes after charging ends")
    per_minute: str = Field(description="price of each whole minute after them")
    cap: str | None = Field(description="most it costs for one session (null: none)")
    currency: str = "CNY"


def idle_fee_public(idle: IdleFee | None, currency: str) -> IdleFeePublic | None:
    if idle is None:
        return None
    return IdleFeePublic(
        grace_minutes=idle.grace_minutes,
        per_minute=f"{idle.per_minute:.4f}",
        cap=None if idle.cap is None else f"{idle.cap:.2f}",
        currency=currency,
    )


class ParkingPublic(BaseModel):
    free_minutes: int
    fee_per_hour: str
    daily_cap: str | None
    currency: str = "CNY"


class SwapPublic(BaseModel):
    batteries_in_stock: int
    queue_length: int
    swap_minutes: int


class StationPublic(BaseModel):
    id: str
    name: str
    operator: str
    lat: float
    lon: float
    address: str
    city: str
    distance_m: float | None
    piles: PileCountsPublic
    status: StatusCategory
    max_power_kw: float
    connectors: list[ConnectorStandard]
    price_now: PriceNowPublic
    parking: ParkingPublic
    idle_fee: IdleFeePublic | None = Field(
        default=None, description="occupancy fee after charging (null: none)"
    )
    is_swap: bool
    swap: SwapPublic | None
    updated_at: datetime | None
    status_age_s: int | None = Field(
        default=None,
        description="seconds since the station's live status last changed "
        "(freshness; piles a partner stops reporting turn unknown, ADR 0005)",
    )
    free_chance: float | None = Field(
        default=None,
        description="chance (0..1) that a pile is free on arrival in "
        "free_chance_in_min minutes: the live state fading into the station's "
        "learned hour-of-week history (ADR 0039); null for swap stations and "
        "stations with no pile online",
    )
    free_chance_basis: Literal["station", "operator", "network", "profile"] | None = (
        Field(
            default=None,
            description="where the history part of free_chance comes from: the "
            "station's own hours, its operator's or the network's mean, or no "
            "history yet (profile: ADR 0008's daily profile)",
        )
    )
    free_chance_in_min: float | None = Field(
        default=None, description="the arrival time free_chance is for, from now"
    )


_Item = TypeVar("_Item", bound=StationPublic)


def with_outlook(item: _Item, outlook: StationOutlook) -> _Item:
    """``item`` with the station's free chance and status freshness."""
    return item.model_copy(
        update={
            "status_age_s": outlook.status_age_s,
            "free_chance": outlook.free_chance,
            "free_chance_basis": None if outlook.basis is None else outlook.basis.value,
            "free_chance_in_min": outlook.in_minutes,
        }
    )


class StationPage(BaseModel):
    items: list[StationPublic]
    next_cursor: str | None


class ConnectorPublic(BaseModel):
    standard: ConnectorStandard
    max_power_kw: float
    power_type: str


class PilePublic(BaseModel):
    id: str
    status: PileStatus
    category: StatusCategory
    status_at: datetime | None
    max_power_kw: float
    connectors: list[ConnectorPublic]
    is_reservable: bool = Field(
        default=False, description="the partner takes reservations here (OCPI)"
    )
    reliability: int = Field(
        default=100,
        description="0..100 from the last 30 days: faults, time off line, failed "
        "remote starts, drivers' reports (ADR 0040); under 60 is low and the "
        "recommender avoids the pile",
    )
    reliability_note: str | None = Field(
        default=None, description="what counted against the pile, with numbers"
    )
    reliability_said: MessagePublic | None = Field(
        default=None,
        description="the note with a code (`pile.reliability`) and its numbers "
        "(score, faults, offline_percent, failed_starts, reports, days), for "
        "clients in other languages (ADR 0045)",
    )


def with_reliability(
    detail: StationDetailPublic, tracks: Mapping[str, PileTrack]
) -> StationDetailPublic:
    """``detail`` with each pile's reliability score (100: nothing against it)."""
    piles = [
        p
        if p.id not in tracks
        else p.model_copy(
            update={
                "reliability": tracks[p.id].score,
                "reliability_note": tracks[p.id].describe(),
                "reliability_said": reliability_said(tracks[p.id]),
            }
        )
        for p in detail.piles_detail
    ]
    return detail.model_copy(update={"piles_detail": piles})


def reliability_said(track: PileTrack) -> MessagePublic:
    return message_public(
        Message.of(
            "pile.reliability",
            track.describe(),
            score=track.score,
            faults=track.faults,
            offline_percent=round(track.offline_share * 100),
            failed_starts=track.failed_starts,
            reports=track.broken_reports,
            days=WINDOW_DAYS,
        )
    )


class TouWindowPublic(BaseModel):
    start: str
    end: str
    period: PeriodKind
    months: list[int]


class TariffPeriodPublic(BaseModel):
    period: PeriodKind
    electricity_per_kwh: str
    service_per_kwh: str
    total_per_kwh: str


class TariffPublic(BaseModel):
    id: str
    currency: str
    periods: list[TariffPeriodPublic]
    windows: list[TouWindowPublic]
    default_period: PeriodKind
    idle_fee: IdleFeePublic | None = None


class StationDetailPublic(StationPublic):
    piles_detail: list[PilePublic]
    tariff: TariffPublic
    time_zone: str


class OperatorPublic(BaseModel):
    id: str
    name: str
    profile: str
    protocol: str
    stations: int
    piles: int
    swap_stations: int
    connectors: list[ConnectorStandard] = Field(
        default=[], description="connector standards found at its stations"
    )


class OperatorList(BaseModel):
    items: list[OperatorPublic]


class HourPricePublic(BaseModel):
    at: datetime
    period: PeriodKind
    electricity_per_kwh: str
    service_per_kwh: str
    total_per_kwh: str
    currency: str


class PriceOutlook(BaseModel):
    time_zone: str = "Asia/Shanghai"
    items: list[HourPricePublic]


def hour_price_public(at: datetime, price: PriceNow) -> HourPricePublic:
    return HourPricePublic(
        at=at,
        period=price.kind,
        electricity_per_kwh=f"{price.electricity_per_kwh:.4f}",
        service_per_kwh=f"{price.service_per_kwh:.4f}",
        total_per_kwh=f"{price.total_per_kwh:.4f}",
        currency=price.currency,
    )


class ClusterPublic(BaseModel):
    lat: float
    lon: float
    stations: int
    piles: PileCountsPublic


class ClusterList(BaseModel):
    clusters: list[ClusterPublic]


def _price(price: PriceNow) -> PriceNowPublic:
    return PriceNowPublic(
        electricity_per_kwh=f"{price.electricity_per_kwh:.4f}",
        service_per_kwh=f"{price.service_per_kwh:.4f}",
        total_per_kwh=f"{price.total_per_kwh:.4f}",
        currency=price.currency,
        period=price.kind,
    )


def station_public(hit: StationHit) -> StationPublic:
    s = hit.summary
    return StationPublic(
        id=s.id,
        name=s.name,
        operator=s.operator_id,
        lat=s.lat,
        lon=s.lon,
        address=s.address,
        city=s.city,
        distance_m=None if hit.distance_m is None else round(hit.distance_m, 1),
        piles=_counts(s.piles.free, s.piles.busy, s.piles.offline, s.piles.unknown),
        status=s.piles.category,
        max_power_kw=s.max_power_kw,
        connectors=sorted(s.connectors),
        price_now=_price(hit.price_now),
        parking=ParkingPublic(
            free_minutes=s.parking.free_minutes,
            fee_per_hour=str(s.parking.fee_per_hour.amount),
            daily_cap=str(s.parking.daily_cap.amount) if s.parking.daily_cap else None,
            currency=s.parking.fee_per_hour.currency,
        ),
        idle_fee=idle_fee_public(hit.price_now.idle, hit.price_now.currency),
        is_swap=s.is_swap,
        swap=SwapPublic(
            batteries_in_stock=s.swap.batteries_in_stock,
            queue_length=s.swap.queue_length,
            swap_minutes=s.swap.swap_minutes,
        )
        if s.swap
        else None,
        updated_at=s.updated_at,
    )


def _counts(free: int, busy: int, offline: int, unknown: int) -> PileCountsPublic:
    return PileCountsPublic(
        free=free,
        busy=busy,
        offline=offline,
        unknown=unknown,
        total=free + busy + offline + unknown,
    )


def tariff_public(tariff: Tariff) -> TariffPublic:
    return TariffPublic(
        id=tariff.id,
        currency=tariff.currency,
        periods=[
            TariffPeriodPublic(
                period=p.kind,
                electricity_per_kwh=f"{p.electricity_per_kwh:.4f}",
                service_per_kwh=f"{p.service_per_kwh:.4f}",
                total_per_kwh=f"{p.total_per_kwh:.4f}",
            )
            for p in tariff.prices
        ],
        windows=[
            TouWindowPublic(
                start=w.start.isoformat("minutes"),
                end=w.end.isoformat("minutes"),
                period=w.kind,
                months=sorted(w.months),
            )
            for w in tariff.windows
        ],
        default_period=tariff.default_kind,
        idle_fee=idle_fee_public(tariff.idle, tariff.currency),
    )


def station_detail_public(detail: StationDetail) -> StationDetailPublic:
    st = detail.station
    summary = summarise(st)
    base = station_public(StationHit(summary, None, detail.price_now))
    return StationDetailPublic(
        **base.model_dump(),
        piles_detail=[
            PilePublic(
                id=p.id,
                status=p.status,
                category=p.status.category,
                status_at=p.status_at,
                max_power_kw=p.max_power_kw,
                connectors=[
                    ConnectorPublic(
                        standard=c.standard,
                        max_power_kw=c.max_power_kw,
                        power_type=c.power_type.value,
                    )
                    for c in p.connectors
                ],
                is_reservable=p.is_reservable,
            )
            for p in st.piles
        ],
        tariff=tariff_public(detail.tariff),
        time_zone=st.time_zone,
    )


def operator_public(stats: OperatorStats) -> OperatorPublic:
    op = stats.operator
    return OperatorPublic(
        id=op.id,
        name=op.name,
        profile=op.profile.value,
        protocol=op.protocol.value,
        stations=stats.stations,
        piles=stats.piles,
        swap_stations=stats.swap_stations,
        connectors=sorted(stats.connectors),
    )


def cluster_public(cluster: Cluster) -> ClusterPublic:
    p = cluster.piles
    return ClusterPublic(
        lat=round(cluster.lat, 5),
        lon=round(cluster.lon, 5),
        stations=cluster.stations,
        piles=_counts(p.free, p.busy, p.offline, p.unknown),
    )

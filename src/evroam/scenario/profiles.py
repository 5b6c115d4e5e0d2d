"""Fictional operator profiles: pile mix, station sizes, where they build, fees."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from evroam.catalogue.model import Operator, OperatorProfile
from evroam.scenario.cities import CityTier
from evroam.scenario.piles import PileMix, ac, dc
from evroam.shared.ids import OperatorId


class SiteStyle(enum.StrEnum):
    """What a station looks like; drives its name, address and parking."""

    URBAN = "urban"  # car parks, malls, hubs in the city
    COMMUNITY = "community"  # residential compounds
    SWAP = "swap"  # battery-swap station


@dataclass(frozen=True, slots=True)
class IdleFeeTerms:
    """How an operator charges for keeping the bay once the charge is done (占位费):
    ``share`` of its tariffs carry an idle fee, each with grace minutes drawn from
    ``grace_minutes``, a price per minute from the ``per_minute`` range (CNY, in
    0.10 steps) and a cap per session from ``caps`` (None: no cap)."""

    share: float
    grace_minutes: tuple[int, ...]
    per_minute: tuple[str, str]
    caps: tuple[str | None, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1 or not self.grace_minutes or not self.caps:
            raise ValueError("share in [0, 1], some grace minutes and some caps")


@dataclass(frozen=True, slots=True)
class NetworkProfile:
    """How one fictional operator builds: the knobs of the generator."""

    operator: Operator
    mix: PileMix
    style: SiteStyle
    station_piles: tuple[int, int]  # smallest and largest charging station
    mean_piles: float
    tier_weights: tuple[tuple[CityTier, float], ...]
    core_factor: float  # scatter sigma as a share of the city's urban radius
    service_fee: tuple[str, str]  # CNY/kWh range of the service fee
    tariff_variants: int = 2
    idle_fee: IdleFeeTerms | None = None  # None: no tariff has an idle fee
    area_mix: PileMix | None = None  # service-area sites; None: the DC part of mix

    @property
    def id(self) -> OperatorId:
        return self.operator.id


T1, N1, T2, T3, T4 = (
    CityTier.TIER_1,
    CityTier.NEW_TIER_1,
    CityTier.TIER_2,
    CityTier.TIER_3,
    CityTier.TIER_4,
)


def _op(key: str, name: str, party: str, profile: OperatorProfile) -> Operator:
    return Operator(OperatorId(key), name, profile, party_id=party)


# Urban DC-fast bays are scarce: most of those tariffs charge for blocking one.
# Mixed networks (the swap-heavy one's charging sites) charge at some; community
# AC compounds do not (drivers leave their cars there overnight).
FAST_IDLE_FEE = IdleFeeTerms(0.85, (15, 30), ("0.30", "1.00"), ("30", "50", None))
OCCASIONAL_IDLE_FEE = IdleFeeTerms(0.35, (30,), ("0.30", "0.60"), ("30", "50"))

SWAPWAY = NetworkProfile(
    operator=_op("swapway", "SwapWay Energy", "SWP", OperatorProfile.SWAP),
    mix=PileMix(((55.0, dc(120)), (20.0, dc(250)), (20.0, ac(7)), (5.0, ac(11)))),
    style=SiteStyle.URBAN,
    station_piles=(3, 10),
    mean_piles=6.0,
    tier_weights=((T1, 10.0), (N1, 5.0), (T2, 2.0), (T3, 0.8), (T4, 0.2)),
    core_factor=0.45,
    service_fee=("0.4000", "0.6000"),
    idle_fee=OCCASIONAL_IDLE_FEE,
)
RAPIDGRID = NetworkProfile(
    operator=_op("rapidgrid", "Rapid Grid", "RPG", OperatorProfile.FAST),
    mix=PileMix(
        (
            (30.0, dc(120)),
            (20.0, dc(150)),
            (15.0, dc(160)),
            (27.0, dc(180)),
            (8.0, dc(60)),
        )
    ),
    style=SiteStyle.URBAN,
    station_piles=(6, 20),
    mean_piles=12.0,
    tier_weights=((T1, 8.0), (N1, 4.0), (T2, 1.2)),
    core_factor=0.3,
    service_fee=("0.6000", "0.8000"),
    idle_fee=FAST_IDLE_FEE,
)
NEIGHBOURLY = NetworkProfile(
    operator=_op("neighbourly", "Neighbourly Charge", "NBC", OperatorProfile.COMMUNITY),
    mix=PileMix(
        ((60.0, ac(7)), (18.0, ac(11)), (8.0, dc(30)), (7.0, dc(40)), (7.0, dc(60)))
    ),
    style=SiteStyle.COMMUNITY,
    station_piles=(2, 8),
    mean_piles=5.0,
    tier_weights=((T2, 3.0), (T3, 1.6), (T4, 0.7)),
    core_factor=0.6,
    service_fee=("0.4000", "0.5500"),
    tariff_variants=1,
    # its real model's expressway sites: 5C (~480 kW) and 250 kW DC piles
    area_mix=PileMix(((30.0, dc(480)), (70.0, dc(250)))),
)

REFERENCE_PROFILES = (SWAPWAY, RAPIDGRID, NEIGHBOURLY)

_ALL_TIERS_FLAT = ((T1, 16.0), (N1, 4.0), (T2, 1.8), (T3, 0.8), (T4, 0.3))
_ALL_TIERS_URBAN = ((T1, 24.0), (N1, 5.0), (T2, 1.8), (T3, 0.5), (T4, 0.12))

PROVGRID = NetworkProfile(
    operator=_op("provgrid", "Provincial Grid Charging", "PGC", OperatorProfile.FAST),
    mix=PileMix(
        (
            (25.0, dc(60)),
            (25.0, dc(120)),
            (10.0, dc(160)),
            (30.0, ac(7)),
            (10.0, ac(11)),
        )
    ),
    style=SiteStyle.URBAN,
    station_piles=(2, 10),
    mean_piles=5.2,
    tier_weights=_ALL_TIERS_FLAT,
    core_factor=0.55,
    service_fee=("0.4000", "0.6000"),
    tariff_variants=1,
    idle_fee=IdleFeeTerms(0.2, (30,), ("0.20", "0.50"), ("30",)),
)
VOLTHARBOUR = NetworkProfile(
    operator=_op("voltharbour", "Volt Harbour", "VHB", OperatorProfile.FAST),
    mix=PileMix(((20.0, dc(60)), (45.0, dc(120)), (25.0, dc(160)), (10.0, ac(7)))),
    style=SiteStyle.URBAN,
    station_piles=(4, 16),
    mean_piles=8.0,
    tier_weights=_ALL_TIERS_URBAN,
    core_factor=0.45,
    service_fee=("0.5000", "0.8000"),
    tariff_variants=3,
    idle_fee=FAST_IDLE_FEE,
)
STARFIELD = NetworkProfile(
    operator=_op("starfield", "Star Field Charging", "SFC", OperatorProfile.FAST),
    mix=PileMix(((35.0, ac(7)), (10.0, ac(11)), (30.0, dc(60)), (25.0, dc(120)))),
    style=SiteStyle.URBAN,
    station_piles=(2, 10),
    mean_piles=5.0,
    tier_weights=_ALL_TIERS_URBAN,
    core_factor=0.5,
    service_fee=("0.4500", "0.7500"),
    tariff_variants=3,
    idle_fee=OCCASIONAL_IDLE_FEE,
)
CLOUDQUICK = NetworkProfile(
    operator=_op("cloudquick", "Cloud Quick Charge", "CQC", OperatorProfile.FAST),
    mix=PileMix(((45.0, dc(60)), (30.0, dc(120)), (10.0, dc(30)), (15.0, ac(7)))),
    style=SiteStyle.URBAN,
    station_piles=(2, 10),
    mean_piles=5.0,
    tier_weights=_ALL_TIERS_FLAT,
    core_factor=0.55,
    service_fee=("0.4000", "0.7000"),
    idle_fee=IdleFeeTerms(0.5, (15, 30), ("0.30", "0.80"), ("30", None)),
)
URBANHUB = NetworkProfile(
    operator=_op("urbanhub", "Urban Power Hub", "UPH", OperatorProfile.COMMUNITY),
    mix=PileMix(((55.0, ac(7)), (25.0, ac(11)), (20.0, dc(30)))),
    style=SiteStyle.URBAN,
    station_piles=(2, 6),
    mean_piles=4.0,
    tier_weights=_ALL_TIERS_URBAN,
    core_factor=0.5,
    service_fee=("0.3500", "0.6000"),
)
GREENWAY = NetworkProfile(
    operator=_op("greenway", "Greenway Charge", "GWC", OperatorProfile.COMMUNITY),
    mix=PileMix(((75.0, ac(7)), (15.0, ac(11)), (10.0, dc(40)))),
    style=SiteStyle.COMMUNITY,
    station_piles=(2, 4),
    mean_piles=3.0,
    tier_weights=_ALL_TIERS_FLAT,
    core_factor=0.65,
    service_fee=("0.3000", "0.5000"),
    tariff_variants=1,
)

NATIONAL_PROFILES = (
    *REFERENCE_PROFILES,
    PROVGRID,
    VOLTHARBOUR,
    STARFIELD,
    CLOUDQUICK,
    URBANHUB,
    GREENWAY,
)

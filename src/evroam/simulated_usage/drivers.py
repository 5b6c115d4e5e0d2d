"""Simulated drivers: who they are, where they live and work, when they charge."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
CENTRE = (31.2304, 121.4737)  # People's Square, Shanghai
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # ISO 3779: no I, O, Q
_BRANDS = (("BYD", "Seal"), ("NIO", "ET5"), ("XPeng", "P7"), ("Tesla", "Model 3"))


@dataclass(frozen=True, slots=True)
class DriverPlan:
    name: str
    vin: str
    brand: str
    model: str
    home: tuple[float, float]
    work: tuple[float, float] | None  # None: no commute (charges near home)
    charges_per_week: float


@dataclass(frozen=True, slots=True)
class PlannedCharge:
    driver: int  # index into the plans
    at: datetime  # UTC
    place: str  # home | work
    target_kwh: int


def _point_near(
    rng: random.Random, centre: tuple[float, float], radius_m: float
) -> tuple[float, float]:
    distance, bearing = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = centre[0] + distance * math.cos(bearing) / 111_320
    lon = centre[1] + distance * math.sin(bearing) / (
        111_320 * math.cos(math.radians(lat))
    )
    return round(lat, 6), round(lon, 6)


def plan_driver(
    rng: random.Random, index: int, centre: tuple[float, float] = CENTRE
) -> DriverPlan:
    brand, model = rng.choice(_BRANDS)
    is_commuter = rng.random() < 0.7
    return DriverPlan(
        name=f"Simulated driver {index + 1}",
        vin="".join(rng.choice(_VIN_CHARS) for _ in range(17)),
        brand=brand,
        model=model,
        home=_point_near(rng, centre, 15_000),
        work=_point_near(rng, centre, 6_000) if is_commuter else None,
        charges_per_week=rng.uniform(1.5, 4.0),
    )


def _local_hour(rng: random.Random, place: str, is_weekend: bool) -> float:
    """Commuters plug in on arrival at work; at home after work or, at weekends,
    around midday shopping and errands."""
    if place == "work":
        return rng.triangular(7.5, 10.5, 8.6)
    if is_weekend:
        return rng.triangular(9.0, 21.0, 14.0)
    return rng.triangular(17.5, 23.5, 19.5)


def plan_charges(
    rng: random.Random, plans: list[DriverPlan], first: date, days: int
) -> list[PlannedCharge]:
    """Every planned charge of every driver over ``days`` days, in time order."""
    charges: list[PlannedCharge] = []
    for i, plan in enumerate(plans):
        for day in (first + timedelta(days=d) for d in range(days)):
            is_weekend = day.weekday() >= 5
            if rng.random() >= plan.charges_per_week / 7:
                continue
            at_work = plan.work is not None and not is_weekend and rng.random() < 0.5
            place = "work" if at_work else "home"
            hour = _local_hour(rng, place, is_weekend)
            local = datetime(day.year, day.month, day.day, tzinfo=LOCAL) + timedelta(
                hours=hour
            )
            charges.append(
                PlannedCharge(i, local.astimezone(UTC), place, rng.randint(10, 45))
            )
    return sorted(charges, key=lambda c: (c.at, c.driver))

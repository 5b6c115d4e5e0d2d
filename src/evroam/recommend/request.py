"""A recommendation request and its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from evroam.recommend.errors import InvalidRecommendRequestError
from evroam.recommend.scoring import Objective, Option
from evroam.recommend.vehicle import VehicleModel
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId


@dataclass(frozen=True, slots=True)
class OwnedCar:
    """A car registered to the driver's account: its brand and delivery date
    decide brand discounts."""

    brand: str
    delivery_date: date


@dataclass(frozen=True, slots=True)
class RecommendRequest:
    vehicle: VehicleModel
    soc_percent: float
    position: GeoPoint
    destination: GeoPoint | None = None
    target_soc_percent: float = 80.0
    min_arrival_soc_percent: float = 10.0
    objective: Objective = Objective.BALANCED
    max_detour_km: float | None = None
    operator_ids: frozenset[OperatorId] = frozenset()
    owned_cars: tuple[OwnedCar, ...] = ()
    limit: int = 5

    def __post_init__(self) -> None:
        for name in ("soc_percent", "target_soc_percent", "min_arrival_soc_percent"):
            if not 0 <= getattr(self, name) <= 100:
                raise InvalidRecommendRequestError(name, "must be between 0 and 100")
        if self.soc_percent <= self.min_arrival_soc_percent:
            raise InvalidRecommendRequestError(
                "soc_percent", "must be above min_arrival_soc_percent"
            )
        if self.target_soc_percent <= self.min_arrival_soc_percent:
            raise InvalidRecommendRequestError(
                "target_soc_percent", "must be above min_arrival_soc_percent"
            )
        if self.max_detour_km is not None and self.max_detour_km < 0:
            raise InvalidRecommendRequestError("max_detour_km", "must be >= 0")
        if not 1 <= self.limit <= 50:
            raise InvalidRecommendRequestError("limit", "must be between 1 and 50")

    def discount_car(self) -> OwnedCar | None:
        """The owned car this charge is for: same brand, most recently delivered
        (a custom vehicle: the most recently delivered car)."""
        same = [
            c
            for c in self.owned_cars
            if c.brand.casefold() == self.vehicle.brand.casefold()
        ]
        pool = same or (list(self.owned_cars) if self.vehicle.id == "custom" else [])
        return max(pool, key=lambda c: c.delivery_date, default=None)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """``options`` ranked best first; ``evaluated`` every option fully evaluated
    (what the ranking chose from)."""

    options: tuple[Option, ...]
    evaluated: tuple[Option, ...]
    reachable_km: float

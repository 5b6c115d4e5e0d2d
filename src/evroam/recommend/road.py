"""Embedded road distance: great-circle distance times a circuity factor.

Road distance is the straight line times 1.3 for the first 50 km (urban and
suburban networks) and 1.2 beyond (intercity trips run on expressways).
Ballou, Rahardja & Sakai (2002), "Selected country circuity factors for road
travel distance estimation", Transportation Research A 36(9), and Boscoe,
Henry & Zdeb (2012), "A nationwide comparison of driving distance versus
straight-line distance", The Professional Geographer 64(2), both find factors
of about 1.2-1.4, higher for short trips. Drive time: the first 15 road km at
30 km/h (city streets), the rest at 90 km/h (expressway). Both pieces are
continuous and increasing in distance, so a farther station is never quicker.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from evroam.recommend.ports import Leg
from evroam.shared.geo import GeoPoint, distance_m

CITY_CIRCUITY = 1.3
INTERCITY_CIRCUITY = 1.2
INTERCITY_FROM_KM = 50.0
CITY_KM = 15.0
CITY_KMH = 30.0
EXPRESSWAY_KMH = 90.0


def road_km(straight_km: float) -> float:
    """Estimated road kilometres for a straight-line distance."""
    if straight_km <= INTERCITY_FROM_KM:
        return straight_km * CITY_CIRCUITY
    extra = straight_km - INTERCITY_FROM_KM
    return INTERCITY_FROM_KM * CITY_CIRCUITY + extra * INTERCITY_CIRCUITY


def road_km_array(straight_km: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``road_km`` over an array."""
    near = straight_km * CITY_CIRCUITY
    far = (
        INTERCITY_FROM_KM * CITY_CIRCUITY
        + (straight_km - INTERCITY_FROM_KM) * INTERCITY_CIRCUITY
    )
    return np.where(straight_km <= INTERCITY_FROM_KM, near, far)


def drive_minutes(road_distance_km: float) -> float:
    city = min(road_distance_km, CITY_KM)
    rest = max(road_distance_km - CITY_KM, 0.0)
    return city / CITY_KMH * 60.0 + rest / EXPRESSWAY_KMH * 60.0


def leg_for(straight_km: float) -> Leg:
    km = road_km(straight_km)
    return Leg(km, drive_minutes(km))


class GreatCircleRoads:
    """``RoadDistance`` without a road network: no I/O, microseconds a leg."""

    def route(self, origin: GeoPoint, destination: GeoPoint) -> Leg:
        return leg_for(_straight_km(origin, destination))

    def route_many(self, origin: GeoPoint, points: Sequence[GeoPoint]) -> list[Leg]:
        return [leg_for(_straight_km(origin, p)) for p in points]


def _straight_km(a: GeoPoint, b: GeoPoint) -> float:
    return distance_m(a.lat, a.lon, b.lat, b.lon) / 1000.0

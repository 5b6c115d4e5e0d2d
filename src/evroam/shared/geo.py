"""Great-circle geometry on WGS-84 coordinates (spherical Earth model)."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


@dataclass(frozen=True, slots=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0 or math.isnan(self.lat):
            raise ValueError(f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0 or math.isnan(self.lon):
            raise ValueError(f"longitude {self.lon} is outside -180..180")


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A lon/lat box; ``min_lon > max_lon`` is not allowed (no antimeridian boxes)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def __post_init__(self) -> None:
        GeoPoint(self.min_lat, self.min_lon)
        GeoPoint(self.max_lat, self.max_lon)
        if self.min_lon > self.max_lon or self.min_lat > self.max_lat:
            raise ValueError("bounding box is inverted (min greater than max)")

    def contains(self, lat: float, lon: float) -> bool:
        return (
            self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon
        )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bbox_around(lat: float, lon: float, radius_m: float) -> BoundingBox:
    """The smallest lon/lat box that holds every point within ``radius_m``.

    Near the poles, or when the circle crosses the antimeridian, the box widens
    to all longitudes so that no point of the circle is ever left out.
    """
    angular = radius_m / EARTH_RADIUS_M
    min_lat = lat - math.degrees(angular)
    max_lat = lat + math.degrees(angular)
    if min_lat <= -90.0 or max_lat >= 90.0:
        return BoundingBox(-180.0, max(min_lat, -90.0), 180.0, min(max_lat, 90.0))
    # Largest longitude offset of the circle (tangent meridian), exact on a sphere.
    sin_ratio = math.sin(angular) / math.cos(math.radians(lat))
    if sin_ratio >= 1.0:
        return BoundingBox(-180.0, min_lat, 180.0, max_lat)
    dlon = math.degrees(math.asin(sin_ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180.0 or max_lon > 180.0:
        return BoundingBox(-180.0, min_lat, 180.0, max_lat)
    return BoundingBox(min_lon, min_lat, max_lon, max_lat)

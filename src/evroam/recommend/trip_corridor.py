"""Candidate stops for a trip: the best few stations per segment of a corridor.

The corridor follows the great circle from origin to destination. It is cut
into segments of ``segment_km``; around each segment's centre one near query
(radius ``corridor_km``) asks for charging stations the car can plug into
(fast DC only, or, in the slower tier, any DC and AC pile: ADR 0031), and one
for swap stations of the car's swap networks. Each segment keeps its
``per_segment`` best charging stations (power the car can use, then a free
pile, then price) and its best swap station; the rest of the segment's usable
hits are the alternatives offered when a chosen stop is busy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import NearQuery, StationFilter, StationHit, StationPage
from evroam.recommend.ports import StationSource
from evroam.recommend.vehicle import VehicleModel
from evroam.shared.geo import EARTH_RADIUS_M, GeoPoint, distance_m
from evroam.shared.ids import OperatorId

DC_STANDARDS = frozenset(
    {
        ConnectorStandard.GBT_DC,
        ConnectorStandard.CCS2,
        ConnectorStandard.CHADEMO,
        ConnectorStandard.NACS,
    }
)
MIN_DC_KW = 40.0  # slower "DC" piles are not worth a stop on a long trip
QUERY_LIMIT = 40
SWAP_QUERY_LIMIT = 8


@dataclass(frozen=True, slots=True)
class CorridorSettings:
    """``min_dc_kw`` drops slower DC piles; ``include_ac`` adds AC piles."""

    corridor_km: float = 25.0
    segment_km: float = 50.0
    per_segment: int = 3
    swaps_per_segment: int = 1
    min_dc_kw: float = MIN_DC_KW
    include_ac: bool = False

    def slower(self) -> CorridorSettings:
        """The tier tried when fast chargers alone leave a gap: every pile the
        car can plug into, in a wider corridor."""
        return replace(
            self,
            corridor_km=max(self.corridor_km, 40.0),
            per_segment=self.per_segment + 1,
            min_dc_kw=0.0,
            include_ac=True,
        )


@dataclass(frozen=True, slots=True)
class CandidateStop:
    """A station the search may stop at; ``group`` is its corridor segment."""

    hit: StationHit
    progress_km: float
    group: int

    @property
    def point(self) -> GeoPoint:
        return GeoPoint(self.hit.summary.lat, self.hit.summary.lon)


@dataclass(frozen=True, slots=True)
class Corridor:
    stops: tuple[CandidateStop, ...]  # in route order
    groups: tuple[tuple[StationHit, ...], ...]  # every usable hit per segment


def great_circle_points(
    origin: GeoPoint, destination: GeoPoint, count: int
) -> list[GeoPoint]:
    """``count`` points evenly spaced on the great circle, ends included."""
    lat1, lon1 = math.radians(origin.lat), math.radians(origin.lon)
    lat2, lon2 = math.radians(destination.lat), math.radians(destination.lon)
    delta = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    delta /= EARTH_RADIUS_M
    if count < 2 or delta < 1e-12:
        return [origin, destination][: max(count, 1)]
    points = []
    for k in range(count):
        f = k / (count - 1)
        a = math.sin((1 - f) * delta) / math.sin(delta)
        b = math.sin(f * delta) / math.sin(delta)
        x = a * math.cos(lat1) * math.cos(lon1) + b * math.cos(lat2) * math.cos(lon2)
        y = a * math.cos(lat1) * math.sin(lon1) + b * math.cos(lat2) * math.sin(lon2)
        z = a * math.sin(lat1) + b * math.sin(lat2)
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        points.append(GeoPoint(lat, math.degrees(math.atan2(y, x))))
    return points


def progress_km(origin: GeoPoint, destination: GeoPoint, point: GeoPoint) -> float:
    """How far along the origin-destination line ``point`` projects (planar)."""
    total = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    from_start = distance_m(origin.lat, origin.lon, point.lat, point.lon)
    to_end = distance_m(point.lat, point.lon, destination.lat, destination.lon)
    if total < 1.0:
        return 0.0
    return (from_start**2 - to_end**2 + total**2) / (2 * total) / 1000.0


def is_ac_only(vehicle: VehicleModel, hit: StationHit) -> bool:
    """The station has no DC plug this car takes: it charges on AC."""
    return not (hit.summary.connectors & vehicle.connectors & DC_STANDARDS)


def effective_kw(vehicle: VehicleModel, hit: StationHit) -> float:
    """The most power the car can draw there: DC capped by the car's DC maximum,
    AC by its on-board charger."""
    if is_ac_only(vehicle, hit):
        return min(hit.summary.max_power_kw, vehicle.max_ac_kw)
    return min(hit.summary.max_power_kw, vehicle.max_dc_kw)


def is_usable(hit: StationHit) -> bool:
    """Not offline: some pile is free, busy or of unknown status."""
    piles = hit.summary.piles
    return piles.free + piles.busy + piles.unknown > 0


def _charging_rank(vehicle: VehicleModel, hit: StationHit) -> tuple[float, int, float]:
    free_first = 0 if hit.summary.piles.free > 0 else 1
    return (-effective_kw(vehicle, hit), free_first, float(hit.price_now.total_per_kwh))


def _swap_rank(hit: StationHit) -> tuple[int, int]:
    swap = hit.summary.swap
    queue = swap.queue_length if swap else 99
    stocked = 0 if swap and swap.batteries_in_stock > 0 else 1
    return (stocked, queue)


def find_corridor(
    stations: StationSource,
    vehicle: VehicleModel,
    origin: GeoPoint,
    destination: GeoPoint,
    settings: CorridorSettings,
) -> Corridor:
    """Candidate stops and per-segment alternatives along the route."""
    length_km = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    segments = max(1, math.ceil(length_km / 1000.0 / settings.segment_km))
    centres = great_circle_points(origin, destination, segments + 1)
    seen: set[str] = set()
    stops: list[CandidateStop] = []
    groups: list[tuple[StationHit, ...]] = []
    asked = [
        (
            _charging_query(vehicle, centre, settings),
            _swap_query(vehicle, centre, settings),
        )
        for centre in centres
    ]
    queries = [q for pair in asked for q in pair if q is not None]
    pages = iter(stations.find_stations_near_many(queries))
    for group, (charge_query, swap_query) in enumerate(asked):
        charging = [] if charge_query is None else _charging_hits(vehicle, next(pages))
        swaps = [] if swap_query is None else _swap_hits(next(pages))
        groups.append((*charging, *swaps))
        picked = [
            *charging[: settings.per_segment],
            *swaps[: settings.swaps_per_segment],
        ]
        for hit in picked:
            if hit.summary.id in seen:
                continue
            seen.add(hit.summary.id)
            point = GeoPoint(hit.summary.lat, hit.summary.lon)
            stops.append(
                CandidateStop(hit, progress_km(origin, destination, point), group)
            )
    stops.sort(key=lambda s: (s.progress_km, s.hit.summary.id))
    return Corridor(tuple(stops), tuple(groups))


def _charging_query(
    vehicle: VehicleModel, centre: GeoPoint, settings: CorridorSettings
) -> NearQuery | None:
    plugs = frozenset(vehicle.connectors & DC_STANDARDS)
    if settings.include_ac:
        plugs = frozenset(vehicle.connectors - {ConnectorStandard.SWAP})
    if not plugs:
        return None
    return NearQuery(
        centre,
        settings.corridor_km * 1000.0,
        StationFilter(
            connectors=plugs,
            min_power_kw=settings.min_dc_kw or None,
            is_swap=False,
        ),
        QUERY_LIMIT,
    )


def _charging_hits(vehicle: VehicleModel, page: StationPage) -> list[StationHit]:
    hits = [h for h in page.items if is_usable(h) and effective_kw(vehicle, h) > 0]
    return sorted(hits, key=lambda h: _charging_rank(vehicle, h))


def _swap_query(
    vehicle: VehicleModel, centre: GeoPoint, settings: CorridorSettings
) -> NearQuery | None:
    if not vehicle.swap_operator_ids or settings.swaps_per_segment < 1:
        return None
    return NearQuery(
        centre,
        settings.corridor_km * 1000.0,
        StationFilter(
            operator_ids=frozenset(OperatorId(o) for o in vehicle.swap_operator_ids),
            is_swap=True,
        ),
        SWAP_QUERY_LIMIT,
    )


def _swap_hits(page: StationPage) -> list[StationHit]:
    hits = [h for h in page.items if is_usable(h)]
    return sorted(hits, key=_swap_rank)

"""Can the car get there at all? A reachability search over every usable station.

When the corridor tiers find no plan, the planner asks this module two
questions (ADR 0031): is there any chain of stations the car can use, each hop
within what the car drives between charges, that leads from the start to the
destination (then the chain's stations become candidate stops), and if not,
which stretch of the route no hop covers (for the error a driver reads).

The universe is every station within ``band_km`` of the straight line from
start to destination that has an online pile with a plug the car takes, or is
a swap station of one of the car's swap networks, whatever its power. A hop
is the road distance of ``road.road_km`` (great circle times the circuity
factors) and may be at most the range of the car's state-of-charge window:
start SoC minus the floor from the start, target minus the floor from a
charging station, 100 % minus the floor from a swap station.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import MAX_LIMIT, NearQuery, StationFilter, StationHit
from evroam.recommend.ports import StationSource
from evroam.recommend.road import road_km_array
from evroam.recommend.trip_corridor import great_circle_points, is_usable
from evroam.recommend.vehicle import VehicleModel
from evroam.shared.geo import EARTH_RADIUS_M, GeoPoint, distance_m

FloatArray = npt.NDArray[np.float64]

BAND_KM = 50.0
"""How far from the straight line the search looks for stations."""
MAX_PAGES = 40  # per query centre: a bound on the work in dense city cores


@dataclass(frozen=True, slots=True)
class Window:
    """The state-of-charge window a trip runs in, percent."""

    start_soc: float
    floor: float
    target: float


@dataclass(frozen=True, slots=True)
class Gap:
    """The stretch no hop covers: from the farthest point reached to the next
    usable station (or the destination), measured along the route."""

    from_name: str
    from_km: float
    to_name: str
    to_km: float
    hop_km: float  # road km of the shortest hop that would bridge it
    range_km: float  # what the car drives between charges (target - floor)


@dataclass(frozen=True, slots=True)
class Reach:
    """``path``: stations from start to destination (None: there is none)."""

    path: tuple[StationHit, ...] | None
    gap: Gap | None


def usable_by(vehicle: VehicleModel, hit: StationHit) -> bool:
    """The car can charge or swap there now."""
    if not is_usable(hit):
        return False
    summary = hit.summary
    if summary.swap is not None:
        return summary.operator_id in vehicle.swap_operator_ids
    plugs = vehicle.connectors - {ConnectorStandard.SWAP}
    return bool(summary.connectors & plugs)


def band_stations(
    stations: StationSource,
    vehicle: VehicleModel,
    origin: GeoPoint,
    destination: GeoPoint,
    band_km: float = BAND_KM,
) -> list[StationHit]:
    """Every station the car can use within ``band_km`` of the route line."""
    length_km = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    step_km = band_km / 2.0
    count = max(2, math.ceil(length_km / 1000.0 / step_km) + 1)
    radius_m = math.hypot(band_km, step_km) * 1000.0
    plugs = frozenset(vehicle.connectors)
    if vehicle.swap_operator_ids:
        plugs |= {ConnectorStandard.SWAP}
    found: dict[str, StationHit] = {}
    for centre in great_circle_points(origin, destination, count):
        after: tuple[float, str] | None = None
        for _ in range(MAX_PAGES):
            query = NearQuery(
                centre, radius_m, StationFilter(connectors=plugs), MAX_LIMIT, after
            )
            page = stations.find_stations_near(query)
            for hit in page.items:
                if hit.summary.id not in found and usable_by(vehicle, hit):
                    found[hit.summary.id] = hit
            last = page.items[-1] if page.items else None
            if page.next_cursor is None or last is None or last.distance_m is None:
                break
            after = (last.distance_m, last.summary.id)
    return [
        h
        for h in found.values()
        if off_route_km(origin, destination, _point(h)) <= band_km
    ]


def off_route_km(origin: GeoPoint, destination: GeoPoint, point: GeoPoint) -> float:
    """Distance from ``point`` to the segment origin-destination (planar, km)."""
    total = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    from_start = distance_m(origin.lat, origin.lon, point.lat, point.lon)
    to_end = distance_m(point.lat, point.lon, destination.lat, destination.lon)
    if total < 1.0:
        return from_start / 1000.0
    along = (from_start**2 - to_end**2 + total**2) / (2 * total)
    if along <= 0:
        return from_start / 1000.0
    if along >= total:
        return to_end / 1000.0
    return math.sqrt(max(from_start**2 - along**2, 0.0)) / 1000.0


def reach(
    vehicle: VehicleModel,
    hits: Sequence[StationHit],
    origin: GeoPoint,
    destination: GeoPoint,
    window: Window,
) -> Reach:
    """A chain of the fewest stations from start to destination, or the gap."""
    points = [origin, *(_point(h) for h in hits), destination]
    hop = np.array(
        [
            vehicle.range_km(window.start_soc - window.floor),
            *(
                vehicle.range_km(
                    (100.0 if h.summary.is_swap else window.target) - window.floor
                )
                for h in hits
            ),
            0.0,
        ]
    )
    lat = np.radians([p.lat for p in points])
    lon = np.radians([p.lon for p in points])
    parent = _search(lat, lon, hop)
    end = len(points) - 1
    if parent[end] >= 0:
        chain: list[int] = []
        node = int(parent[end])
        while node > 0:
            chain.append(node)
            node = int(parent[node])
        return Reach(tuple(hits[i - 1] for i in reversed(chain)), None)
    return Reach(None, _gap(vehicle, hits, points, parent, window))


def _search(lat: FloatArray, lon: FloatArray, hop: FloatArray) -> npt.NDArray[np.int64]:
    """Breadth-first over the hop graph; parent index per node, -1 if unreached
    (the origin, node 0, is its own parent)."""
    size = lat.size
    parent = np.full(size, -1, dtype=np.int64)
    parent[0] = 0
    frontier = [0]
    while frontier and parent[-1] < 0:
        unreached = np.nonzero(parent < 0)[0]
        nxt: list[int] = []
        for node in frontier:
            if unreached.size == 0:
                break
            km = road_km_array(_straight_km(lat, lon, node, unreached))
            newly = unreached[km <= hop[node]]
            parent[newly] = node
            nxt.extend(int(n) for n in newly)
            unreached = unreached[km > hop[node]]
        frontier = nxt
    return parent


def _straight_km(
    lat: FloatArray, lon: FloatArray, i: int, others: npt.NDArray[np.int64]
) -> FloatArray:
    dlat = lat[others] - lat[i]
    dlon = lon[others] - lon[i]
    h = (
        np.sin(dlat / 2) ** 2
        + np.cos(lat[i]) * np.cos(lat[others]) * np.sin(dlon / 2) ** 2
    )
    result: FloatArray = 2 * EARTH_RADIUS_M / 1000.0 * np.arcsin(np.sqrt(h.clip(0, 1)))
    return result


def _gap(
    vehicle: VehicleModel,
    hits: Sequence[StationHit],
    points: Sequence[GeoPoint],
    parent: npt.NDArray[np.int64],
    window: Window,
) -> Gap:
    """From the reached point farthest along the route to the nearest unreached
    usable place beyond it."""
    origin, destination = points[0], points[-1]
    along = [_along_km(origin, destination, p) for p in points]
    along[0], along[-1] = 0.0, _along_km(origin, destination, destination)
    reached = [i for i in range(len(points)) if parent[i] >= 0]
    far = max(reached, key=lambda i: along[i])
    beyond = [i for i in range(len(points)) if parent[i] < 0 and along[i] > along[far]]
    nxt = min(beyond, key=lambda i: along[i]) if beyond else len(points) - 1
    lat = np.radians([points[far].lat, points[nxt].lat])
    lon = np.radians([points[far].lon, points[nxt].lon])
    bridge = float(road_km_array(_straight_km(lat, lon, 0, np.array([1])))[0])
    return Gap(
        _name(hits, far, len(points), "the start"),
        along[far],
        _name(hits, nxt, len(points), "the destination"),
        along[nxt],
        bridge,
        vehicle.range_km(window.target - window.floor),
    )


def _name(hits: Sequence[StationHit], i: int, size: int, end: str) -> str:
    if i == 0 or i == size - 1:
        return end
    return hits[i - 1].summary.name


def _along_km(origin: GeoPoint, destination: GeoPoint, point: GeoPoint) -> float:
    total = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    from_start = distance_m(origin.lat, origin.lon, point.lat, point.lon)
    to_end = distance_m(point.lat, point.lon, destination.lat, destination.lon)
    if total < 1.0:
        return 0.0
    return max(0.0, (from_start**2 - to_end**2 + total**2) / (2 * total) / 1000.0)


def _point(hit: StationHit) -> GeoPoint:
    return GeoPoint(hit.summary.lat, hit.summary.lon)

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
from evroam.catalogue.search import StationFilter, StationPoint
from evroam.recommend.ports import StationSource
from evroam.recommend.road import road_km_array
from evroam.recommend.trip_corridor import great_circle_points
from evroam.recommend.vehicle import VehicleModel
from evroam.shared.geo import EARTH_RADIUS_M, GeoPoint, bbox_around, distance_m

FloatArray = npt.NDArray[np.float64]

BAND_KM = 50.0
"""How far from the straight line the search looks for stations."""
EXACT_UP_TO = 3_000
"""Stations searched one by one; above this the search runs on cells."""
CELL_KM = (5.0, 1.0)
"""Cell sizes tried in turn while the widened and narrowed searches disagree."""
MAX_CELLS = 12_000
"""No finer cells than this many (a bound on the work in dense regions)."""
KM_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0 / 1000.0


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

    path: tuple[StationPoint, ...] | None
    gap: Gap | None


def usable_by(vehicle: VehicleModel, point: StationPoint) -> bool:
    """The car can charge or swap there now."""
    if not point.is_usable:
        return False
    if point.is_swap:
        return point.operator_id in vehicle.swap_operator_ids
    plugs = vehicle.connectors - {ConnectorStandard.SWAP}
    return bool(point.connectors & plugs)


def band_points(
    stations: StationSource,
    vehicle: VehicleModel,
    origin: GeoPoint,
    destination: GeoPoint,
    band_km: float = BAND_KM,
) -> list[StationPoint]:
    """Every station the car can use within ``band_km`` of the route line: one
    light query per stretch of the route (positions, no prices or piles)."""
    length_km = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    step_km = 2.0 * band_km
    count = max(2, math.ceil(length_km / 1000.0 / step_km) + 1)
    radius_m = math.hypot(band_km, step_km / 2.0) * 1000.0
    plugs = frozenset(vehicle.connectors)
    if vehicle.swap_operator_ids:
        plugs |= {ConnectorStandard.SWAP}
    found: dict[str, StationPoint] = {}
    for centre in great_circle_points(origin, destination, count):
        box = bbox_around(centre.lat, centre.lon, radius_m)
        for point in stations.find_station_points(box, StationFilter(connectors=plugs)):
            if point.id not in found and usable_by(vehicle, point):
                found[point.id] = point
    kept = [
        p
        for p in found.values()
        if off_route_km(origin, destination, GeoPoint(p.lat, p.lon)) <= band_km
    ]
    return _route_order(kept, origin, destination, band_km)


def _route_order(
    points: list[StationPoint], origin: GeoPoint, destination: GeoPoint, band_km: float
) -> list[StationPoint]:
    """Stations in the order the search meets them, which breaks its ties:
    by the first of the circles every ``band_km / 2`` along the route (radius
    hypot(band, band / 2)) that holds them, then nearest its centre first."""
    if not points:
        return points
    length_km = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    count = max(2, math.ceil(length_km / 1000.0 / (band_km / 2.0)) + 1)
    centres = great_circle_points(origin, destination, count)
    clat = np.radians([c.lat for c in centres])[None, :]
    clon = np.radians([c.lon for c in centres])[None, :]
    plat = np.radians([p.lat for p in points])[:, None]
    plon = np.radians([p.lon for p in points])[:, None]
    h = (
        np.sin((clat - plat) / 2) ** 2
        + np.cos(plat) * np.cos(clat) * np.sin((clon - plon) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_M / 1000.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    inside = km <= math.hypot(band_km, band_km / 2.0)
    first = np.where(inside.any(axis=1), inside.argmax(axis=1), len(centres))
    near = km[np.arange(len(points)), np.minimum(first, len(centres) - 1)]
    order = sorted(
        range(len(points)), key=lambda i: (int(first[i]), float(near[i]), points[i].id)
    )
    return [points[i] for i in order]


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
    points: Sequence[StationPoint],
    origin: GeoPoint,
    destination: GeoPoint,
    window: Window,
    exact_up_to: int = EXACT_UP_TO,
) -> Reach:
    """A chain of the fewest stations from start to destination, or the gap.

    Up to ``exact_up_to`` stations the search runs station by station. Above
    it, stations are merged into cells (one node per cell and kind, at the
    cell's first station by id): a search with every hop widened by two cell
    diagonals that finds no way proves there is none; a search between the
    nodes' own stations that finds a way gives a chain of real stations. When
    the two disagree the cells shrink (5 km, then 1 km) while there are at most
    ``MAX_CELLS`` of them; if they still disagree the second answer stands: a
    way that needs a hop within a few kilometres of the car's range may be
    missed (ADR 0047).
    """
    if len(points) <= exact_up_to:
        each = _Nodes.of_stations(vehicle, points, origin, destination, window)
        parent = _search(each.lat, each.lon, each.hop)
        return _answer(vehicle, each, parent, parent, window)
    wide = narrow = np.zeros(0, dtype=np.int64)
    nodes: _Nodes | None = None
    for cell_km in CELL_KM:
        cells = _Nodes.of_cells(vehicle, points, origin, destination, window, cell_km)
        if nodes is not None and cells.lat.size > MAX_CELLS:
            break
        nodes = cells
        # A station lies within a cell's diagonal of its cell's first station,
        # at either end of a hop: two diagonals widen every hop enough.
        wide = _search(nodes.lat, nodes.lon, nodes.hop, -2.0 * cell_km * math.sqrt(2))
        narrow = np.zeros(0, dtype=np.int64)
        if wide[-1] < 0:
            break  # no way even with the slack: there is none
        narrow = _search(nodes.lat, nodes.lon, nodes.hop)
        if narrow[-1] >= 0:
            break  # a way between real stations
    assert nodes is not None
    return _answer(vehicle, nodes, narrow if narrow.size else wide, wide, window)


@dataclass(frozen=True, slots=True)
class _Nodes:
    """Search nodes: the origin, stations (or cells of them), the destination.
    ``stop`` is the station each middle node stands for."""

    lat: FloatArray  # radians
    lon: FloatArray
    hop: FloatArray  # road km a hop from the node may be
    along: list[float]  # km along the route
    stop: list[StationPoint]

    @classmethod
    def of_stations(
        cls,
        vehicle: VehicleModel,
        points: Sequence[StationPoint],
        origin: GeoPoint,
        destination: GeoPoint,
        window: Window,
    ) -> _Nodes:
        return cls._build(vehicle, list(points), origin, destination, window)

    @classmethod
    def of_cells(
        cls,
        vehicle: VehicleModel,
        points: Sequence[StationPoint],
        origin: GeoPoint,
        destination: GeoPoint,
        window: Window,
        cell_km: float,
    ) -> _Nodes:
        """One node per (cell, kind), at the cell's first station by id."""
        deg = cell_km / KM_PER_DEGREE
        first: dict[tuple[int, int, bool], StationPoint] = {}
        for p in sorted(points, key=lambda p: p.id):
            key = (math.floor(p.lat / deg), math.floor(p.lon / deg), p.is_swap)
            first.setdefault(key, p)
        return cls._build(vehicle, list(first.values()), origin, destination, window)

    @classmethod
    def _build(
        cls,
        vehicle: VehicleModel,
        stops: list[StationPoint],
        origin: GeoPoint,
        destination: GeoPoint,
        window: Window,
    ) -> _Nodes:
        charge = vehicle.range_km(window.target - window.floor)
        swap = vehicle.range_km(100.0 - window.floor)
        hop = np.array(
            [
                vehicle.range_km(window.start_soc - window.floor),
                *(swap if p.is_swap else charge for p in stops),
                0.0,
            ]
        )
        places = [origin, *(GeoPoint(p.lat, p.lon) for p in stops), destination]
        along = [_along_km(origin, destination, g) for g in places]
        along[0], along[-1] = 0.0, _along_km(origin, destination, destination)
        return cls(
            np.radians([g.lat for g in places]),
            np.radians([g.lon for g in places]),
            hop,
            along,
            stops,
        )

    def name(self, i: int, end: str) -> str:
        return end if i == 0 or i == len(self.along) - 1 else self.stop[i - 1].name


def _answer(
    vehicle: VehicleModel,
    nodes: _Nodes,
    parent: npt.NDArray[np.int64],
    wide: npt.NDArray[np.int64],
    window: Window,
) -> Reach:
    end = len(nodes.along) - 1
    if parent[end] >= 0:
        chain: list[int] = []
        node = int(parent[end])
        while node > 0:
            chain.append(node)
            node = int(parent[node])
        return Reach(tuple(nodes.stop[i - 1] for i in reversed(chain)), None)
    return Reach(None, _gap(vehicle, nodes, wide, window))


def _search(
    lat: FloatArray, lon: FloatArray, hop: FloatArray, slack_km: float = 0.0
) -> npt.NDArray[np.int64]:
    """Breadth-first over the hop graph; parent index per node, -1 if unreached
    (the origin, node 0, is its own parent). ``slack_km`` is added to every
    straight distance (negative: hops widened)."""
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
            straight = _straight_km(lat, lon, node, unreached) + slack_km
            km = road_km_array(np.maximum(straight, 0.0))
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
    nodes: _Nodes,
    parent: npt.NDArray[np.int64],
    window: Window,
) -> Gap:
    """From the reached point farthest along the route to the nearest unreached
    usable place beyond it."""
    along = nodes.along
    size = len(along)
    reached = [i for i in range(size) if parent[i] >= 0]
    far = max(reached, key=lambda i: along[i])
    beyond = [i for i in range(size) if parent[i] < 0 and along[i] > along[far]]
    nxt = min(beyond, key=lambda i: along[i]) if beyond else size - 1
    lat = np.array([nodes.lat[far], nodes.lat[nxt]])
    lon = np.array([nodes.lon[far], nodes.lon[nxt]])
    bridge = float(road_km_array(_straight_km(lat, lon, 0, np.array([1])))[0])
    return Gap(
        nodes.name(far, "the start"),
        along[far],
        nodes.name(nxt, "the destination"),
        along[nxt],
        bridge,
        vehicle.range_km(window.target - window.floor),
    )


def _along_km(origin: GeoPoint, destination: GeoPoint, point: GeoPoint) -> float:
    total = distance_m(origin.lat, origin.lon, destination.lat, destination.lon)
    from_start = distance_m(origin.lat, origin.lon, point.lat, point.lon)
    to_end = distance_m(point.lat, point.lon, destination.lat, destination.lon)
    if total < 1.0:
        return 0.0
    return max(0.0, (from_start**2 - to_end**2 + total**2) / (2 * total) / 1000.0)

"""Coverage of expressway service areas by swap and by DC-fast stations."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evroam.shared.geo import distance_m

COVERAGE_RADIUS_M = 2_000.0
DC_FAST_KW = 60.0
SERVICE_AREA_TAG = "service-area:"
_BUCKET_DEG = 0.05  # > 2 km in latitude; longitude buckets are checked ±1 as well


@dataclass(frozen=True, slots=True)
class AreaPoint:
    """An expressway service area (both carriageways as one site)."""

    id: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """What coverage needs to know about a station."""

    lat: float
    lon: float
    is_swap: bool
    dc_power_kw: float  # highest DC pile power; 0 for AC-only and swap-only sites
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coverage:
    areas: int
    swap_covered: tuple[str, ...]
    dc_fast_covered: tuple[str, ...]

    @property
    def swap_share(self) -> float:
        return len(self.swap_covered) / self.areas if self.areas else 0.0

    @property
    def dc_fast_share(self) -> float:
        return len(self.dc_fast_covered) / self.areas if self.areas else 0.0


def _bucket(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _BUCKET_DEG), math.floor(lon / _BUCKET_DEG)


def _tagged_area(site: SiteFacts) -> str | None:
    for tag in site.tags:
        if tag.startswith(SERVICE_AREA_TAG):
            return tag.removeprefix(SERVICE_AREA_TAG)
    return None


class _SiteIndex:
    """Sites bucketed on a coarse grid, plus sites tagged with their area."""

    def __init__(self, sites: Iterable[SiteFacts]) -> None:
        self.buckets: dict[tuple[int, int], list[SiteFacts]] = {}
        self.tagged: dict[str, list[SiteFacts]] = {}
        for site in sites:
            self.buckets.setdefault(_bucket(site.lat, site.lon), []).append(site)
            area_id = _tagged_area(site)
            if area_id is not None:
                self.tagged.setdefault(area_id, []).append(site)

    def serving(self, area: AreaPoint, radius_m: float) -> list[SiteFacts]:
        row, col = _bucket(area.lat, area.lon)
        near = [
            site
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            for site in self.buckets.get((row + dr, col + dc), ())
            if distance_m(area.lat, area.lon, site.lat, site.lon) <= radius_m
        ]
        return near + self.tagged.get(area.id, [])


def service_area_coverage(
    areas: Sequence[AreaPoint],
    sites: Iterable[SiteFacts],
    radius_m: float = COVERAGE_RADIUS_M,
    min_dc_kw: float = DC_FAST_KW,
) -> Coverage:
    """Which service areas have a swap station, and a DC pile ≥ ``min_dc_kw``,
    within ``radius_m`` of the area point or tagged ``service-area:<id>``."""
    if radius_m > 5_000:
        raise ValueError("radius_m above 5 km is not a service area's own site")
    index = _SiteIndex(sites)
    swap: list[str] = []
    dc: list[str] = []
    for area in areas:
        serving = index.serving(area, radius_m)
        if any(s.is_swap for s in serving):
            swap.append(area.id)
        if any(s.dc_power_kw >= min_dc_kw for s in serving):
            dc.append(area.id)
    return Coverage(len(areas), tuple(swap), tuple(dc))

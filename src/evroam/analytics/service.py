"""Network analytics use-cases for the platform operator (docs/analytics.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from evroam.analytics.coverage import AreaPoint, Coverage, service_area_coverage
from evroam.analytics.kanon import DEFAULT_K
from evroam.analytics.network import (
    DEFAULT_TIME_ZONE,
    Grouping,
    Heatmap,
    HotSpot,
    SharedHotSpots,
    UnderservedArea,
    UtilisationRow,
    Window,
    heatmap_from_hours,
)
from evroam.analytics.ports import NetworkEngine
from evroam.shared.clock import Clock


class NetworkAnalyticsService:
    """Reports over the last N days, up to now."""

    def __init__(
        self,
        engine: NetworkEngine,
        clock: Clock,
        areas: Callable[[], Sequence[AreaPoint]] = tuple,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._areas = areas  # the expressway service areas, found when first asked

    def window(self, days: int) -> Window:
        end = self._clock.now()
        return Window(end - timedelta(days=days), end)

    def utilisation(self, by: Grouping, days: int) -> tuple[UtilisationRow, ...]:
        return self._engine.utilisation(self.window(days), by)

    def occupancy(self, days: int, time_zone: str = DEFAULT_TIME_ZONE) -> Heatmap:
        return heatmap_from_hours(self._engine.hourly(self.window(days)), time_zone)

    def hotspots(self, days: int, top: int) -> tuple[HotSpot, ...]:
        return self._engine.hotspots(self.window(days), top)

    def shared_hotspots(
        self, days: int, top: int, k: int = DEFAULT_K
    ) -> SharedHotSpots:
        return self._engine.shared_hotspots(self.window(days), k, top)

    def underserved(self, days: int, top: int) -> tuple[UnderservedArea, ...]:
        return self._engine.underserved(self.window(days), top)

    def coverage(self) -> tuple[Coverage, tuple[AreaPoint, ...]]:
        """Service-area coverage, and the areas it was measured on."""
        areas = tuple(self._areas())
        return service_area_coverage(areas, self._engine.sites()), areas

"""What network analytics needs: an engine that sums history over a window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evroam.analytics.coverage import SiteFacts
from evroam.analytics.network import (
    Grouping,
    HotSpot,
    HourTotals,
    SharedHotSpots,
    UnderservedArea,
    UtilisationRow,
    Window,
)


class NetworkEngine(Protocol):
    """Computes the reports of docs/analytics.md from the pile status history
    and the hub's charge sessions (one engine serves the API and is what
    benchmarks/analytics.py measures: DuckDB over the Parquet archive)."""

    def utilisation(
        self, window: Window, by: Grouping
    ) -> tuple[UtilisationRow, ...]: ...

    def hourly(self, window: Window) -> tuple[HourTotals, ...]:
        """Busy and observed pile-hours of every UTC hour of the window."""
        ...

    def hotspots(self, window: Window, top: int) -> tuple[HotSpot, ...]: ...

    def shared_hotspots(self, window: Window, k: int, top: int) -> SharedHotSpots:
        """Hot spots with no cell under ``k`` drivers (pooled, else withheld)."""
        ...

    def underserved(self, window: Window, top: int) -> tuple[UnderservedArea, ...]: ...

    def sites(self) -> Sequence[SiteFacts]: ...

"""What the catalogue needs from storage."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from evroam.catalogue.model import Operator, Station
from evroam.catalogue.search import (
    BoxQuery,
    Candidate,
    Cluster,
    NearQuery,
    OperatorStats,
    StationFilter,
    StationPoint,
    StationSummary,
)
from evroam.pricing.elements import ElementTariff, TariffVersion
from evroam.pricing.tariff import Tariff
from evroam.shared.geo import BoundingBox
from evroam.shared.ids import OperatorId, PileId, StationId, TariffId


class StationRepository(Protocol):
    """Stations, their piles and tariffs, with geo search.

    ``candidates_*`` apply every filter except price (which needs the clock)
    and return rows in result order, already past the query's ``after`` mark;
    they may return more than ``limit`` rows, never fewer than exist up to it.
    """

    def save_operator(self, operator: Operator) -> None: ...

    def list_operator_stats(self) -> Sequence[OperatorStats]: ...

    def find_operator(self, operator_id: OperatorId) -> Operator | None: ...

    def save_tariffs(self, tariffs: Iterable[Tariff]) -> None: ...

    def tariffs_by_id(self, ids: Iterable[TariffId]) -> dict[TariffId, Tariff]: ...

    def save_tariff_versions(
        self, tariffs: Iterable[ElementTariff], valid_from: datetime
    ) -> int:
        """A new version of each canonical tariff that differs from its newest
        one, in force from ``valid_from``; how many were stored."""
        ...

    def tariff_version_at(
        self, tariff_id: TariffId, at: datetime | None = None
    ) -> TariffVersion | None:
        """The version in force at ``at`` (the newest when None); before the
        first version's ``valid_from``, the first one; None: no version."""
        ...

    def tariff_generation(self) -> int:
        """Grows whenever any tariff version is stored (in any process)."""
        ...

    def save_stations(
        self, stations: Iterable[Station], keep_status: bool = False
    ) -> int:
        """Insert or replace stations with their piles; returns how many.

        With ``keep_status`` a pile the hub already holds keeps its status and
        status time (statuses then arrive as order-safe reports).
        """
        ...

    def find_station(self, station_id: StationId) -> Station | None: ...

    def find_stations(self, station_ids: Sequence[StationId]) -> list[Station]:
        """Those of the stations that exist, in the order asked."""
        ...

    def find_station_of_pile(self, pile_id: PileId) -> Station | None: ...

    def summaries_named(self, text: str, limit: int) -> Sequence[StationSummary]:
        """Up to ``limit`` stations whose name or address contains ``text``."""
        ...

    def candidates_near(self, query: NearQuery, want: int) -> Sequence[Candidate]:
        """At least ``want`` nearest matches (all, if fewer exist), nearest first."""
        ...

    def candidates_in_box(self, query: BoxQuery, want: int) -> Sequence[Candidate]: ...

    def points_in_box(
        self, box: BoundingBox, station_filter: StationFilter
    ) -> Sequence[StationPoint]:
        """Every station inside ``box`` passing the filter (price aside)."""
        ...

    def summaries(self, ids: Sequence[StationId]) -> Sequence[StationSummary]:
        """Summaries in the order of ``ids``."""
        ...

    def clusters(self, box: BoundingBox, cell_deg: float) -> Sequence[Cluster]: ...

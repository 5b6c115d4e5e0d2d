"""What recommendation needs from the world: roads, stations, occupancy history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from evroam.catalogue.search import NearQuery, StationFilter, StationPage, StationPoint
from evroam.catalogue.service import StationDetail
from evroam.recommend.availability import HistoricShare
from evroam.recommend.reliability import PileTrack
from evroam.shared.geo import BoundingBox, GeoPoint
from evroam.shared.ids import OperatorId, PileId, StationId


@dataclass(frozen=True, slots=True)
class Leg:
    """A drive by road; ``distance_km`` is ``inf`` when no road connects."""

    distance_km: float
    minutes: float


class RoadDistance(Protocol):
    """Road distance and drive time (embedded default: ``road.GreatCircleRoads``)."""

    def route(self, origin: GeoPoint, destination: GeoPoint) -> Leg: ...

    def route_many(self, origin: GeoPoint, points: Sequence[GeoPoint]) -> Sequence[Leg]:
        """One leg from ``origin`` to each point, in order (a one-to-many table)."""
        ...


class StationSource(Protocol):
    """Stations with live pile status and tariffs (``CatalogueService`` fits)."""

    def find_stations_near(self, query: NearQuery) -> StationPage: ...

    def find_stations_near_many(
        self, queries: Sequence[NearQuery]
    ) -> Sequence[StationPage]:
        """The first page of each query, read together."""
        ...

    def find_station_points(
        self, box: BoundingBox, station_filter: StationFilter
    ) -> Sequence[StationPoint]: ...

    def get_station(self, station_id: StationId) -> StationDetail: ...

    def get_stations(self, station_ids: Sequence[StationId]) -> list[StationDetail]:
        """Those of the stations that exist, in the order asked, read together."""
        ...


class OccupancyHistory(Protocol):
    """Expected share of a station's piles in use at a local time (0..1)."""

    def expected_utilisation(self, station_id: StationId, local: datetime) -> float: ...


class AvailabilityHistory(Protocol):
    """The learned hour-of-week table of stations (ADR 0039): cheap to ask."""

    def share(
        self, station_id: StationId, operator_id: OperatorId, hour_of_week: int
    ) -> HistoricShare | None:
        """The station's share, else its operator's, else the network's; None
        when nothing has been learned yet."""
        ...


class PileReliability(Protocol):
    """Each pile's recent record, learned from its history (ADR 0040)."""

    def track(self, pile_id: PileId) -> PileTrack | None:
        """None: nothing against the pile (a score of 100)."""
        ...

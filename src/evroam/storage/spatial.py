"""Spatial indexes: SQLite R*Tree and PostGIS geography, behind one small interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Select, select, text
from sqlalchemy.sql.elements import ColumnElement

from evroam.shared.geo import BoundingBox, bbox_around
from evroam.storage.tables import stations

# A little slack so float rounding at the box edge never loses a station; the
# exact great-circle test happens in Python afterwards.
_EDGE_SLACK_DEG = 1e-9


class SpatialIndex(Protocol):
    def index(self, conn: Connection, rows: Sequence[tuple[int, float, float]]) -> None:
        """Add or move (sid, lat, lon) points."""
        ...

    def forget(self, conn: Connection, sids: Sequence[int]) -> None: ...

    def in_box(self, box: BoundingBox) -> ColumnElement[bool]:
        """A WHERE clause selecting (at least) the stations inside ``box``."""
        ...

    def near(self, lat: float, lon: float, radius_m: float) -> ColumnElement[bool]:
        """A WHERE clause selecting (at least) the stations within ``radius_m``."""
        ...


class SqliteRtreeIndex:
    def index(self, conn: Connection, rows: Sequence[tuple[int, float, float]]) -> None:
        if rows:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO station_rtree VALUES (?, ?, ?, ?, ?)",
                [(sid, lat, lat, lon, lon) for sid, lat, lon in rows],
            )

    def forget(self, conn: Connection, sids: Sequence[int]) -> None:
        if sids:
            conn.exec_driver_sql(
                "DELETE FROM station_rtree WHERE id = ?", [(sid,) for sid in sids]
            )

    def in_box(self, box: BoundingBox) -> ColumnElement[bool]:
        return text(
            "stations.sid IN (SELECT id FROM station_rtree WHERE "
            "min_lat >= :min_lat AND max_lat <= :max_lat AND "
            "min_lon >= :min_lon AND max_lon <= :max_lon)"
        ).bindparams(**_bounds(box))  # type: ignore[return-value]

    def near(self, lat: float, lon: float, radius_m: float) -> ColumnElement[bool]:
        return self.in_box(bbox_around(lat, lon, radius_m))


class PostgisIndex:
    def index(self, conn: Connection, rows: Sequence[tuple[int, float, float]]) -> None:
        if rows:
            conn.execute(
                text(
                    "UPDATE stations SET geog = ST_SetSRID("
                    "ST_MakePoint(:lon, :lat), 4326)::geography WHERE sid = :sid"
                ),
                [{"sid": sid, "lat": lat, "lon": lon} for sid, lat, lon in rows],
            )

    def forget(self, conn: Connection, sids: Sequence[int]) -> None:
        """Nothing to do: the point lives in the row itself."""

    def in_box(self, box: BoundingBox) -> ColumnElement[bool]:
        # Matches the expression index ix_stations_geom (engine.create_schema):
        # a lon/lat box is a planar box, which geography's && is not.
        return text(
            "(stations.geog::geometry) && ST_MakeEnvelope("
            ":min_lon, :min_lat, :max_lon, :max_lat, 4326)"
        ).bindparams(**_bounds(box))  # type: ignore[return-value]

    def near(self, lat: float, lon: float, radius_m: float) -> ColumnElement[bool]:
        # Sphere distance (use_spheroid false) like ours; slack for float noise,
        # the exact great-circle test runs in Python afterwards.
        return text(
            "ST_DWithin(stations.geog, ST_SetSRID(ST_MakePoint(:plon, :plat), 4326)"
            "::geography, :pradius, false)"
        ).bindparams(  # type: ignore[return-value]
            plat=lat, plon=lon, pradius=radius_m * 1.0001 + 1.0
        )


def _bounds(box: BoundingBox) -> dict[str, float]:
    return {
        "min_lat": box.min_lat - _EDGE_SLACK_DEG,
        "max_lat": box.max_lat + _EDGE_SLACK_DEG,
        "min_lon": box.min_lon - _EDGE_SLACK_DEG,
        "max_lon": box.max_lon + _EDGE_SLACK_DEG,
    }


def base_candidate_select() -> Select[Any]:
    c = stations.c
    return select(c.sid, c.id, c.lat, c.lon, c.tariff_id, c.time_zone)

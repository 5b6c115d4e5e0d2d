"""Spatial indexes: SQLite R*Tree and PostGIS geography, behind one small interface."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Float,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from evroam.shared.geo import EARTH_RADIUS_M, BoundingBox, bbox_around
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

    def near_clause(self) -> ColumnElement[bool]:
        """A WHERE clause selecting (at least) the stations within the circle
        that ``near_params`` binds: built once, bound per query."""
        ...

    def near_params(
        self, lat: float, lon: float, radius_m: float
    ) -> dict[str, float]: ...

    def distance_key(self, conn: Connection) -> ColumnElement[float] | None:
        """An ORDER BY key growing with the great-circle distance from the point
        that ``key_params`` binds (None: this database cannot compute one)."""
        ...

    def key_params(self, lat: float, lon: float) -> dict[str, float]: ...

    def key_at_least(self, distance_m: float) -> float:
        """A key no larger than that of a station ``distance_m`` away."""
        ...


class SqliteRtreeIndex:
    def __init__(self) -> None:
        self._has_math: bool | None = None

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

    def near_clause(self) -> ColumnElement[bool]:
        return text(  # type: ignore[return-value]
            "stations.sid IN (SELECT id FROM station_rtree WHERE "
            "min_lat >= :min_lat AND max_lat <= :max_lat AND "
            "min_lon >= :min_lon AND max_lon <= :max_lon)"
        )

    def near_params(self, lat: float, lon: float, radius_m: float) -> dict[str, float]:
        return _bounds(bbox_around(lat, lon, radius_m))

    def distance_key(self, conn: Connection) -> ColumnElement[float] | None:
        # The haversine term (monotonic in distance). SQLite's math functions
        # are a build option: without them the rows are sorted in Python.
        if self._has_math is None:
            try:
                conn.exec_driver_sql("SELECT sin(0.5) * cos(0.5)").all()
                self._has_math = True
            except DBAPIError:
                self._has_math = False
        if not self._has_math:
            return None
        c = stations.c
        half = math.pi / 360.0
        dlat = func.sin((c.lat - bindparam("klat", type_=Float)) * half)
        dlon = func.sin((c.lon - bindparam("klon", type_=Float)) * half)
        key: ColumnElement[float] = dlat * dlat + bindparam(
            "kcos", type_=Float
        ) * func.cos(c.lat * (math.pi / 180.0)) * (dlon * dlon)
        return key

    def key_params(self, lat: float, lon: float) -> dict[str, float]:
        return {"klat": lat, "klon": lon, "kcos": math.cos(math.radians(lat))}

    def key_at_least(self, distance_m: float) -> float:
        half = min(distance_m / EARTH_RADIUS_M / 2.0, math.pi / 2.0)
        return math.sin(half) ** 2 * (1.0 - 1e-9) - 1e-18


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

    def near_clause(self) -> ColumnElement[bool]:
        # Sphere distance (use_spheroid false) like ours; slack for float noise,
        # the exact great-circle test runs in Python afterwards.
        return text(  # type: ignore[return-value]
            "ST_DWithin(stations.geog, ST_SetSRID(ST_MakePoint(:plon, :plat), 4326)"
            "::geography, :pradius, false)"
        )

    def near_params(self, lat: float, lon: float, radius_m: float) -> dict[str, float]:
        return {"plat": lat, "plon": lon, "pradius": radius_m * 1.0001 + 1.0}

    def distance_key(
        self,
        conn: Connection,  # noqa: ARG002 - PostGIS always has the functions
    ) -> ColumnElement[float] | None:
        point = func.ST_SetSRID(
            func.ST_MakePoint(
                bindparam("klon", type_=Float), bindparam("klat", type_=Float)
            ),
            4326,
        )
        key: ColumnElement[float] = func.ST_Distance(
            literal_column("stations.geog"), func.geography(point), False
        )
        return key

    def key_params(self, lat: float, lon: float) -> dict[str, float]:
        return {"klat": lat, "klon": lon}

    def key_at_least(self, distance_m: float) -> float:
        return distance_m * (1.0 - 1e-6) - 1.0


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

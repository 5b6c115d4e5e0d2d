"""``RoadDistance`` over an OSRM HTTP server (route and table services, v1).

OSRM API v5: ``GET /route/v1/{profile}/{lon},{lat};{lon},{lat}`` returns
``routes[0].distance`` (m) and ``.duration`` (s); ``GET /table/v1/...`` with
``sources=0&annotations=distance,duration`` returns one row of each. A cell of
``null`` means no route: that point is unreachable by road.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import httpx

from evroam.recommend.ports import Leg, RoadDistance
from evroam.shared.errors import EvroamError
from evroam.shared.geo import GeoPoint

NO_ROUTE = Leg(math.inf, math.inf)
TABLE_CHUNK = 100  # keep URLs short; osrm-routed's default max-table-size is 100


class RoutingUnavailableError(EvroamError):
    """The routing server did not answer usefully."""


class OsrmRoadDistance:
    """Road legs from OSRM; with ``fallback``, failures use that port instead."""

    def __init__(
        self,
        base_url: str,
        client: httpx.Client,
        profile: str = "driving",
        fallback: RoadDistance | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = client
        self._profile = profile
        self._fallback = fallback

    def route(self, origin: GeoPoint, destination: GeoPoint) -> Leg:
        try:
            body = self._get("route", [origin, destination], {"overview": "false"})
            routes = body.get("routes") or []
            if body.get("code") == "NoRoute" or not routes:
                return NO_ROUTE
            return Leg(routes[0]["distance"] / 1000.0, routes[0]["duration"] / 60.0)
        except RoutingUnavailableError:
            if self._fallback is None:
                raise
            return self._fallback.route(origin, destination)

    def route_many(self, origin: GeoPoint, points: Sequence[GeoPoint]) -> list[Leg]:
        legs: list[Leg] = []
        try:
            for start in range(0, len(points), TABLE_CHUNK - 1):
                legs += self._table(origin, points[start : start + TABLE_CHUNK - 1])
        except RoutingUnavailableError:
            if self._fallback is None:
                raise
            return list(self._fallback.route_many(origin, points))
        return legs

    def _table(self, origin: GeoPoint, points: Sequence[GeoPoint]) -> list[Leg]:
        if not points:
            return []
        params = {"sources": "0", "annotations": "distance,duration"}
        body = self._get("table", [origin, *points], params)
        try:
            distances = body["distances"][0][1:]
            durations = body["durations"][0][1:]
        except (KeyError, IndexError, TypeError) as exc:
            raise RoutingUnavailableError("OSRM table answer has no rows") from exc
        return [
            NO_ROUTE if d is None or t is None else Leg(d / 1000.0, t / 60.0)
            for d, t in zip(distances, durations, strict=True)
        ]

    def _get(
        self, service: str, points: Sequence[GeoPoint], params: dict[str, str]
    ) -> dict[str, Any]:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        url = f"{self._base}/{service}/v1/{self._profile}/{coords}"
        try:
            response = self._client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise RoutingUnavailableError(f"OSRM unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise RoutingUnavailableError(f"OSRM answered {response.status_code}")
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise RoutingUnavailableError("OSRM answered with no JSON") from exc
        if body.get("code") not in ("Ok", "NoRoute"):
            raise RoutingUnavailableError(f"OSRM: {body.get('code')}")
        return body

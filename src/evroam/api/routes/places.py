"""Place search and the offline map's schematic: /api/v1/places, /basemap/schematic."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from evroam.api.deps import ServicesDep
from evroam.scenario.cities import CITIES, CITY_BY_KEY
from evroam.scenario.corridors import CORRIDORS
from evroam.scenario.gazetteer import search_places
from evroam.shared.geo import GeoPoint

router = APIRouter(prefix="/api/v1", tags=["places"])

STATION_ZOOM = 16


class PlacePublic(BaseModel):
    kind: str  # province, city, district, corridor or station
    name: str
    name_zh: str
    lat: float
    lon: float
    zoom: int
    context: str
    station_id: str | None = None


class PlaceList(BaseModel):
    items: list[PlacePublic]


@router.get("/places", response_model=PlaceList)
def find_places(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=60)],
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
) -> PlaceList:
    """Places (Chinese, pinyin or English) then stations by name or address,
    nearest ``lat``/``lon`` first among equals."""
    near = (lat, lon) if lat is not None and lon is not None else None
    places = [
        PlacePublic(
            kind=p.kind.value,
            name=p.name,
            name_zh=p.name_zh,
            lat=p.lat,
            lon=p.lon,
            zoom=p.zoom,
            context=p.context,
        )
        for p in search_places(q, near, limit)
    ]
    point = GeoPoint(*near) if near else None
    stations = [
        PlacePublic(
            kind="station",
            name=s.name,
            name_zh=s.name,
            lat=s.lat,
            lon=s.lon,
            zoom=STATION_ZOOM,
            context=s.address,
            station_id=s.id,
        )
        for s in services.catalogue.find_stations_named(q, point, limit)
    ]
    # Half the list for stations when both kinds match, the rest for places.
    room = limit - min(len(stations), limit // 2)
    return PlaceList(items=(places[:room] + stations)[:limit])


@cache
def _schematic() -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for corridor in CORRIDORS:
        for leg in corridor.legs:
            line = [[CITY_BY_KEY[k].lon, CITY_BY_KEY[k].lat] for k in leg]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": line},
                    "properties": {
                        "kind": "corridor",
                        "code": corridor.code,
                        "name": corridor.name,
                        "name_zh": corridor.name_zh,
                    },
                }
            )
    for city in CITIES:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [city.lon, city.lat]},
                "properties": {
                    "kind": "city",
                    "name": city.name,
                    "name_zh": city.name_zh,
                    "tier": city.tier.value,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@router.get(
    "/basemap/schematic",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def basemap_schematic() -> JSONResponse:
    """GeoJSON of the scenario's cities and expressway corridors, drawn city to city
    (a schematic, not surveyed roads: docs/map.md)."""
    return JSONResponse(
        _schematic(),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )

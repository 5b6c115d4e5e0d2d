"""Station search and detail: GET /api/v1/stations[/clusters|/{id}]."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Response

from evroam.api.deps import ServicesDep
from evroam.api.schemas.stations import (
    ClusterList,
    ClusterPublic,
    PriceOutlook,
    StationDetailPublic,
    StationPage,
    StationPublic,
    cluster_public,
    hour_price_public,
    station_detail_public,
    station_public,
    with_outlook,
    with_reliability,
)
from evroam.catalogue.errors import InvalidQueryError
from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import (
    MAX_LIMIT,
    BoxQuery,
    NearQuery,
    StationFilter,
    summarise,
)
from evroam.catalogue.service import box_after, near_after
from evroam.shared.datum import Datum, from_wgs84, to_wgs84
from evroam.shared.geo import BoundingBox, GeoPoint
from evroam.shared.ids import OperatorId, StationId

router = APIRouter(prefix="/api/v1", tags=["stations"])

BBOX_HELP = "minlon,minlat,maxlon,maxlat (degrees, in the datum asked; WGS-84 default)"
ArriveInQuery = Annotated[
    float,
    Query(
        ge=0,
        le=720,
        description="minutes from now the driver would arrive: free_chance is "
        "for then (ADR 0039)",
    ),
]
DatumQuery = Annotated[
    Datum,
    Query(
        description="datum of the coordinates sent (lat/lon, bbox) and returned: "
        "wgs84 (default; OpenStreetMap, GPS), gcj02 (Amap, Tencent tiles) or bd09 "
        "(Baidu). Stations are stored in WGS-84 (ADR 0030)."
    ),
]


def _point(lat: float, lon: float, datum: Datum) -> GeoPoint:
    return GeoPoint(*to_wgs84(lat, lon, datum))


def _box(box: BoundingBox, datum: Datum) -> BoundingBox:
    """A client's box in WGS-84 (each corner converted)."""
    if datum is Datum.WGS84:
        return box
    lat1, lon1 = to_wgs84(box.min_lat, box.min_lon, datum)
    lat2, lon2 = to_wgs84(box.max_lat, box.max_lon, datum)
    return BoundingBox(
        min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2)
    )


_Located = TypeVar("_Located", StationPublic, StationDetailPublic, ClusterPublic)


def _shown_in(item: _Located, datum: Datum) -> _Located:
    """``item`` with its WGS-84 lat/lon written in the client's datum."""
    if datum is Datum.WGS84:
        return item
    lat, lon = from_wgs84(item.lat, item.lon, datum)
    return item.model_copy(update={"lat": round(lat, 6), "lon": round(lon, 6)})


def parse_bbox(text: str) -> BoundingBox:
    parts = text.split(",")
    if len(parts) != 4:
        raise InvalidQueryError("bbox", f"must be {BBOX_HELP}")
    try:
        values = [float(p) for p in parts]
        return BoundingBox(*values)
    except ValueError as exc:
        raise InvalidQueryError("bbox", f"{exc} (expected {BBOX_HELP})") from exc


def station_filter(
    connector: Annotated[list[ConnectorStandard] | None, Query()] = None,
    min_power_kw: Annotated[float | None, Query(ge=0, le=2000)] = None,
    operator: Annotated[list[str] | None, Query()] = None,
    available: bool | None = None,
    is_swap: bool | None = None,
    max_price_per_kwh: Annotated[Decimal | None, Query(ge=0, le=100)] = None,
) -> StationFilter:
    return StationFilter(
        connectors=frozenset(connector or ()),
        min_power_kw=min_power_kw,
        operator_ids=frozenset(OperatorId(o) for o in operator or ()),
        is_available=available,
        is_swap=is_swap,
        max_price_per_kwh=max_price_per_kwh,
    )


@router.get("/stations", response_model=StationPage)
def list_stations(
    services: ServicesDep,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_km: Annotated[float, Query(gt=0, le=1000)] = 10.0,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    connector: Annotated[list[ConnectorStandard] | None, Query()] = None,
    min_power_kw: Annotated[float | None, Query(ge=0, le=2000)] = None,
    operator: Annotated[list[str] | None, Query()] = None,
    available: bool | None = None,
    is_swap: bool | None = None,
    max_price_per_kwh: Annotated[Decimal | None, Query(ge=0, le=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    datum: DatumQuery = Datum.WGS84,
    arrive_in_min: ArriveInQuery = 30.0,
) -> Response:
    """Stations near a point (nearest first) or inside a box (by id), filtered."""
    f = station_filter(
        connector, min_power_kw, operator, available, is_swap, max_price_per_kwh
    )
    if lat is not None and lon is not None:
        if bbox is not None:
            raise InvalidQueryError("bbox", "give either lat/lon or bbox, not both")
        query = NearQuery(
            _point(lat, lon, datum), radius_km * 1000.0, f, limit, near_after(cursor)
        )
        page = services.catalogue.find_stations_near(query)
    elif bbox is not None:
        if lat is not None or lon is not None:
            raise InvalidQueryError("lat", "give either lat/lon or bbox, not both")
        box = _box(parse_bbox(bbox), datum)
        box_query = BoxQuery(box, f, limit, box_after(cursor))
        page = services.catalogue.find_stations_in_box(box_query)
    else:
        raise InvalidQueryError("lat", "give lat and lon (with radius_km) or bbox")
    body = StationPage(
        items=[
            with_outlook(
                _shown_in(station_public(hit), datum),
                services.outlook.outlook(hit.summary, arrive_in_min),
            )
            for hit in page.items
        ],
        next_cursor=page.next_cursor,
    )
    # Built and checked once above; FastAPI would validate it a second time.
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/stations/clusters", response_model=ClusterList)
def list_clusters(
    services: ServicesDep,
    bbox: Annotated[str, Query(description=BBOX_HELP)],
    zoom: Annotated[int, Query(ge=0, le=22)],
    datum: DatumQuery = Datum.WGS84,
) -> ClusterList:
    """Stations grouped in grid cells, for maps at low zoom (national scale)."""
    clusters = services.catalogue.clusters(_box(parse_bbox(bbox), datum), zoom)
    return ClusterList(clusters=[_shown_in(cluster_public(c), datum) for c in clusters])


@router.get("/stations/{station_id}", response_model=StationDetailPublic)
def get_station(
    services: ServicesDep,
    station_id: str,
    datum: DatumQuery = Datum.WGS84,
    arrive_in_min: ArriveInQuery = 30.0,
) -> StationDetailPublic:
    """One station with every pile's live status and its full time-of-use tariff."""
    detail = services.catalogue.get_station(StationId(station_id))
    outlook = services.outlook.outlook(summarise(detail.station), arrive_in_min)
    shown = with_outlook(_shown_in(station_detail_public(detail), datum), outlook)
    return with_reliability(shown, services.outlook.pile_tracks(detail.station))


@router.get("/stations/{station_id}/prices", response_model=PriceOutlook)
def get_price_outlook(
    services: ServicesDep,
    station_id: str,
    hours: Annotated[int, Query(ge=1, le=168)] = 24,
) -> PriceOutlook:
    """Electricity and service fee per kWh for each hour from now (time of use)."""
    outlook = services.catalogue.price_outlook(StationId(station_id), hours)
    return PriceOutlook(items=[hour_price_public(at, p) for at, p in outlook])

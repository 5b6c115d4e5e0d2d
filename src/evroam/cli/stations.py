"""``evroam stations near``: find stations around a point."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evroam.catalogue.model import ConnectorStandard
from evroam.catalogue.search import MAX_LIMIT, NearQuery, StationFilter, StationHit
from evroam.cli.hub import open_hub
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.pricing.tariff import IdleFee
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId

app = typer.Typer(help="Search the station catalogue.", no_args_is_help=True)


@app.command("near")
def near(
    lat: Annotated[float, typer.Argument(min=-90, max=90, help="Latitude, WGS-84.")],
    lon: Annotated[float, typer.Argument(min=-180, max=180, help="Longitude, WGS-84.")],
    radius_km: Annotated[float, typer.Option(min=0.001, max=1000)] = 10.0,
    connector: Annotated[
        list[ConnectorStandard] | None, typer.Option(help="Repeat for several.")
    ] = None,
    min_power_kw: Annotated[float | None, typer.Option(min=0)] = None,
    operator: Annotated[list[str] | None, typer.Option(help="Operator id.")] = None,
    available: Annotated[
        bool, typer.Option("--available", help="Only stations with a free pile now.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=MAX_LIMIT)] = 20,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Stations within --radius-km of LAT LON, nearest first."""
    query = NearQuery(
        GeoPoint(lat, lon),
        radius_km * 1000.0,
        StationFilter(
            connectors=frozenset(connector or ()),
            min_power_kw=min_power_kw,
            operator_ids=frozenset(OperatorId(o) for o in operator or ()),
            is_available=True if available else None,
        ),
        limit,
    )
    services = open_hub(db, needs_stations=True)
    try:
        page = services.catalogue.find_stations_near(query)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps([hit_json(h) for h in page.items], indent=2))
        return
    _print_table(page.items)


def hit_json(hit: StationHit) -> dict[str, Any]:
    s, price = hit.summary, hit.price_now
    return {
        "id": s.id,
        "name": s.name,
        "operator": s.operator_id,
        "lat": s.lat,
        "lon": s.lon,
        "address": s.address,
        "distance_m": None if hit.distance_m is None else round(hit.distance_m, 1),
        "piles": {
            "free": s.piles.free,
            "busy": s.piles.busy,
            "offline": s.piles.offline,
            "unknown": s.piles.unknown,
            "total": s.piles.total,
        },
        "max_power_kw": s.max_power_kw,
        "connectors": sorted(s.connectors),
        "price_now": {
            "electricity_per_kwh": _price(price.electricity_per_kwh),
            "service_per_kwh": _price(price.service_per_kwh),
            "total_per_kwh": _price(price.total_per_kwh),
            "currency": price.currency,
            "period": price.kind.value,
        },
        "parking": {
            "free_minutes": s.parking.free_minutes,
            "fee_per_hour": str(s.parking.fee_per_hour.amount),
        },
        "idle_fee": _idle_json(price.idle),
        "is_swap": s.is_swap,
    }


def _idle_json(idle: IdleFee | None) -> dict[str, Any] | None:
    if idle is None:
        return None
    return {
        "grace_minutes": idle.grace_minutes,
        "per_minute": _price(idle.per_minute),
        "cap": None if idle.cap is None else f"{idle.cap:.2f}",
    }


def _idle_text(idle: IdleFee | None) -> str:
    if idle is None:
        return ""
    cap = "" if idle.cap is None else f", cap ¥{idle.cap:.2f}"
    return f"; idle ¥{idle.per_minute:.2f}/min after {idle.grace_minutes} min{cap}"


def _price(value: Decimal) -> str:
    return f"{value:.4f}"


def _print_table(hits: tuple[StationHit, ...]) -> None:
    table = Table(title=f"{len(hits)} stations, nearest first")
    for column in (
        "station",
        "operator",
        "km",
        "free/total",
        "max kW",
        "¥/kWh now",
        "parking, idle fee",
    ):
        table.add_column(column)
    for hit in hits:
        s, price = hit.summary, hit.price_now
        fee = s.parking.fee_per_hour.amount
        parking = (
            "free"
            if s.parking.is_free
            else f"{s.parking.free_minutes} min free, ¥{fee}/h"
        )
        table.add_row(
            s.name,
            s.operator_id,
            f"{(hit.distance_m or 0) / 1000:.2f}",
            f"{s.piles.free}/{s.piles.total}",
            f"{s.max_power_kw:g}",
            f"{price.total_per_kwh:.4f} ({price.kind.value})",
            parking + _idle_text(price.idle),
        )
    Console().print(table)

"""``evroam recommend``: where to charge or swap now, ranked and explained."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evroam.cli.hub import open_hub
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.recommend.request import Recommendation, RecommendRequest
from evroam.recommend.scoring import Objective, Option
from evroam.recommend.vehicles import get_vehicle
from evroam.shared.errors import InvalidInputError
from evroam.shared.geo import GeoPoint
from evroam.shared.ids import OperatorId


def _point(value: str, field: str) -> GeoPoint:
    try:
        lat, lon = (float(part) for part in value.split(","))
        return GeoPoint(lat, lon)
    except ValueError as exc:
        raise InvalidInputError(field, "must be LAT,LON in degrees") from exc


def recommend(
    vehicle: Annotated[
        str, typer.Option("--vehicle", help="Vehicle model id (GET /api/v1/vehicles).")
    ],
    soc: Annotated[float, typer.Option("--soc", min=0, max=100, help="SoC now, %.")],
    at: Annotated[str, typer.Option("--at", help="Where the car is: LAT,LON.")],
    to: Annotated[
        str | None, typer.Option("--to", help="Optional destination: LAT,LON.")
    ] = None,
    target_soc: Annotated[float, typer.Option(min=0, max=100)] = 80.0,
    min_arrival_soc: Annotated[float, typer.Option(min=0, max=100)] = 10.0,
    prefer: Annotated[Objective, typer.Option(help="Rank by this.")] = (
        Objective.BALANCED
    ),
    max_detour_km: Annotated[float | None, typer.Option(min=0)] = None,
    operator: Annotated[list[str] | None, typer.Option(help="Operator id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 5,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """The best places to charge or swap from --at with --soc, each explained."""
    request = RecommendRequest(
        vehicle=get_vehicle(vehicle),
        soc_percent=soc,
        position=_point(at, "--at"),
        destination=None if to is None else _point(to, "--to"),
        target_soc_percent=target_soc,
        min_arrival_soc_percent=min_arrival_soc,
        objective=prefer,
        max_detour_km=max_detour_km,
        operator_ids=frozenset(OperatorId(o) for o in operator or ()),
        limit=limit,
    )
    services = open_hub(db, needs_stations=True)
    try:
        answer = services.recommend.recommend(request)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(answer_json(answer), indent=2, ensure_ascii=False))
        return
    Console().print(_table(answer))


def option_json(option: Option) -> dict[str, Any]:
    return {
        "kind": option.kind.value,
        "station_id": option.station_id,
        "station_name": option.station_name,
        "operator": option.operator_id,
        "drive_km": option.drive_km,
        "drive_minutes": option.drive_minutes,
        "detour_km": option.detour_km,
        "arrival_soc": option.arrival_soc,
        "expected_wait_minutes": option.wait_minutes,
        "charge_minutes": option.charge_minutes,
        "final_soc": option.final_soc,
        "energy_kwh": str(option.energy_kwh),
        "cost": str(option.cost.amount),
        "total_minutes": option.total_minutes,
        "why": option.explanation,
    }


def answer_json(answer: Recommendation) -> dict[str, Any]:
    return {
        "reachable_km": round(answer.reachable_km, 1),
        "evaluated": len(answer.evaluated),
        "options": [option_json(o) for o in answer.options],
    }


def _table(answer: Recommendation) -> Table:
    table = Table(title=f"{len(answer.options)} options, best first")
    for column in ("#", "station", "km", "arrive %", "wait", "charge", "¥", "why"):
        table.add_column(column)
    for i, o in enumerate(answer.options, start=1):
        table.add_row(
            str(i),
            o.station_name,
            f"{o.drive_km:.1f}",
            f"{o.arrival_soc:.0f}",
            f"{o.wait_minutes:.0f} min",
            f"{o.charge_minutes:.0f} min",
            str(o.cost.amount),
            o.explanation,
        )
    return table

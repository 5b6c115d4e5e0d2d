"""``evroam trip``: plan charging and swap stops from A to B."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evroam.cli.hub import open_hub
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.recommend.trip import StopPlan, TripObjective, TripPlan, TripRequest
from evroam.shared.errors import InvalidInputError
from evroam.shared.geo import GeoPoint


def parse_point(text: str, option: str) -> GeoPoint:
    """``"39.9042,116.4074"`` (lat,lon) as a point; anything else is a usage error."""
    try:
        lat_text, lon_text = text.split(",")
        return GeoPoint(float(lat_text), float(lon_text))
    except ValueError as exc:
        raise InvalidInputError(option, f"expected LAT,LON, got {text!r}") from exc


def trip(
    vehicle: Annotated[
        str, typer.Option("--vehicle", help="Catalogue id, e.g. xiaomi-su7.")
    ],
    soc: Annotated[
        float, typer.Option("--soc", min=0, max=100, help="State of charge now, %.")
    ],
    origin: Annotated[str, typer.Option("--from", help="LAT,LON of the start.")],
    destination: Annotated[str, typer.Option("--to", help="LAT,LON of the end.")],
    prefer: Annotated[
        TripObjective, typer.Option("--prefer", help="Minimise time or cost.")
    ] = TripObjective.TIME,
    min_arrival_soc: Annotated[
        float, typer.Option(min=0, max=100, help="Never arrive below this %.")
    ] = 10.0,
    target_soc_max: Annotated[
        float, typer.Option(min=0, max=100, help="Never charge above this %.")
    ] = 90.0,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Plan a trip: where to charge or swap, how long, at what cost."""
    request = TripRequest(
        vehicle=vehicle,
        soc_percent=soc,
        origin=parse_point(origin, "--from"),
        destination=parse_point(destination, "--to"),
        min_arrival_soc_percent=min_arrival_soc,
        target_soc_max_percent=target_soc_max,
        objective=prefer,
    )
    services = open_hub(db, needs_stations=True)
    try:
        plan = services.trips.plan(request)
    finally:
        services.close()
    if as_json:
        typer.echo(json.dumps(plan_json(plan), indent=2, ensure_ascii=False))
        return
    _print(plan)


def plan_json(plan: TripPlan) -> dict[str, Any]:
    return {
        "vehicle_id": plan.vehicle_id,
        "prefer": plan.objective.value,
        "departs_at": plan.departs_at.isoformat(),
        "arrives_at": plan.arrives_at.isoformat(),
        "total_minutes": round(plan.total_minutes, 1),
        "drive_minutes": round(plan.drive_minutes, 1),
        "total_cost": f"{plan.total_cost.amount:.2f}",
        "currency": plan.total_cost.currency,
        "total_km": round(plan.total_km, 1),
        "arrival_soc": round(plan.arrival_soc, 1),
        "notes": [note.text for note in plan.notes],
        "stops": [
            {
                "station_id": s.station.id,
                "name": s.station.name,
                "is_swap": s.is_swap,
                "power_kw": round(s.power_kw, 1),
                "is_ac": s.is_ac,
                "arrival_soc": round(s.arrival_soc, 1),
                "departure_soc": round(s.departure_soc, 1),
                "arrives_at": s.arrives_at.isoformat(),
                "wait_minutes": round(s.wait_minutes, 1),
                "charge_minutes": round(s.charge_minutes, 1),
                "energy_kwh": round(s.energy_kwh, 2),
                "cost": f"{s.cost.amount:.2f}",
                "alternatives": [a.id for a in s.alternatives],
            }
            for s in plan.stops
        ],
    }


def _print(plan: TripPlan) -> None:
    hours, minutes = divmod(round(plan.total_minutes), 60)
    table = Table(
        title=(
            f"{plan.total_km:.0f} km in {hours} h {minutes:02d} min, "
            f"¥{plan.total_cost.amount:.2f}, arriving with {plan.arrival_soc:.0f} %"
        )
    )
    for column in ("stop", "kind", "SoC in → out", "wait", "charge", "cost"):
        table.add_column(column)
    for stop in plan.stops:
        table.add_row(
            stop.station.name,
            _kind(stop),
            f"{stop.arrival_soc:.0f} % → {stop.departure_soc:.0f} %",
            f"{stop.wait_minutes:.0f} min",
            f"{stop.charge_minutes:.0f} min",
            f"¥{stop.cost.amount:.2f}",
        )
    console = Console()
    console.print(table)
    for note in plan.notes:
        console.print(f"note: {note.text}")


def _kind(stop: StopPlan) -> str:
    if stop.is_swap:
        return "swap"
    return f"{stop.power_kw:.0f} kW {'AC' if stop.is_ac else 'DC'}"

"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from evroam.shared.geo import BoundingBox
from evroam.storage.database import DEFAULT_DATABASE_URL

DEFAULT_DB = DEFAULT_DATABASE_URL

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="EVROAM_DATABASE_URL",
        help="sqlite:///path.db (default) or postgresql://host/db (PostGIS).",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]


def parse_bbox(text: str) -> BoundingBox:
    """``minlon,minlat,maxlon,maxlat`` (as the API's ``bbox``) or a usage error."""
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in text.split(","))
        return BoundingBox(min_lon, min_lat, max_lon, max_lat)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not minlon,minlat,maxlon,maxlat in degrees ({exc})"
        ) from exc


BboxOption = Annotated[
    BoundingBox | None,
    typer.Option(
        "--bbox",
        parser=parse_bbox,
        metavar="MINLON,MINLAT,MAXLON,MAXLAT",
        help="Only the partners' stations inside this box: a smaller, quicker demo "
        "(e.g. 120.8,30.9,121.9,31.6 is Shanghai and its neighbours).",
    ),
]

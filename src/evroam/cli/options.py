"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

DEFAULT_DB = "sqlite:///var/evroam.db"

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

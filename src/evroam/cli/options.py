"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

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

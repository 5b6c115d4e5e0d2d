"""``evroam serve``: the API and the map over an existing database."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from evroam.bootstrap import prepare_database
from evroam.cli.options import DEFAULT_DB, DbOption
from evroam.config import Settings


def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API processes.")] = 1,
    bus: Annotated[
        str | None,
        typer.Option(envvar="EVROAM_BUS_URL", help="redis://… to share live events."),
    ] = None,
) -> None:
    """Serve the map and the API at http://HOST:PORT (Ctrl-C stops)."""
    settings = Settings(database_url=db)
    settings.check_secrets()
    prepare_database(settings)
    os.environ["EVROAM_DATABASE_URL"] = db
    if bus:
        os.environ["EVROAM_BUS_URL"] = bus
    typer.echo(f"evroam: map at http://{host}:{port}/  API docs at /docs")
    uvicorn.run(
        "evroam.api.asgi:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )

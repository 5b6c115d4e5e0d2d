"""``evroam demo``: generate the reference scenario and serve it."""

from __future__ import annotations

from typing import Annotated

import typer

from evroam.cli.generate import ScenarioName, generate
from evroam.cli.serve import serve

DEMO_DB = "sqlite:///var/demo.db"


def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    db: Annotated[str, typer.Option("--db", help="Database for the demo.")] = DEMO_DB,
    seed: Annotated[int, typer.Option(help="Scenario seed.")] = 7,
) -> None:
    """Generate the reference scenario (3 partners, 29,000 piles) and serve the map."""
    generate(ScenarioName.REFERENCE, seed, db)
    serve(db, host, port, 1, None)

"""``evroam generate``: write a generated partner network into a database."""

from __future__ import annotations

import enum
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from evroam.bootstrap import build_services
from evroam.cli.options import DEFAULT_DB, DbOption
from evroam.config import Settings
from evroam.scenario.generator import national_scenario, reference_scenario
from evroam.storage.database import DatabaseAccess


class ScenarioName(enum.StrEnum):
    REFERENCE = "reference"
    NATIONAL = "national"


def generate(
    scenario: Annotated[
        ScenarioName,
        typer.Option(help="reference: 3 partners; national: ~1.6 M."),
    ] = ScenarioName.REFERENCE,
    seed: Annotated[int, typer.Option(help="Same seed, same network.")] = 7,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Generate a scenario (deterministic by seed) and load it into --db."""
    chosen = (
        reference_scenario(seed)
        if scenario is ScenarioName.REFERENCE
        else national_scenario(seed)
    )
    services = build_services(Settings(database_url=db), access=DatabaseAccess.UPGRADE)
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ) as progress:
            task = progress.add_task(
                f"{scenario.value} stations", total=chosen.expected_stations
            )
            saved = services.catalogue.import_network(
                chosen.operators,
                chosen.tariffs,
                chosen.iter_stations(),
                on_progress=lambda n: progress.advance(task, n),
            )
    finally:
        services.close()
    typer.echo(f"wrote {saved} stations ({chosen.expected_piles} piles) to {db}")

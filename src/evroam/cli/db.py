"""``evroam db upgrade``: create the hub's database or bring its schema up to date."""

from __future__ import annotations

from typing import Annotated

import typer

from evroam.bootstrap import upgrade_schema
from evroam.cli.options import DEFAULT_DB, DbOption
from evroam.config import Settings
from evroam.hub_secrets import ensure_secrets
from evroam.storage.database import shown

app = typer.Typer(help="The hub's database: schema migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    db: DbOption = DEFAULT_DB,
    init: Annotated[
        bool,
        typer.Option(
            "--init",
            help="Also create the data directory's secrets.json (admin token, "
            "keys) if it does not exist; existing values are kept.",
        ),
    ] = False,
) -> None:
    """Create the database, or upgrade its schema to this evroam's (keeps every row).

    A database made before migrations is stamped first, only if its schema
    equals the baseline; otherwise nothing changes and the differences are listed.
    """
    settings = Settings(database_url=db)
    if init:
        path = ensure_secrets(settings.data_dir)
        typer.echo(f"secrets (admin token, keys) in {path}, mode 0600")
        settings = Settings(database_url=db)
    done = upgrade_schema(settings)
    where = shown(db)
    if done.stamped:
        typer.echo(f"{where}: made before migrations, stamped at the baseline")
    if done.before == done.after:
        typer.echo(f"{where}: schema already at {done.after}")
    else:
        typer.echo(
            f"{where}: schema upgraded from {done.before or 'nothing'} to {done.after}"
        )

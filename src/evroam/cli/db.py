"""``evroam db upgrade``: create the hub's database or bring its schema up to date."""

from __future__ import annotations

import typer

from evroam.bootstrap import upgrade_schema
from evroam.cli.options import DEFAULT_DB, DbOption
from evroam.config import Settings
from evroam.storage.database import shown

app = typer.Typer(help="The hub's database: schema migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    db: DbOption = DEFAULT_DB,
) -> None:
    """Create the database, or upgrade its schema to this evroam's (keeps every row).

    A database made before migrations is stamped first, only if its schema
    equals the baseline; otherwise nothing changes and the differences are listed.
    """
    done = upgrade_schema(Settings(database_url=db))
    where = shown(db)
    if done.stamped:
        typer.echo(f"{where}: made before migrations, stamped at the baseline")
    if done.before == done.after:
        typer.echo(f"{where}: schema already at {done.after}")
    else:
        typer.echo(
            f"{where}: schema upgraded from {done.before or 'nothing'} to {done.after}"
        )

"""The ``evroam`` Typer application and its error handling."""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from evroam.cli import (
    db,
    demo,
    generate,
    partners,
    price,
    recommend,
    serve,
    settle,
    simulate,
    simulate_usage,
    stations,
    trip,
    vehicles,
)
from evroam.shared.errors import EvroamError

app = typer.Typer(
    name="evroam",
    help="One map, one account and one bill across EV charging networks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("generate")(generate.generate)
app.command("simulate-partner")(simulate.simulate_partner)
app.command("simulate-usage")(simulate_usage.simulate_usage)
app.command("price")(price.price)
app.command("settle")(settle.settle)
app.command("recommend")(recommend.recommend)
app.command("trip")(trip.trip)
app.add_typer(stations.app, name="stations")
app.add_typer(partners.app, name="partners")
app.add_typer(db.app, name="db")
app.add_typer(vehicles.app, name="vehicles")


def run() -> None:
    """Console entry point: usage and evroam errors become one line, exit code 2."""
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if isinstance(exc, NoArgsIsHelpError):
            exc.show()
        else:
            where = exc.ctx.command_path if exc.ctx else "evroam"
            typer.echo(
                f"evroam: error: {exc.format_message()} (try: {where} --help)", err=True
            )
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("evroam: aborted", err=True)
        sys.exit(130)
    except EvroamError as exc:
        typer.echo(f"evroam: error: {exc}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)

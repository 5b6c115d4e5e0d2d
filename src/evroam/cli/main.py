"""The ``evroam`` Typer application and its error handling."""

from __future__ import annotations

import sys

import typer

from evroam.cli import demo, generate, serve, stations
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
app.add_typer(stations.app, name="stations")


def run() -> None:
    """Console entry point: evroam errors become one line and exit code 2."""
    try:
        app()
    except EvroamError as exc:
        typer.echo(f"evroam: error: {exc}", err=True)
        sys.exit(2)

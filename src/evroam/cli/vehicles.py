"""``evroam vehicles import``: the vehicle catalogue from licensed open data."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evroam.cli.options import JsonOption
from evroam.recommend.vehicle_import import (
    CREDIT,
    ImportReport,
    import_vehicles,
    render_module,
)

app = typer.Typer(help="The vehicle catalogue.", no_args_is_help=True)

OED = "open-ev-data-dataset"
KILOWATT = "open-ev-data"


def packaged_data() -> Path:
    """The dataset copies shipped with evroam (``recommend/vehicle_data``)."""
    return Path(str(resources.files("evroam.recommend") / "vehicle_data"))


def packaged_module() -> Path:
    return Path(str(resources.files("evroam.recommend") / "vehicle_imported.py"))


def read_datasets(source: Path) -> tuple[dict[str, Any], list[Any]]:
    """The parsed JSON of both datasets under ``source`` (the layout of
    ``recommend/vehicle_data``)."""
    oed = source / OED
    files = {
        p.relative_to(oed).as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((oed / "src").rglob("*.json"))
    }
    kilowatt = [
        model
        for p in sorted((source / KILOWATT / "models").glob("*.json"))
        for model in json.loads(p.read_text(encoding="utf-8"))["models"]
    ]
    return files, kilowatt


@app.command("import")
def import_command(
    source: Annotated[
        Path | None,
        typer.Option(help="Folder holding the datasets (default: the shipped copies)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Module to write (default: evroam's vehicle_imported.py)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 if the module differs."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import China-market models (GB/T plugs) with their source and licence."""
    files, kilowatt = read_datasets(source or packaged_data())
    report = import_vehicles(files, kilowatt)
    target = output or packaged_module()
    text = render_module(report.vehicles)
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if not check and text != current:
        target.write_text(text, encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(_report_json(report, target), indent=2))
    else:
        _print(report, target, changed=text != current, check=check)
    if check and text != current:
        raise typer.Exit(1)


def _report_json(report: ImportReport, target: Path) -> dict[str, Any]:
    return {
        "module": str(target),
        "vehicles": len(report.vehicles),
        "with_curve": report.with_curve,
        "generic_curve": report.generic_curve,
        "skipped": list(report.skipped),
        "credit": CREDIT,
    }


def _print(report: ImportReport, target: Path, *, changed: bool, check: bool) -> None:
    table = Table(title=f"{len(report.vehicles)} China-market models imported")
    for column in ("brand", "models", "Open EV Data curve", "generic curve"):
        table.add_column(column)
    brands: dict[str, list[int]] = {}
    for v in report.vehicles:
        counts = brands.setdefault(v.brand, [0, 0, 0])
        counts[0] += 1
        counts[1 if v.curve_source == "open-ev-data" else 2] += 1
    for brand, (models, curved, generic) in sorted(brands.items()):
        table.add_row(brand, str(models), str(curved), str(generic))
    console = Console()
    console.print(table)
    for line in report.skipped:
        console.print(f"skipped {line}", soft_wrap=True)
    if check:
        console.print(
            f"{target} {'differs' if changed else 'is up to date'}", soft_wrap=True
        )
    else:
        console.print(
            f"{'wrote' if changed else 'unchanged:'} {target}", soft_wrap=True
        )
    console.print(CREDIT, soft_wrap=True)

"""``evroam partners``: onboard partners, watch feeds, import Locations files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from evroam.bootstrap import Services
from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.cli.hub import open_hub
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.partners.model import DEFAULT_STATUS_TTL_S, Partner, PartnerHealth
from evroam.shared.errors import EvroamError
from evroam.shared.ids import OperatorId
from evroam.storage.database import DatabaseAccess

app = typer.Typer(
    help="Onboard partner operators and watch their feeds.", no_args_is_help=True
)
T = TypeVar("T")


def _run(
    db: str,
    work: Callable[[Services], Coroutine[Any, Any, T]],
    access: DatabaseAccess = DatabaseAccess.READ,
) -> T:
    services = open_hub(db, access)
    try:
        return asyncio.run(work(services))
    finally:
        services.close()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


@app.command("add")
def add(
    name: Annotated[str, typer.Option(help="Partner id, e.g. swapway (lower case).")],
    protocol: Annotated[Protocol, typer.Option(help="ocpi or tcec.")],
    url: Annotated[
        str, typer.Option(help="OCPI versions URL, or T/CEC base URL (…/evcs/v1).")
    ],
    profile: Annotated[OperatorProfile, typer.Option(help="swap, fast or community.")],
    display_name: Annotated[str | None, typer.Option(help="Name drivers see.")] = None,
    token_a: Annotated[
        str | None, typer.Option(help="OCPI: the TOKEN_A the CPO gave us.")
    ] = None,
    operator_id: Annotated[
        str | None, typer.Option(help="T/CEC: the partner's OperatorID.")
    ] = None,
    operator_secret: Annotated[
        str | None, typer.Option(help="T/CEC: OperatorSecret.")
    ] = None,
    data_secret: Annotated[
        str | None, typer.Option(help="T/CEC: DataSecret (16 chars).")
    ] = None,
    data_secret_iv: Annotated[
        str | None, typer.Option(help="T/CEC: DataSecretIV (16 chars).")
    ] = None,
    sig_secret: Annotated[str | None, typer.Option(help="T/CEC: SigSecret.")] = None,
    spelling: Annotated[
        str,
        typer.Option(
            help="T/CEC spelling profile: standard (T/CEC 102.3's four 'Sevice'"
            " fields) or service (all 'Service', as some vendors write)."
        ),
    ] = "standard",
    datum: Annotated[
        str,
        typer.Option(
            help="T/CEC: the datum of the partner's coordinates: gcj02 (as Chinese"
            " platforms publish, the default), bd09 (Baidu) or wgs84."
        ),
    ] = "gcj02",
    status_ttl_s: Annotated[
        int, typer.Option(min=30, help="Piles silent this long show unknown.")
    ] = DEFAULT_STATUS_TTL_S,
    sync: Annotated[
        bool, typer.Option(help="Pull the whole network after the handshake.")
    ] = True,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Handshake (OCPI credentials or T/CEC query_token), then pull the network."""
    if protocol is Protocol.OCPI:
        credentials = {"token_a": token_a or ""}
    else:
        credentials = {
            "operator_id": operator_id or "",
            "operator_secret": operator_secret or "",
            "data_secret": data_secret or "",
            "data_secret_iv": data_secret_iv or "",
            "sig_secret": sig_secret or "",
            "spelling": spelling,
            "datum": datum,
        }
    partner = Partner(
        id=OperatorId(name),
        name=display_name or name,
        protocol=protocol,
        profile=profile,
        url=url,
        credentials=credentials,
        status_ttl_s=status_ttl_s,
    )

    async def work(services: Services) -> PartnerHealth:
        with _progress() as progress:
            task = progress.add_task(f"pulling {name}", total=None)
            return await services.partners.add_partner(
                partner, sync=sync, on_progress=lambda n: progress.advance(task, n)
            )

    health = _run(db, work, DatabaseAccess.WRITE)
    _print([health], as_json)


@app.command("list")
def list_partners(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """Partners with feed health: last update, lag, errors, stale piles."""

    async def work(services: Services) -> list[PartnerHealth]:
        return services.partners.list_health()

    _print(_run(db, work), as_json)


@app.command("sync")
def sync_partner(
    name: Annotated[str, typer.Argument(help="Partner id.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Pull a partner's whole network again (full resync)."""

    async def work(services: Services) -> int:
        with _progress() as progress:
            task = progress.add_task(f"pulling {name}", total=None)
            return await services.partners.sync_partner(
                OperatorId(name), lambda n: progress.advance(task, n)
            )

    stations = _run(db, work)
    typer.echo(f"{name}: {stations} stations pulled")


# import-locations exit codes: 0 every Location imported, 3 some refused (the
# others imported), 1 nothing read (no such file, not JSON, not a Locations
# feed, no such partner: nothing changed).
SOME_REFUSED = 3


@app.command("import-locations")
def import_locations(
    file: Annotated[
        Path, typer.Argument(help="A Locations feed as JSON (OCPI 2.1.1, 2.2, 2.2.1).")
    ],
    partner: Annotated[str, typer.Option(help="Partner id whose catalogue it fills.")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Import a Locations file into a partner's catalogue; list what was refused."""
    try:
        body = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise _fail(f"{file} is not JSON: {exc}") from None

    async def work(services: Services) -> tuple[int, tuple[tuple[str, str], ...]]:
        return await services.import_location_file(OperatorId(partner), body)

    try:
        imported, refused = _run(db, work)
    except EvroamError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        rows = [{"id": name, "reason": why} for name, why in refused]
        typer.echo(json.dumps({"imported": imported, "refused": rows}))
    else:
        typer.echo(f"{partner}: {imported} locations imported, {len(refused)} refused")
        for name, why in refused:
            typer.echo(f"  refused {name}: {why}")
    if refused:
        raise typer.Exit(SOME_REFUSED)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"evroam: {message}", err=True)
    return typer.Exit(1)


def health_json(h: PartnerHealth) -> dict[str, Any]:
    f = h.feed
    return {
        "id": h.partner.id,
        "name": h.partner.name,
        "protocol": h.partner.protocol.value,
        "url": h.partner.url,
        "is_reachable": f.is_reachable,
        "stations": h.stations,
        "piles": h.piles,
        "unknown_piles": h.unknown_piles,
        "last_push_at": f.last_push_at.isoformat() if f.last_push_at else None,
        "lag_s": h.lag_s,
        "pushes_total": f.pushes_total,
        "changes_total": f.changes_total,
        "errors_total": f.errors_total,
        "last_error": f.last_error,
        "last_sync_at": f.last_sync_at.isoformat() if f.last_sync_at else None,
    }


def _print(items: list[PartnerHealth], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([health_json(h) for h in items], indent=2))
        return
    table = Table(title="partners")
    for column in (
        "partner",
        "protocol",
        "reachable",
        "stations",
        "piles",
        "stale",
        "last update",
        "lag s",
        "pushes",
        "errors",
    ):
        table.add_column(column)
    for h in items:
        f = h.feed
        table.add_row(
            h.partner.id,
            h.partner.protocol.value,
            "yes" if f.is_reachable else "NO",
            str(h.stations),
            str(h.piles),
            str(h.unknown_piles),
            f.last_push_at.strftime("%H:%M:%S") if f.last_push_at else "-",
            "-" if h.lag_s is None else f"{h.lag_s:.1f}",
            str(f.pushes_total),
            str(f.errors_total),
        )
    Console().print(table)

"""``evroam settle``: a partner's statement for a month, and its reconciliation."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from evroam.cli.hub import open_hub
from evroam.cli.options import DEFAULT_DB, DbOption, JsonOption
from evroam.pile_reports.service import PartnerReports
from evroam.settlement.model import Period, Reconciliation, Statement
from evroam.shared.errors import InvalidInputError
from evroam.shared.ids import OperatorId


def settle(
    partner: Annotated[str, typer.Option(help="Partner id, e.g. swapway.")],
    period: Annotated[
        str, typer.Option(help="Calendar month in station time (Asia/Shanghai).")
    ],
    reconcile: Annotated[
        bool,
        typer.Option("--reconcile", help="Also compare with the partner's records."),
    ] = False,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Print what we owe a partner for a month (and, with --reconcile, disputes)."""
    try:
        month = Period.parse(period)
    except InvalidInputError as exc:
        typer.echo(f"evroam: error: {exc} (try: evroam settle --help)", err=True)
        raise typer.Exit(2) from exc
    services = open_hub(db)
    try:
        partner_id = OperatorId(partner)
        if reconcile:
            result = asyncio.run(services.settlement.reconcile(partner_id, month))
            _show_reconciliation(result, as_json)
        else:
            statement = services.settlement.settle_period(partner_id, month)
            reports = services.pile_reports.list_reports(
                partner_id, month.starts_at, month.ends_at
            )
            _show_statement(statement, reports, as_json)
    finally:
        services.close()


def statement_json(s: Statement) -> dict[str, Any]:
    return {
        "partner_id": s.partner_id,
        "period": str(s.period),
        "sessions": s.sessions,
        "kwh": str(s.kwh),
        "electricity": str(s.electricity.amount),
        "service": str(s.service.amount),
        "parking": str(s.parking.amount),
        "amount_owed": str(s.amount_owed.amount),
        "discounts": str(s.discounts.amount),
        "currency": s.amount_owed.currency,
        "generated_at": s.generated_at.isoformat(),
    }


def reconciliation_json(r: Reconciliation) -> dict[str, Any]:
    def side(count: int, kwh: object, amount: object) -> dict[str, Any]:
        return {"count": count, "kwh": str(kwh), "amount": str(amount)}

    return {
        "statement": statement_json(r.statement),
        "ours": side(r.ours.count, r.ours.kwh, r.ours.amount.amount),
        "theirs": side(r.theirs.count, r.theirs.kwh, r.theirs.amount.amount),
        "is_reconciled": r.is_reconciled,
        "disputes": [
            {
                "partner_record_id": d.partner_record_id,
                "reason": str(d.reason),
                "ours": None if d.our_value is None else str(d.our_value),
                "theirs": None if d.their_value is None else str(d.their_value),
            }
            for d in r.disputes
        ],
    }


def reports_json(r: PartnerReports) -> dict[str, Any]:
    """Drivers' reports of the partner's piles in the period (never who)."""
    return {
        "broken": r.broken,
        "blocked": r.blocked,
        "piles": [
            {
                "pile_id": t.pile_id,
                "station_id": t.station_id,
                "broken": t.broken,
                "blocked": t.blocked,
                "last_reported_at": t.last_reported_at.isoformat(),
            }
            for t in r.piles
        ],
    }


def _show_statement(
    statement: Statement, reports: PartnerReports, as_json: bool
) -> None:
    if as_json:
        body = {**statement_json(statement), "pile_reports": reports_json(reports)}
        typer.echo(json.dumps(body, indent=2))
        return
    table = _statement_table(statement)
    table.add_row("pile reports, broken", str(reports.broken))
    table.add_row("pile reports, blocked", str(reports.blocked))
    Console().print(table)


def _statement_table(s: Statement) -> Table:
    table = Table(title=f"Statement {s.partner_id} {s.period}", show_header=False)
    table.add_column("line")
    table.add_column("value", justify="right")
    table.add_row("sessions", str(s.sessions))
    table.add_row("energy (kWh)", str(s.kwh))
    table.add_row("electricity", str(s.electricity))
    table.add_row("service", str(s.service))
    table.add_row("parking", str(s.parking))
    table.add_row("owed to the partner", str(s.amount_owed))
    table.add_row("discounts (platform)", str(s.discounts))
    return table


def _show_reconciliation(r: Reconciliation, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(reconciliation_json(r), indent=2))
        return
    console = Console()
    console.print(_statement_table(r.statement))
    sides = Table(title="Ours vs theirs")
    for column in ("side", "records", "kWh", "amount"):
        sides.add_column(column, justify="left" if column == "side" else "right")
    for name, t in (("ours", r.ours), ("theirs", r.theirs)):
        sides.add_row(name, str(t.count), str(t.kwh), str(t.amount))
    console.print(sides)
    if not r.disputes:
        console.print("reconciled: no disputes" if r.is_reconciled else "totals differ")
        return
    disputes = Table(title=f"{len(r.disputes)} disputes")
    for column in ("record", "reason", "ours", "theirs"):
        disputes.add_column(column)
    for d in r.disputes:
        ours = "-" if d.our_value is None else str(d.our_value)
        theirs = "-" if d.their_value is None else str(d.their_value)
        disputes.add_row(d.partner_record_id, str(d.reason), ours, theirs)
    console.print(disputes)

"""``evroam price``: price a charge from a tariff file and a session file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.table import Table

from evroam.catalogue.model import ParkingRule
from evroam.cli.options import JsonOption
from evroam.gateways.ocpi.pricing_mapping import (
    metered_periods_from_ocpi,
    read_ocpi_tariff,
)
from evroam.pricing.bill import Bill
from evroam.pricing.build import element_tariff
from evroam.pricing.elements import ElementTariff, MeteredPeriod
from evroam.pricing.engine import price_cdr_periods
from evroam.pricing.errors import InvalidSessionError, InvalidTariffError
from evroam.pricing.quote import PricedCharge, bill_lines, price_charge
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.protocols.ocpi_2_2_1.models import ChargingPeriod
from evroam.shared.errors import InvalidInputError
from evroam.shared.money import Money
from evroam.storage.codec import tariff_from_json

T = TypeVar("T")


def price(
    tariff: Annotated[
        Path,
        typer.Option("--tariff", help="Our time-of-use tariff JSON or an OCPI Tariff."),
    ],
    session: Annotated[
        Path,
        typer.Option(
            "--session", help="start/end/kwh/parking_minutes JSON, or OCPI periods."
        ),
    ],
    time_zone: Annotated[
        str, typer.Option("--time-zone", help="The station's IANA time zone.")
    ] = "Asia/Shanghai",
    as_json: JsonOption = False,
) -> None:
    """Price a charge line by line through the one engine (OCPI 2.2.1 tariffs)."""
    _checked("--time-zone", lambda: ZoneInfo(time_zone))
    tariff_body = _read(tariff, "--tariff")
    session_body = _read(session, "--session")
    canonical = _checked("--tariff", lambda: _canonical(tariff_body))
    if "charging_periods" in session_body:
        periods = _checked("--session", lambda: _periods(session_body))
        start = _checked("--session", lambda: _start(session_body))
        result = price_cdr_periods(
            canonical, periods, time_zone, session_started_at=start
        )
        lines = bill_lines(result)
        priced = PricedCharge(
            result, Bill.of(lines, result.energy_kwh, result.currency)
        )
    else:
        charge = _checked("--session", lambda: _session(session_body))
        priced = price_charge(canonical, None, charge, time_zone)
    if as_json:
        typer.echo(json.dumps(_as_json(priced), indent=2))
    else:
        Console().print(_table(priced))


def _canonical(body: dict[str, Any]) -> ElementTariff:
    """An OCPI Tariff (it has ``elements``) read as the spec says, or our
    time-of-use format built as one (ADR 0022)."""
    if "elements" in body:
        return read_ocpi_tariff(body)
    if "prices" not in body or "windows" not in body:
        raise InvalidTariffError(
            "--tariff", "neither an OCPI Tariff (elements) nor ours (prices, windows)"
        )
    tou = tariff_from_json(str(body.get("id", "cli")), json.dumps(body))
    parking = body.get("parking") or {}
    cap = parking.get("daily_cap")
    rule = ParkingRule(
        free_minutes=int(parking.get("free_minutes", 0)),
        fee_per_hour=Money.of(str(parking.get("fee_per_hour", "0")), tou.currency),
        daily_cap=None if cap is None else Money.of(str(cap), tou.currency),
    )
    return element_tariff(tou, rule)


def _checked(field: str, build: Callable[[], T]) -> T:
    """Run ``build``; malformed input becomes an InvalidInputError on ``field``."""
    try:
        return build()
    except InvalidInputError:
        raise
    except ZoneInfoNotFoundError as exc:  # a KeyError: catch it first
        raise InvalidInputError(field, f"unknown time zone: {exc}") from exc
    except (KeyError, IndexError, TypeError, ValueError, ArithmeticError) as exc:
        kind = "missing field" if isinstance(exc, KeyError) else "invalid value"
        raise InvalidInputError(field, f"{kind}: {exc}".splitlines()[0]) from exc


def _read(path: Path, field: str) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(field, f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInputError(field, f"{path} is not JSON: {exc.msg}") from exc
    if not isinstance(body, dict):
        raise InvalidInputError(field, f"{path} must hold a JSON object")
    return body


def _moment(value: str, field: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise InvalidSessionError(field, f"{value} needs a UTC offset (e.g. +08:00)")
    return moment


def _session(body: dict[str, Any]) -> ChargeSession:
    start, end = _moment(body["start"], "start"), _moment(body["end"], "end")
    parking = int(body.get("parking_minutes", 0))
    power = body.get("max_power_kw")
    power_kw = None if power is None else float(power)
    if "samples" in body:
        samples = tuple(
            EnergySample(_moment(at, "samples"), Decimal(str(kwh)))
            for at, kwh in body["samples"]
        )
        return ChargeSession(start, end, samples, parking, power_kw)
    return ChargeSession.flat(start, end, Decimal(str(body["kwh"])), parking, power_kw)


def _start(body: dict[str, Any]) -> datetime | None:
    start = body.get("start") or body.get("start_date_time")
    return None if start is None else _moment(start, "start")


def _periods(body: dict[str, Any]) -> tuple[MeteredPeriod, ...]:
    wire = [ChargingPeriod.model_validate(p) for p in body["charging_periods"]]
    if not wire:
        raise InvalidSessionError("charging_periods", "at least one period is needed")
    return metered_periods_from_ocpi(wire)


def _as_json(priced: PricedCharge) -> dict[str, Any]:
    result, bill = priced.element_bill, priced.bill
    incl = result.total_incl_vat
    return {
        "currency": result.currency,
        "tariff_id": result.tariff_id,
        "energy_kwh": str(bill.energy_kwh),
        "lines": [
            {
                "kind": line.kind.value,
                "period": line.period,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "amount": str(line.amount.amount),
                "text": line.describe(),
            }
            for line in bill.lines
        ],
        "elements": [
            {
                "dimension": line.dimension.value,
                "role": line.role.value,
                "element": line.element_index,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "price": str(line.price),
                "vat_percent": None
                if line.vat_percent is None
                else str(line.vat_percent),
                "cost_excl_vat": str(line.cost_excl_vat),
            }
            for line in result.lines
        ],
        "total_excl_vat": str(result.total_excl_vat.amount),
        "total_incl_vat": None if incl is None else str(incl.amount),
        "bound": result.bound,
        "partner_total": str(bill.partner_total.amount),
        "discount_total": str(bill.discount_total.amount),
        "driver_total": str(bill.driver_total.amount),
    }


def _table(priced: PricedCharge) -> Table:
    result, bill = priced.element_bill, priced.bill
    table = Table(title=f"Price ({result.currency})")
    for column in ("line", "quantity", "unit price", "amount"):
        table.add_column(column, justify="left" if column == "line" else "right")
    for line in bill.lines:
        sign = "-" if line.kind.value == "discount" else ""
        table.add_row(
            f"{line.kind.value}, {line.period}",
            f"{line.quantity} {line.unit}",
            str(line.unit_price),
            f"{sign}{line.amount.amount}",
        )
    table.add_section()
    bound = f" ({result.bound})" if result.bound else ""
    table.add_row(f"total excl. VAT{bound}", "", "", str(result.total_excl_vat.amount))
    incl = result.total_incl_vat
    table.add_row(
        "total incl. VAT", "", "", "n/a" if incl is None else str(incl.amount)
    )
    table.add_row("driver pays", "", "", str(bill.driver_total.amount))
    return table

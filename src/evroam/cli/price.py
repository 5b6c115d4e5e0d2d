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
    element_tariff_from_ocpi,
    metered_periods_from_ocpi,
)
from evroam.pricing.bill import Bill
from evroam.pricing.elements import (
    ElementBill,
    ElementTariff,
    MeteredPeriod,
    price_cdr_periods,
)
from evroam.pricing.errors import InvalidSessionError, InvalidTariffError
from evroam.pricing.periods import price_session, session_from_periods
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.pricing.tariff import Tariff
from evroam.protocols.ocpi_2_2_1.models import ChargingPeriod
from evroam.protocols.ocpi_2_2_1.models import Tariff as OcpiTariff
from evroam.shared.errors import InvalidInputError
from evroam.shared.money import Money
from evroam.storage.codec import tariff_from_json

T = TypeVar("T")
TouTariff = tuple[Tariff, ParkingRule]


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
    """Price a charge line by line: energy by period, service, parking, totals."""
    _checked("--time-zone", lambda: ZoneInfo(time_zone))
    tariff_body = _read(tariff, "--tariff")
    session_body = _read(session, "--session")
    if "elements" in tariff_body:
        element_tariff = _checked(
            "--tariff",
            lambda: element_tariff_from_ocpi(OcpiTariff.model_validate(tariff_body)),
        )
        result: Bill | ElementBill = _price_ocpi(
            element_tariff, session_body, time_zone
        )
    else:
        tou, parking = _checked("--tariff", lambda: _tou_tariff(tariff_body))
        charge = _checked("--session", lambda: _session(session_body))
        result = quote_charge(tou, parking, charge, time_zone)
    if as_json:
        typer.echo(json.dumps(_as_json(result), indent=2))
    else:
        Console().print(_table(result))


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


def _tou_tariff(body: dict[str, Any]) -> TouTariff:
    if "prices" not in body or "windows" not in body:
        raise InvalidTariffError(
            "--tariff", "neither an OCPI Tariff (elements) nor ours (prices, windows)"
        )
    tariff = tariff_from_json(str(body.get("id", "cli")), json.dumps(body))
    parking = body.get("parking") or {}
    cap = parking.get("daily_cap")
    return tariff, ParkingRule(
        free_minutes=int(parking.get("free_minutes", 0)),
        fee_per_hour=Money.of(str(parking.get("fee_per_hour", "0")), tariff.currency),
        daily_cap=None if cap is None else Money.of(str(cap), tariff.currency),
    )


def _moment(value: str, field: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise InvalidSessionError(field, f"{value} needs a UTC offset (e.g. +08:00)")
    return moment


def _session(body: dict[str, Any]) -> ChargeSession:
    if "charging_periods" in body:
        return session_from_periods(_periods(body), _start(body))
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


def _price_ocpi(
    tariff: ElementTariff, body: dict[str, Any], time_zone: str
) -> ElementBill:
    if "charging_periods" in body:
        periods = _checked("--session", lambda: _periods(body))
        start = _checked("--session", lambda: _start(body))
        return price_cdr_periods(tariff, periods, time_zone, session_started_at=start)
    charge = _checked("--session", lambda: _session(body))
    return price_session(tariff, charge, time_zone)


def _as_json(result: Bill | ElementBill) -> dict[str, Any]:
    if isinstance(result, Bill):
        return {
            "currency": result.currency,
            "energy_kwh": str(result.energy_kwh),
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
                for line in result.lines
            ],
            "partner_total": str(result.partner_total.amount),
            "discount_total": str(result.discount_total.amount),
            "driver_total": str(result.driver_total.amount),
        }
    incl = result.total_incl_vat
    return {
        "currency": result.currency,
        "tariff_id": result.tariff_id,
        "lines": [
            {
                "dimension": line.dimension.value,
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
    }


def _table(result: Bill | ElementBill) -> Table:
    table = Table(title=f"Price ({result.currency})")
    for column in ("line", "quantity", "unit price", "amount"):
        table.add_column(column, justify="left" if column == "line" else "right")
    if isinstance(result, Bill):
        for line in result.lines:
            sign = "-" if line.kind.value == "discount" else ""
            quantity = f"{line.quantity} {line.unit}"
            table.add_row(
                f"{line.kind.value}, {line.period}",
                quantity,
                str(line.unit_price),
                f"{sign}{line.amount.amount}",
            )
        table.add_section()
        table.add_row("owed to partner", "", "", str(result.partner_total.amount))
        table.add_row("discounts", "", "", f"-{result.discount_total.amount}")
        table.add_row("driver pays", "", "", str(result.driver_total.amount))
        return table
    for e in result.lines:
        cost = e.cost_excl_vat.quantize(Decimal("0.0001"))
        name = f"{e.dimension.value.lower()}, element {e.element_index}"
        table.add_row(name, f"{e.quantity:.4f} {e.unit}", str(e.price), str(cost))
    table.add_section()
    bound = f" ({result.bound})" if result.bound else ""
    table.add_row(f"total excl. VAT{bound}", "", "", str(result.total_excl_vat.amount))
    incl = result.total_incl_vat
    table.add_row(
        "total incl. VAT", "", "", "n/a" if incl is None else str(incl.amount)
    )
    return table

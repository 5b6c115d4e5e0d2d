"""Quote or bill a charge through the one engine: bill lines, parking, discounts.

``quote_charge`` prices a charge session under a station's canonical tariff
(an ``ElementTariff``, or a time-of-use ``Tariff`` built as one with
``pricing.build``) and its parking rule, with ``pricing.engine``, then turns the
engine's exact lines into the driver's bill: each line rounded half up to the
fen once, totals the sums of the lines, discounts on the charging lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from evroam.pricing.bill import Bill, BillLine, LineKind
from evroam.pricing.build import ParkingRule, priced_tariff
from evroam.pricing.discount import (
    DiscountContext,
    DiscountRule,
    applicable,
    discount_lines,
)
from evroam.pricing.elements import Dimension, ElementTariff
from evroam.pricing.engine import ElementBill, ElementLine, Role
from evroam.pricing.periods import price_session
from evroam.pricing.session import ChargeSession
from evroam.pricing.tariff import Tariff
from evroam.shared.message import Message
from evroam.shared.money import Money

__all__ = [
    "ParkingRule",
    "PricedCharge",
    "bill_lines",
    "price_charge",
    "quote_charge",
]

_MINUTE = Decimal(60)
_HOURS_SHOWN = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class PricedCharge:
    """The engine's exact result and the driver's bill made of it."""

    element_bill: ElementBill
    bill: Bill


def price_charge(
    tariff: Tariff | ElementTariff,
    parking: ParkingRule | None,
    session: ChargeSession,
    time_zone: str,
    discounts: Sequence[DiscountRule] = (),
    *,
    context: DiscountContext | None = None,
) -> PricedCharge:
    """Price ``session`` with the engine and make the bill of it.

    ``discounts`` are taken as already matched unless ``context`` is given, in
    which case only the rules that apply to it count.
    """
    canonical = priced_tariff(tariff, parking)
    result = price_session(canonical, session, time_zone)
    lines = bill_lines(result)
    rules = applicable(discounts, context) if context is not None else discounts
    lines += discount_lines(lines, rules, result.currency)
    return PricedCharge(result, Bill.of(lines, session.total_kwh, result.currency))


def quote_charge(
    tariff: Tariff | ElementTariff,
    parking: ParkingRule | None,
    session: ChargeSession,
    time_zone: str,
    discounts: Sequence[DiscountRule] = (),
    *,
    context: DiscountContext | None = None,
) -> Bill:
    """The driver's bill of ``session``, line by line (see ``price_charge``)."""
    return price_charge(
        tariff, parking, session, time_zone, discounts, context=context
    ).bill


def bill_lines(result: ElementBill) -> list[BillLine]:
    """The driver's lines of an engine result, each rounded to the fen once.

    ENERGY is one electricity line (and, with our ``service_price``, one
    service line) per period name and unit prices, in order of first use;
    PARKING_TIME one line per local day; prices with VAT are shown and billed
    with it (the driver pays VAT). A min_price or max_price that sets the
    total adds one line up or down to it.
    """
    lines: list[BillLine] = []
    energy: dict[tuple[str, Decimal, Decimal | None], Decimal] = {}
    for line in result.lines:
        if line.dimension is Dimension.ENERGY:
            key = (_label(line), _with_vat(line, line.price), line.service_price)
            energy[key] = energy.get(key, Decimal(0)) + line.quantity
        else:
            lines.append(_line(result.currency, line))
    head: list[BillLine] = []
    for (label, total, service), kwh in energy.items():
        electricity = total if service is None else total - service
        head.append(
            _simple(LineKind.ELECTRICITY, label, kwh, "kWh", electricity, result)
        )
        if service is not None:
            head.append(_simple(LineKind.SERVICE, label, kwh, "kWh", service, result))
    flat = [line for line in lines if line.kind is LineKind.FLAT]
    rest = [line for line in lines if line.kind is not LineKind.FLAT]
    return [*flat, *head, *rest, *_bound_line(result, [*flat, *head, *rest])]


def _label(line: ElementLine) -> str:
    return line.period or f"element {line.element_index + 1}"


def _with_vat(line: ElementLine, amount: Decimal) -> Decimal:
    vat = line.vat_percent
    return amount if vat is None else amount * (1 + vat / 100)


def _simple(
    kind: LineKind,
    label: str,
    quantity: Decimal,
    unit: str,
    unit_price: Decimal,
    result: ElementBill,
) -> BillLine:
    amount = Money(quantity * unit_price, result.currency)
    return BillLine(kind, label, quantity, unit, unit_price, amount)


def _line(currency: str, line: ElementLine) -> BillLine:
    amount = Money(line.cost_incl_vat or line.cost_excl_vat, currency)
    price = _with_vat(line, line.price)
    if line.role is Role.IDLE:
        minutes = line.volume / _MINUTE
        note = Message.of(
            "bill.note.free_minutes",
            f"after {line.free_minutes} free minutes",
            free_minutes=line.free_minutes,
        )
        if line.capped == "idle_cap":
            note = Message.of(
                "bill.note.free_minutes_capped",
                f"{note.text}, capped at {amount} a session",
                free_minutes=line.free_minutes,
                cap=f"{amount.amount}",
            )
        return BillLine(
            LineKind.IDLE,
            "after charging",
            Decimal(int(minutes)) if minutes == minutes.to_integral() else minutes,
            "min",
            (price / _MINUTE).quantize(_HOURS_SHOWN),
            amount,
            note,
        )
    if line.role is Role.RESERVATION:
        kind, label = LineKind.RESERVATION, "reservation"
    elif line.dimension is Dimension.PARKING_TIME:
        kind = LineKind.PARKING
        label = line.day.isoformat() if line.day else _label(line)
    elif line.dimension is Dimension.TIME:
        kind, label = LineKind.TIME, _label(line)
    else:
        kind, label = LineKind.FLAT, _label(line)
    quantity = line.quantity
    if line.unit == "h" and quantity != quantity.quantize(_HOURS_SHOWN):
        quantity = quantity.quantize(_HOURS_SHOWN)
    capped = None
    if line.capped == "daily_cap":
        capped = Message.of(
            "bill.note.daily_cap", f"capped at {amount} a day", cap=f"{amount.amount}"
        )
    return BillLine(kind, label, quantity, line.unit, price, amount, capped)


def _bound_line(result: ElementBill, lines: list[BillLine]) -> list[BillLine]:
    """min_price / max_price: one line taking the sum of the lines to the bound."""
    if result.bound is None:
        return []
    total = result.total_incl_vat or result.total_excl_vat
    billed = sum((line.amount.amount for line in lines), Decimal(0))
    difference = total.amount - billed
    if difference == 0:
        return []
    return [
        BillLine(
            LineKind.ADJUSTMENT,
            result.bound,
            Decimal(1),
            "session",
            difference,
            Money(difference, result.currency),
            Message.of(
                "bill.note.bound",
                f"the tariff's {result.bound}",
                bound=result.bound,
            ),
        )
    ]

"""A priced charge: bill lines and the totals owed to the partner and by the driver."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from evroam.shared.message import Message, MessageParam
from evroam.shared.money import DEFAULT_CURRENCY, UNIT_PRICE_PLACES, Money

TIMES = "\N{MULTIPLICATION SIGN}"
_SYMBOLS = {"CNY": "¥", "EUR": "€", "USD": "$"}


class LineKind(enum.StrEnum):
    ELECTRICITY = "electricity"  # ENERGY, the electricity share (all of it without
    SERVICE = "service"  # ... our service_price extension, which is this share)
    TIME = "time"  # TIME: charging time
    FLAT = "flat"  # FLAT: a fee per session
    PARKING = "parking"  # PARKING_TIME
    IDLE = "idle"  # PARKING_TIME of our idle-fee element
    RESERVATION = "reservation"  # TIME or FLAT of a reservation element
    ADJUSTMENT = "adjustment"  # down to the partner's lower figure (re-rating)
    DISCOUNT = "discount"


def price_text(
    amount: Decimal, currency: str, places: Decimal = UNIT_PRICE_PLACES
) -> str:
    symbol = _SYMBOLS.get(currency)
    number = f"{amount.quantize(places)}"
    return f"{symbol}{number}" if symbol else f"{number} {currency}"


@dataclass(frozen=True, slots=True)
class BillLine:
    """One line of a bill. ``amount`` is ``quantity * unit_price`` rounded half
    up to the fen once (a parking day may be capped below it). A discount line's
    amount is positive and is subtracted from what the driver pays; its
    ``quantity`` is the percent and ``unit_price`` the amount it is taken off."""

    kind: LineKind
    period: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Money
    note: Message | None = None  # e.g. "after 15 free minutes", coded (ADR 0045)
    label: Message | None = None  # ``period`` coded, where it is a name of ours

    def describe(self) -> str:
        currency = self.amount.currency
        if self.kind is LineKind.DISCOUNT:
            base = price_text(self.unit_price, currency, Decimal("0.01"))
            text = f"discount, {self.period}, {self.quantity.normalize():f}% of {base}"
        else:
            unit_price = price_text(self.unit_price, currency)
            amount = f"{self.quantity} {self.unit}"
            text = f"{self.kind}, {self.period}, {amount} {TIMES} {unit_price}"
        return f"{text} ({self.note.text})" if self.note else text

    def message(self) -> Message:
        """The description with a code and parameters (ADR 0045): ``bill.discount``
        (name, percent, base) or ``bill.line`` (period, quantity, unit, unit_price),
        each with ``currency``; a coded ``label`` (a campaign's name) adds ``label``
        (its code) and its parameters, a note ``note`` and the note's."""
        currency = self.amount.currency
        params: dict[str, MessageParam]
        if self.kind is LineKind.DISCOUNT:
            code = "bill.discount"
            params = {
                "name": self.period,
                "percent": f"{self.quantity.normalize():f}",
                "base": f"{self.unit_price.quantize(Decimal('0.01'))}",
            }
        else:
            code = "bill.line"
            params = {
                "period": self.period,
                "quantity": f"{self.quantity}",
                "unit": self.unit,
                "unit_price": f"{self.unit_price.quantize(UNIT_PRICE_PLACES)}",
            }
        params["currency"] = currency
        if self.label is not None:
            params["label"] = self.label.code
            params.update(self.label.params)
        if self.note is not None:
            params["note"] = self.note.code
            params.update(self.note.params)
        return Message(code, self.describe(), tuple(params.items()))


@dataclass(frozen=True, slots=True)
class Bill:
    """``partner_total``: every line but discounts (what we owe the partner);
    ``driver_total`` = ``partner_total`` - ``discount_total``, never negative."""

    lines: tuple[BillLine, ...]
    energy_kwh: Decimal
    partner_total: Money
    discount_total: Money
    driver_total: Money

    @property
    def currency(self) -> str:
        return self.partner_total.currency

    @classmethod
    def of(
        cls,
        lines: Iterable[BillLine],
        energy_kwh: Decimal,
        currency: str = DEFAULT_CURRENCY,
    ) -> Bill:
        kept = tuple(lines)
        partner = _sum(
            (line.amount for line in kept if line.kind is not LineKind.DISCOUNT),
            currency,
        )
        discount = _sum(
            (line.amount for line in kept if line.kind is LineKind.DISCOUNT), currency
        )
        driver = max(partner - discount, Money.zero(currency))
        return cls(kept, energy_kwh, partner, discount, driver)


def _sum(amounts: Iterable[Money], currency: str) -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total

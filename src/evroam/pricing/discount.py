"""Brand discounts: percent off the electricity and service fees of a charge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.pricing.bill import BillLine, LineKind
from evroam.pricing.errors import PricingError
from evroam.shared.ids import OperatorId
from evroam.shared.message import Message
from evroam.shared.money import Money

DISCOUNTABLE = frozenset(
    {LineKind.ELECTRICITY, LineKind.SERVICE, LineKind.TIME, LineKind.FLAT}
)


@dataclass(frozen=True, slots=True)
class DiscountContext:
    """Who charges where and when; ``charged_at`` is aware, read in ``time_zone``."""

    brand: str | None
    delivery_date: date | None
    operator_id: OperatorId
    charged_at: datetime
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class DiscountRule:
    """``percent`` off electricity + service (never parking) of each charge.

    Every condition set must hold: ``brands`` (case-insensitive; empty: any
    brand), ``within_days_of_delivery`` (the charge's local date is at most N
    days after delivery; None: no condition), ``operator_ids`` (empty: every
    operator).
    """

    name: str
    percent: Decimal
    brands: frozenset[str] = frozenset()
    within_days_of_delivery: int | None = None
    operator_ids: frozenset[OperatorId] = frozenset()
    said: Message | None = None  # the name, coded, for other languages (ADR 0045)

    def __post_init__(self) -> None:
        if not (Decimal(0) <= self.percent <= Decimal(100)):
            raise PricingError("percent", "must be between 0 and 100")

    def applies_to(self, context: DiscountContext) -> bool:
        if self.brands and (context.brand or "").casefold() not in {
            b.casefold() for b in self.brands
        }:
            return False
        if self.operator_ids and context.operator_id not in self.operator_ids:
            return False
        if self.within_days_of_delivery is not None:
            if context.delivery_date is None:
                return False
            local = context.charged_at.astimezone(ZoneInfo(context.time_zone)).date()
            days = (local - context.delivery_date).days
            return 0 <= days <= self.within_days_of_delivery
        return True


def brand_first_year(
    brand: str = "Xiaomi",
    percent: Decimal | int = 10,
    operators: Iterable[str] = (),
) -> DiscountRule:
    """The reference campaign: brand owners get ``percent`` off each charge at
    participating operators for 365 days after delivery."""
    return DiscountRule(
        name=f"{brand} first year",
        said=Message.of(
            "discount.brand_first_year", f"{brand} first year", brand=brand
        ),
        percent=Decimal(percent),
        brands=frozenset({brand}),
        within_days_of_delivery=365,
        operator_ids=frozenset(OperatorId(o) for o in operators),
    )


def applicable(
    rules: Sequence[DiscountRule], context: DiscountContext
) -> tuple[DiscountRule, ...]:
    return tuple(rule for rule in rules if rule.applies_to(context))


def discount_lines(
    lines: Sequence[BillLine], rules: Sequence[DiscountRule], currency: str
) -> tuple[BillLine, ...]:
    """One line per rule, each on the same base (rules do not compound); the
    discounts together never exceed the base."""
    base = sum(
        (line.amount.amount for line in lines if line.kind in DISCOUNTABLE), Decimal(0)
    )
    left = base
    out: list[BillLine] = []
    for rule in rules:
        amount = min(Money(base * rule.percent / 100, currency).amount, left)
        if amount <= 0:
            continue
        left -= amount
        out.append(
            BillLine(
                LineKind.DISCOUNT,
                rule.name,
                rule.percent,
                "%",
                base,
                Money(amount, currency),
                label=rule.said,
            )
        )
    return tuple(out)

"""Re-rating a partner's charge record: every figure, the lowest billed, disputes.

Every record is priced independently (ADR 0023): ``ours`` under the tariff
version in force at the session's start, ``cdr_tariff`` under the tariff an
OCPI CDR carries, and the partner's own total. The driver is billed the lowest
figure; when the figures differ by more than one fen the record is disputed
with the partner, every figure kept (Hubject and Gireve re-rate CDRs the same
way: partners argue about exactly these cents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from evroam.pricing.bill import Bill, BillLine, LineKind
from evroam.shared.message import Message
from evroam.shared.money import Money

TOLERANCE = Money.of("0.01")  # a difference of more than this is a dispute
OURS, CDR_TARIFF, PARTNER = "ours", "cdr_tariff", "partner"


@dataclass(frozen=True, slots=True)
class Rerating:
    """``bill`` is what the driver pays (the lowest figure's, ``billed_as``);
    ``figures`` every figure by name, ours first."""

    bill: Bill
    billed_as: str
    figures: tuple[tuple[str, Money], ...]

    @property
    def spread(self) -> Money:
        amounts = [m for _, m in self.figures]
        return max(amounts) - min(amounts)

    @property
    def is_disputed(self) -> bool:
        return self.spread > TOLERANCE


def rerate(
    ours: Bill, partner_total: Money, others: Sequence[tuple[str, Bill]] = ()
) -> Rerating:
    """The lowest of ``ours``, the ``others`` (e.g. the CDR's tariff) and the
    partner's total is billed; ties go to ours, then the others in order. The
    partner's figure, when lowest, is our bill with one ``adjustment`` line
    down to it (our lines still show how the charge was priced)."""
    candidates: list[tuple[str, Money, Bill | None]] = [
        (OURS, ours.partner_total, ours),
        *((name, bill.partner_total, bill) for name, bill in others),
        (PARTNER, partner_total, None),
    ]
    name, lowest, bill = min(candidates, key=lambda c: c[1].amount)
    if bill is None:
        bill = _adjusted(ours, lowest)
    figures = tuple((n, amount) for n, amount, _ in candidates)
    return Rerating(bill, name, figures)


def _adjusted(ours: Bill, target: Money) -> Bill:
    difference = (target - ours.partner_total).amount
    line = BillLine(
        LineKind.ADJUSTMENT,
        "operator's record",
        Decimal(1),
        "record",
        difference,
        Money(difference, ours.currency),
        Message.of("bill.note.operator_less", "the operator billed less"),
    )
    charges = [x for x in ours.lines if x.kind is not LineKind.DISCOUNT]
    discounts: list[BillLine] = []
    left = max(target, Money.zero(ours.currency))
    for discount in (x for x in ours.lines if x.kind is LineKind.DISCOUNT):
        kept = min(discount.amount, left)  # never more than is now owed
        left = left - kept
        if kept.amount > 0:
            discounts.append(replace(discount, amount=kept))
    return Bill.of([*charges, line, *discounts], ours.energy_kwh, ours.currency)

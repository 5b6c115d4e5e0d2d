"""Pricing a partner's charge record for the driver: bill, receipt, settlement row."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from evroam.catalogue.model import ParkingRule
from evroam.charging.model import (
    BilledCharge,
    ChargeDispute,
    ChargingSession,
    DisputeReason,
    Receipt,
    ReceiptLine,
)
from evroam.charging.remote import ChargePeriod, ChargeRecord
from evroam.charging.rerate import Rerating
from evroam.pricing.bill import Bill, LineKind, price_text
from evroam.pricing.discount import DiscountContext, DiscountRule
from evroam.pricing.elements import ElementTariff
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession, EnergySample
from evroam.pricing.tariff import Tariff
from evroam.shared.ids import OperatorId
from evroam.shared.message import Message
from evroam.shared.money import Money

Vehicle = tuple[str | None, date | None]  # (brand, delivery date)
CAP_LINE = "overrun_cap"  # a receipt line: what the overrun cap did not charge
MIN_OVERRUN_CAP = Money.of(20)
OVERRUN_CAP_SHARE = Decimal("0.20")


def overrun_cap(hold: Money) -> Money:
    """How far a charge may go beyond its hold: max(¥20, 20 % of the hold)
    (ADR 0007). Beyond it the driver is not charged; the partner is disputed."""
    return max(MIN_OVERRUN_CAP, Money(hold.amount * OVERRUN_CAP_SHARE, hold.currency))


def money_text(amount: Money) -> str:
    return price_text(amount.amount, amount.currency, Decimal("0.01"))


def session_of(record: ChargeRecord) -> ChargeSession:
    """The energy timeline of a charge record; time plugged in after the last
    period is parking time (see ``session_of_periods``)."""
    return session_of_periods(
        record.periods, record.started_at, record.ended_at, record.kwh
    )


def session_of_periods(
    charged: Sequence[ChargePeriod],
    started_at: datetime,
    ended_at: datetime,
    kwh: Decimal,
) -> ChargeSession:
    """The energy timeline of periods of charging from ``started_at`` and a
    car unplugged at ``ended_at``: the whole minutes after the last period are
    parking time.

    Periods that do not move forward in time (a stop before the first meter
    tick; T/CEC times are whole seconds) add their energy to the previous sample
    instead of making the timeline go backwards.
    """
    periods = sorted(charged, key=lambda p: (p.started_at, p.ended_at))
    if not periods:
        return ChargeSession.flat(started_at, ended_at, kwh)
    samples = [EnergySample(periods[0].started_at, Decimal(0))]
    total = Decimal(0)
    for period in periods:
        total += period.kwh
        if period.ended_at > samples[-1].at:
            samples.append(EnergySample(period.ended_at, total))
        else:
            samples[-1] = EnergySample(samples[-1].at, total)
    charged_until = samples[-1].at
    if len(samples) == 1:  # no time passed at all: a flat, instant charge
        return ChargeSession.flat(charged_until, charged_until, total)
    parked_s = max(0.0, (ended_at - charged_until).total_seconds())
    return ChargeSession(
        samples[0].at,
        charged_until,
        tuple(samples),
        parking_minutes=math.floor(parked_s / 60),
    )


def bill_for_record(
    tariff: Tariff | ElementTariff,
    parking: ParkingRule,
    record: ChargeRecord,
    time_zone: str,
    operator_id: OperatorId,
    vehicles: Sequence[Vehicle],
    discounts: Sequence[DiscountRule],
) -> Bill:
    """Our price of the record; with several vehicles, the driver gets the best
    discount any of them qualifies for."""
    return quote_for_session(
        tariff, parking, session_of(record), time_zone, operator_id, vehicles, discounts
    )


def quote_for_session(
    tariff: Tariff | ElementTariff,
    parking: ParkingRule,
    session: ChargeSession,
    time_zone: str,
    operator_id: OperatorId,
    vehicles: Sequence[Vehicle],
    discounts: Sequence[DiscountRule],
) -> Bill:
    """The bill of ``session``; with several vehicles, the best discount wins."""
    bills = [
        quote_charge(
            tariff,
            parking,
            session,
            time_zone,
            discounts,
            context=DiscountContext(
                brand, delivered, operator_id, session.started_at, time_zone
            ),
        )
        for brand, delivered in (vehicles or [(None, None)])
    ]
    return min(bills, key=lambda b: b.driver_total.amount)


def receipt_for(
    session: ChargingSession,
    record: ChargeRecord,
    bill: Bill,
    issued_at: datetime,
    capped: Money | None = None,
) -> Receipt:
    """The driver's receipt; ``capped`` is what the overrun cap took off the
    driver's price (ADR 0007): a line of its own, disputed with the partner."""
    excess = capped or Money.zero(bill.currency)
    lines = tuple(
        ReceiptLine(line.kind.value, line.describe(), line.amount, line.message())
        for line in bill.lines
    )
    if excess.amount > 0:
        hold, cap = session.hold_amount, overrun_cap(session.hold_amount)
        said = Message.of(
            "receipt.overrun_cap",
            f"above the hold {money_text(hold)} plus the overrun"
            f" cap {money_text(cap)}: not charged, disputed with the operator",
            hold=f"{hold.amount.quantize(Decimal('0.01'))}",
            cap=f"{cap.amount.quantize(Decimal('0.01'))}",
            currency=hold.currency,
        )
        lines += (ReceiptLine(CAP_LINE, said.text, excess, said),)
    return Receipt(
        id=f"rct_{session.id}",
        session_id=session.id,
        account_id=session.account_id,
        operator_id=session.operator_id,
        station_id=session.station_id,
        started_at=record.started_at,
        ended_at=record.ended_at,
        kwh=record.kwh,
        lines=lines,
        partner_total=bill.partner_total - excess,
        discount_total=bill.discount_total,
        driver_total=bill.driver_total - excess,
        issued_at=issued_at,
    )


def billed_charge(
    session: ChargingSession,
    record: ChargeRecord,
    bill: Bill,
    billed_at: datetime,
    capped: Money | None = None,
) -> BilledCharge:
    """The settlement row: we owe the partner its price less what the overrun
    cap disputes (``capped``)."""

    def total(kind: LineKind) -> Money:
        amount = Money.zero(bill.currency)
        for line in bill.lines:
            if line.kind is kind:
                amount = amount + line.amount
        return amount

    return BilledCharge(
        session_id=session.id,
        operator_id=session.operator_id,
        partner_record_id=record.partner_record_id,
        started_at=record.started_at,
        ended_at=record.ended_at,
        kwh=record.kwh,
        electricity=total(LineKind.ELECTRICITY),
        service=total(LineKind.SERVICE),
        parking=total(LineKind.PARKING) + total(LineKind.IDLE),
        partner_total=bill.partner_total - (capped or Money.zero(bill.currency)),
        discount_total=bill.discount_total,
        partner_reported_total=Money(record.total_money),
        billed_at=billed_at,
    )


def rerating_dispute(
    session: ChargingSession,
    record: ChargeRecord,
    rating: Rerating,
    tariff_ref: str,
    opened_at: datetime,
) -> ChargeDispute:
    """The dispute of a record whose figures differ by more than one fen."""
    figures = ", ".join(f"{name} {money.amount}" for name, money in rating.figures)
    return ChargeDispute(
        id=f"dsp_{session.id}_{DisputeReason.RERATED.value}",
        operator_id=session.operator_id,
        session_id=session.id,
        partner_record_id=record.partner_record_id,
        reason=DisputeReason.RERATED,
        figures=rating.figures,
        billed=rating.bill.partner_total,
        opened_at=opened_at,
        detail=f"{figures}; billed {rating.billed_as}; tariff {tariff_ref}",
    )

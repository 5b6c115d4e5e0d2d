"""Price a charge before (or after) it happens: POST /api/v1/quotes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evroam.api.deps import MaybeAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES
from evroam.api.schemas.money import ReceiptLinePublic, yuan
from evroam.pricing.bill import Bill
from evroam.shared.ids import PileId
from evroam.shared.money import Money

router = APIRouter(prefix="/api/v1", tags=["quotes"])


class QuoteCreate(BaseModel):
    pile_id: str = Field(min_length=3, max_length=200)
    start_at: datetime = Field(
        description="with a time zone, e.g. 2026-11-26T22:30:00+08:00"
    )
    kwh: Decimal | None = Field(default=None, gt=0, le=200)
    minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    parking_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)


class QuotePublic(BaseModel):
    kwh: str
    lines: list[ReceiptLinePublic]
    partner_total: str = Field(description="the operator's price")
    discount_total: str = Field(description="brand discount, borne by the platform")
    total: str = Field(description="what the driver would pay")
    currency: str
    hold: str = Field(
        description="what starting this charge now would hold on the wallet (the "
        "estimate for these kWh, whole yuan up, at least 20); the rest returns at "
        "billing"
    )


def quote_public(bill: Bill, hold: Money) -> QuotePublic:
    return QuotePublic(
        kwh=str(bill.energy_kwh),
        lines=[
            ReceiptLinePublic(
                kind=line.kind.value,
                description=line.describe(),
                amount=yuan(line.amount),
                code=line.message().code,
                params=dict(line.message().params),
            )
            for line in bill.lines
        ],
        partner_total=yuan(bill.partner_total),
        discount_total=yuan(bill.discount_total),
        total=yuan(bill.driver_total),
        currency=bill.currency,
        hold=yuan(hold),
    )


@router.post("/quotes", response_model=QuotePublic, responses=AUTH_RESPONSES)
def quote(
    services: ServicesDep, account: MaybeAccount, body: QuoteCreate
) -> QuotePublic:
    """Electricity and service fee per time-of-use period, parking after the free
    minutes, and (with a bearer token) the driver's brand discount."""
    pile = PileId(body.pile_id)
    bill = services.charging.quote(
        pile,
        body.start_at,
        body.kwh,
        body.minutes,
        body.parking_minutes,
        account.id if account else None,
    )
    return quote_public(bill, services.charging.expected_hold(pile, body.kwh))

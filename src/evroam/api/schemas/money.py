"""Wallet, charging-session, receipt and quote schemas of the public API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from evroam.charging.model import ChargingSession, Receipt
from evroam.shared.message import MessageParam
from evroam.shared.money import Money
from evroam.wallet.ports import TopUp
from evroam.wallet.service import HistoryPage, WalletBalance

MONEY_PATTERN = r"^\d{1,7}(\.\d{1,2})?$"


def yuan(money: Money) -> str:
    return f"{money.amount:.2f}"


class WalletLinePublic(BaseModel):
    seq: int
    kind: str
    reference: str
    available_change: str
    held_change: str
    at: datetime


class WalletPublic(BaseModel):
    available: str = Field(description="CNY, 2 decimals")
    held: str = Field(description="reserved for sessions in progress")
    owed: str = Field(description="an overrun the wallet could not pay")
    currency: str = "CNY"
    history: list[WalletLinePublic]


class TopUpCreate(BaseModel):
    amount: str = Field(pattern=MONEY_PATTERN, examples=["200.00"])


class TopUpPublic(BaseModel):
    id: str
    amount: str
    status: str
    confirm_url: str
    created_at: datetime


class SessionCreate(BaseModel):
    pile_id: str = Field(min_length=3, max_length=200)
    target_kwh: Decimal | None = Field(default=None, gt=0, le=200)
    target_soc: Decimal | None = Field(default=None, gt=0, le=100)
    target_amount: str | None = Field(
        default=None, pattern=MONEY_PATTERN, description="stop at this cost (CNY)"
    )


class SessionPublic(BaseModel):
    id: str
    status: str
    operator: str
    station_id: str
    pile_id: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    kwh: str
    power_kw: str | None
    soc: str | None
    cost_so_far: str | None
    held: str = Field(description="amount held on the wallet for this session")
    target_kwh: str | None
    target_soc: str | None
    target_amount: str | None
    reason: str | None


class SessionList(BaseModel):
    items: list[SessionPublic]


class ReceiptLinePublic(BaseModel):
    kind: str
    description: str = Field(description="in English")
    amount: str
    code: str | None = Field(
        default=None,
        description="names the description's sentence, with `params`, for clients "
        "in other languages (ADR 0045); none on receipts issued before",
    )
    params: dict[str, MessageParam] | None = None


class ReceiptPublic(BaseModel):
    id: str
    session_id: str
    operator: str
    station_id: str
    started_at: datetime
    ended_at: datetime
    kwh: str
    lines: list[ReceiptLinePublic]
    partner_total: str
    discount_total: str
    total: str = Field(description="what the driver paid")
    issued_at: datetime


class ReceiptList(BaseModel):
    items: list[ReceiptPublic]


def wallet_public(balance: WalletBalance, page: HistoryPage) -> WalletPublic:
    return WalletPublic(
        available=yuan(balance.available),
        held=yuan(balance.held),
        owed=yuan(balance.owed),
        history=[
            WalletLinePublic(
                seq=line.seq,
                kind=line.transfer.kind.value,
                reference=line.transfer.reference,
                available_change=yuan(Money.from_fen(line.available_fen)),
                held_change=yuan(Money.from_fen(line.held_fen)),
                at=line.transfer.created_at,
            )
            for line in page.lines
        ],
    )


def top_up_public(top_up: TopUp) -> TopUpPublic:
    return TopUpPublic(
        id=top_up.intent_id,
        amount=yuan(top_up.amount),
        status=top_up.state.value,
        confirm_url=top_up.confirm_url,
        created_at=top_up.created_at,
    )


def session_public(s: ChargingSession) -> SessionPublic:
    return SessionPublic(
        id=s.id,
        status=s.status.value,
        operator=s.operator_id,
        station_id=s.station_id,
        pile_id=s.pile_id,
        created_at=s.created_at,
        started_at=s.started_at,
        ended_at=s.ended_at,
        kwh=str(s.kwh),
        power_kw=None if s.power_kw is None else str(s.power_kw),
        soc=None if s.soc is None else str(s.soc),
        cost_so_far=None if s.cost_so_far is None else yuan(s.cost_so_far),
        held=yuan(s.hold_amount),
        target_kwh=None if s.target_kwh is None else str(s.target_kwh),
        target_soc=None if s.target_soc is None else str(s.target_soc),
        target_amount=None if s.target_amount is None else yuan(s.target_amount),
        reason=s.reason,
    )


def receipt_public(r: Receipt) -> ReceiptPublic:
    return ReceiptPublic(
        id=r.id,
        session_id=r.session_id,
        operator=r.operator_id,
        station_id=r.station_id,
        started_at=r.started_at,
        ended_at=r.ended_at,
        kwh=str(r.kwh),
        lines=[
            ReceiptLinePublic(
                kind=line.kind,
                description=line.description,
                amount=yuan(line.amount),
                code=line.said.code if line.said else None,
                params=dict(line.said.params) if line.said else None,
            )
            for line in r.lines
        ],
        partner_total=yuan(r.partner_total),
        discount_total=yuan(r.discount_total),
        total=yuan(r.driver_total),
        issued_at=r.issued_at,
    )

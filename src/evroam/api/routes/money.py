"""The driver's money: wallet, top-ups, charging sessions, receipts.

Every money-moving POST takes an ``Idempotency-Key`` header: the same key and
request give the same answer; the same key with another request is a 409.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import MONEY_RESPONSES, documented
from evroam.api.schemas.money import (
    ReceiptList,
    ReceiptPublic,
    SessionCreate,
    SessionList,
    SessionPublic,
    TopUpCreate,
    TopUpPublic,
    WalletPublic,
    receipt_public,
    session_public,
    top_up_public,
    wallet_public,
)
from evroam.payments.webhook import SIGNATURE_HEADER
from evroam.shared.ids import PileId, SessionId
from evroam.shared.money import Money

router = APIRouter(prefix="/api/v1", tags=["money"], responses=MONEY_RESPONSES)

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Unique per request you mean once; reuse it only to retry",
    ),
]


@router.get("/wallet", response_model=WalletPublic)
def my_wallet(services: ServicesDep, account: CurrentAccount) -> WalletPublic:
    """Balance (available, held for sessions, owed) and the latest history."""
    return wallet_public(
        services.wallet.balance(account.id), services.wallet.history(account.id)
    )


NO_PROVIDER: dict[int | str, dict[str, Any]] = {
    503: documented("No payment provider is configured on this hub")
}


@router.post(
    "/wallet/top-ups",
    response_model=TopUpPublic,
    status_code=201,
    responses=NO_PROVIDER,
)
def top_up(
    services: ServicesDep,
    account: CurrentAccount,
    key: IdempotencyKey,
    body: TopUpCreate,
) -> TopUpPublic:
    """Start a top-up with the payment provider; the wallet is credited when the
    provider's signed webhook confirms it."""
    return top_up_public(
        services.wallet.top_up(account.id, Money(Decimal(body.amount)), key)
    )


# Mounted only on a hub whose payment provider is the sandbox (create_app).
sandbox_router = APIRouter(prefix="/api/v1", tags=["money"], responses=MONEY_RESPONSES)


@sandbox_router.post(
    "/wallet/top-ups/sandbox/{intent_id}/confirm", response_model=TopUpPublic
)
def pay_in_sandbox(
    services: ServicesDep, account: CurrentAccount, intent_id: str
) -> TopUpPublic:
    """Sandbox provider only: 'pay' a top-up; the provider sends its webhook."""
    return top_up_public(services.confirm_sandbox_top_up(account.id, intent_id))


@router.post(
    "/payments/webhook",
    response_model=TopUpPublic,
    responses={
        400: documented("Signature missing, wrong or older than 5 minutes"),
        **NO_PROVIDER,
    },
)
async def payment_webhook(
    services: ServicesDep,
    request: Request,
    signature: Annotated[str, Header(alias=SIGNATURE_HEADER)],
) -> TopUpPublic:
    """The payment provider's signed webhook (HMAC-SHA256 of timestamp + raw body,
    5-minute tolerance); each event credits the wallet once."""
    raw = await request.body()
    top_up = await services.boundary.run(services.wallet.confirm_top_up, raw, signature)
    return top_up_public(top_up)


@router.post("/charging-sessions", response_model=SessionPublic, status_code=201)
async def start_charging(
    services: ServicesDep,
    account: CurrentAccount,
    key: IdempotencyKey,
    body: SessionCreate,
) -> SessionPublic:
    """Hold the expected amount and ask the pile's operator to start charging."""
    session = await services.boundary.run(
        services.charging.start_charging,
        account.id,
        PileId(body.pile_id),
        key,
        body.target_kwh,
        body.target_soc,
        Money(Decimal(body.target_amount)) if body.target_amount else None,
    )
    return session_public(session)


@router.get("/charging-sessions", response_model=SessionList)
def my_sessions(services: ServicesDep, account: CurrentAccount) -> SessionList:
    """Your sessions, newest first."""
    return SessionList(
        items=[session_public(s) for s in services.charging.list_sessions(account.id)]
    )


@router.get("/charging-sessions/{session_id}", response_model=SessionPublic)
def my_session(
    services: ServicesDep, account: CurrentAccount, session_id: str
) -> SessionPublic:
    """Live progress: energy, power, state of charge, cost so far."""
    return session_public(
        services.charging.get_session(account.id, SessionId(session_id))
    )


@router.post("/charging-sessions/{session_id}/stop", response_model=SessionPublic)
async def stop_charging(
    services: ServicesDep,
    account: CurrentAccount,
    key: IdempotencyKey,  # noqa: ARG001 - stopping is idempotent by itself
    session_id: str,
) -> SessionPublic:
    """Ask the operator to stop; the receipt follows its charge record."""
    session = await services.boundary.run(
        services.charging.stop_charging, account.id, SessionId(session_id)
    )
    return session_public(session)


@router.post(
    "/charging-sessions/{session_id}/close",
    response_model=SessionPublic,
    responses={409: documented("The partner is not silent on it, or not long enough")},
)
async def close_session(
    services: ServicesDep,
    account: CurrentAccount,
    key: IdempotencyKey,  # noqa: ARG001 - closing is idempotent by itself
    session_id: str,
) -> SessionPublic:
    """Close a session whose operator has gone silent on it (nothing heard for
    15 minutes, and no answer when asked now): the hold is released at once and a
    stop is sent; if the operator's charge record comes later it is still billed,
    from the wallet, at most the hold plus the overrun cap (ADR 0021)."""
    session = await services.boundary.run(
        services.charging.close_session, account.id, SessionId(session_id)
    )
    return session_public(session)


@router.get("/receipts", response_model=ReceiptList)
def my_receipts(services: ServicesDep, account: CurrentAccount) -> ReceiptList:
    return ReceiptList(
        items=[receipt_public(r) for r in services.charging.list_receipts(account.id)]
    )


@router.get("/receipts/{session_id}", response_model=ReceiptPublic)
def my_receipt(
    services: ServicesDep, account: CurrentAccount, session_id: str
) -> ReceiptPublic:
    """Electricity and service fee per period, parking, discount, total."""
    return receipt_public(
        services.charging.get_receipt(account.id, SessionId(session_id))
    )

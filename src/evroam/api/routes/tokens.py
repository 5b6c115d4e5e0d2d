"""A driver's tokens: /api/v1/me/tokens and the RFID cards they register."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evroam.api.deps import CurrentAccount, ServicesDep
from evroam.api.problem import AUTH_RESPONSES
from evroam.tokens.model import DriverToken

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=AUTH_RESPONSES)


class RfidCardCreate(BaseModel):
    uid: str = Field(
        min_length=8,
        max_length=40,
        description="the card's uid as a reader shows it: 8, 14 or 20 hex digits",
        examples=["04A2B3C4D5E6F7"],
    )
    visual_number: str | None = Field(
        default=None, max_length=64, description="the number printed on the card"
    )


class TokenPublic(BaseModel):
    uid: str
    type: str = Field(description="app (your account in the app) or rfid (a card)")
    contract_id: str
    visual_number: str | None
    is_valid: bool = Field(description="partners accept it (false: blocked)")
    updated_at: datetime


class TokenList(BaseModel):
    items: list[TokenPublic]


def token_public(token: DriverToken) -> TokenPublic:
    return TokenPublic(
        uid=token.uid,
        type=token.kind.value,
        contract_id=token.contract_id,
        visual_number=token.visual_number,
        is_valid=token.is_valid,
        updated_at=token.updated_at,
    )


@router.get("/tokens", response_model=TokenList)
def my_tokens(services: ServicesDep, account: CurrentAccount) -> TokenList:
    """Your app token and the cards you registered, as partners see them."""
    return TokenList(
        items=[token_public(t) for t in services.tokens.list_for(account.id)]
    )


@router.post(
    "/rfid-cards",
    response_model=TokenPublic,
    status_code=201,
    responses={409: {"description": "the card is registered already"}},
)
def register_card(
    services: ServicesDep, account: CurrentAccount, body: RfidCardCreate
) -> TokenPublic:
    """Register an RFID card: partners then authorize it as yours."""
    token = services.tokens.register_card(account.id, body.uid, body.visual_number)
    return token_public(token)

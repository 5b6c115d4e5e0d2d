"""The OCPI simulator's Tokens: a receiver cache, pulls and real-time authorization.

As a CPO would: the eMSP PUTs/PATCHes Tokens to our receiver (kept in
``TokenCache``); we pull the eMSP's full list (``POST /sim/tokens/pull``) and
ask for real-time authorization when a card is presented at a pile
(``POST /sim/tokens/{uid}/authorize``: what a reader at the pile would do).
A START_SESSION whose token the cache holds as invalid is refused.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from evroam.protocols.ocpi_2_2_1.authorization import (
    LocationReferences,
    Token,
    TokenPatch,
    authorize_token,
    iter_tokens,
)
from evroam.protocols.ocpi_2_2_1.enums import ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import OcpiError, UnknownTokenError
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore

HUB_KEY = "hub"


class TokenCache:
    """A CPO's ``TokenReceiver``: the eMSP's Tokens by (uid, type)."""

    def __init__(self) -> None:
        self.tokens: dict[tuple[str, TokenType], Token] = {}

    async def on_token(self, operator_key: str, token: Token) -> None:  # noqa: ARG002
        self.tokens[(token.uid, token.type)] = token

    async def on_token_patch(
        self,
        operator_key: str,  # noqa: ARG002 - one eMSP
        uid: str,
        token_type: TokenType,
        patch: TokenPatch,
    ) -> None:
        held = self.tokens.get((uid, token_type))
        if held is None:
            raise UnknownTokenError(f"unknown token {uid}", http_status=404)
        self.tokens[(uid, token_type)] = held.model_copy(update=patch.changes())

    async def find_token(
        self,
        operator_key: str,  # noqa: ARG002
        uid: str,
        token_type: TokenType,
    ) -> Token | None:
        return self.tokens.get((uid, token_type))

    def is_refused(self, token: Token) -> bool:
        """The cache says this token is no longer valid (newer than the command's)."""
        held = self.tokens.get((token.uid, token.type))
        return (
            held is not None
            and not held.valid
            and held.last_updated >= (token.last_updated)
        )


class Presented(BaseModel):
    type: TokenType = TokenType.RFID
    location_id: str | None = None
    evse_uids: list[str] | None = None


def build_tokens_control_router(
    cache: TokenCache, peers: TokenStore, http: httpx.AsyncClient
) -> APIRouter:
    """``POST /sim/tokens/pull``, ``GET /sim/tokens`` and
    ``POST /sim/tokens/{uid}/authorize``."""
    router = APIRouter(prefix="/sim", tags=["simulator control"])

    def hub() -> tuple[str, str]:
        peer = peers.find(HUB_KEY)
        url = peer.endpoints.get(ModuleId.TOKENS) if peer else None
        if peer is None or url is None or not peer.outgoing_token:
            raise HTTPException(409, "the hub has not registered a Tokens sender")
        return url, peer.outgoing_token

    @router.post("/tokens/pull")
    async def pull() -> dict[str, Any]:
        url, auth = hub()
        count = 0
        try:
            async for token in iter_tokens(http, url, auth):
                cache.tokens[(token.uid, token.type)] = token
                count += 1
        except OcpiError as exc:
            raise HTTPException(502, str(exc)) from exc
        return {"pulled": count, "cached": len(cache.tokens)}

    @router.get("/tokens")
    async def cached() -> list[dict[str, Any]]:
        return [t.model_dump(mode="json") for t in cache.tokens.values()]

    @router.post("/tokens/{uid}/authorize")
    async def authorize(uid: str, body: Presented) -> dict[str, Any]:
        url, auth = hub()
        location = (
            LocationReferences(location_id=body.location_id, evse_uids=body.evse_uids)
            if body.location_id
            else None
        )
        try:
            info = await authorize_token(http, url, auth, uid, body.type, location)
        except UnknownTokenError:
            return {"allowed": None, "unknown": True}
        except OcpiError as exc:
            raise HTTPException(502, str(exc)) from exc
        return info.model_dump(mode="json", exclude_none=True)

    return router

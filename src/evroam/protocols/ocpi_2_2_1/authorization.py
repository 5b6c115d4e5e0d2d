"""OCPI 2.2.1 Tokens module: Token objects, real-time authorization, both sides.

The eMSP owns Tokens. Its SENDER interface serves ``GET {tokens}`` (paginated,
``date_from``/``date_to`` on ``last_updated``) and ``POST {tokens}/{uid}/authorize
[?type=]`` (real-time authorization, an ``AuthorizationInfo``; an unknown token
is HTTP 404 with status 2004). A CPO's RECEIVER interface takes
``PUT``/``PATCH``/``GET {tokens}/{country_code}/{party_id}/{uid}[?type=]``:
the eMSP pushes new and changed Tokens there; Tokens are never deleted, an
invalidated one is pushed with ``valid: false``. ``type`` defaults to RFID.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Protocol

import httpx
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field, ValidationError

from evroam.protocols.ocpi_2_2_1.client import ocpi_call, ocpi_page
from evroam.protocols.ocpi_2_2_1.datatypes import (
    DateTime,
    DisplayText,
    OcpiModel,
    format_datetime,
    utc_or_none,
)
from evroam.protocols.ocpi_2_2_1.enums import VERSION, ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import (
    InvalidParametersError,
    OcpiHttpError,
    UnknownTokenError,
)
from evroam.protocols.ocpi_2_2_1.models import PatchModel
from evroam.protocols.ocpi_2_2_1.server import (
    authenticate,
    ocpi_response,
    paginated_response,
    read_body,
    route_class_for,
)
from evroam.protocols.ocpi_2_2_1.tokens import TokenStore
from evroam.shared.clock import Clock, SystemClock


class WhitelistType(enum.StrEnum):
    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class AllowedType(enum.StrEnum):
    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class Token(OcpiModel):
    """Tokens module, Token object (the eMSP sends it; CPOs authorise with it)."""

    country_code: str = Field(min_length=2, max_length=2)
    party_id: str = Field(min_length=3, max_length=3)
    uid: str = Field(max_length=36)
    type: TokenType
    contract_id: str = Field(max_length=36)
    visual_number: str | None = Field(default=None, max_length=64)
    issuer: str = Field(max_length=64)
    group_id: str | None = Field(default=None, max_length=36)
    valid: bool
    whitelist: WhitelistType
    language: str | None = Field(default=None, max_length=2)
    last_updated: DateTime


class TokenPatch(PatchModel):
    """Tokens module, PATCH: only the fields that changed, and last_updated."""

    valid: bool | None = None
    whitelist: WhitelistType | None = None
    visual_number: str | None = None
    group_id: str | None = None
    language: str | None = None


class LocationReferences(OcpiModel):
    location_id: str = Field(max_length=36)
    evse_uids: list[str] | None = None


class AuthorizationInfo(OcpiModel):
    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: str | None = Field(default=None, max_length=36)
    info: DisplayText | None = None


# --- eMSP side (Tokens SENDER) ----------------------------------------------------


class TokenSource(Protocol):
    """The eMSP's Tokens: one page (``last_updated`` in [from, to)) and the total,
    and the real-time answer for one token (None: we do not know it)."""

    async def list_tokens(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Token], int]: ...

    async def authorize(
        self,
        operator_key: str,
        uid: str,
        token_type: TokenType,
        location: LocationReferences | None,
    ) -> AuthorizationInfo | None: ...


async def _location_of(request: Request) -> LocationReferences | None:
    if not await request.body():
        return None
    return await read_body(request, LocationReferences)


def build_tokens_sender_router(
    *,
    tokens: TokenStore,
    source: TokenSource,
    clock: Clock | None = None,
    prefix: str = "/ocpi",
    max_limit: int = 1000,
) -> APIRouter:
    """``GET {prefix}/2.2.1/tokens`` and ``POST .../tokens/{uid}/authorize``."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))
    path = f"/{VERSION}/{ModuleId.TOKENS}"

    @router.get(path)
    async def list_tokens(
        request: Request,
        date_from: datetime | None = None,
        date_to: datetime | None = None,
        offset: int = Query(0, ge=0),
        limit: int = Query(max_limit, ge=1),
    ) -> Response:
        authenticate(request, tokens)
        limit = min(limit, max_limit)
        items, total = await source.list_tokens(
            utc_or_none(date_from), utc_or_none(date_to), offset, limit
        )
        return paginated_response(clock, request, items, total, offset, limit)

    @router.post(f"{path}/{{token_uid}}/authorize")
    async def authorize(
        request: Request, token_uid: str, type: TokenType = TokenType.RFID
    ) -> Response:
        peer = authenticate(request, tokens)
        location = await _location_of(request)
        info = await source.authorize(peer.key, token_uid, type, location)
        if info is None:
            # Tokens module, POST: an unknown Token is HTTP 404 (status 2004).
            raise UnknownTokenError(f"unknown token {token_uid}", http_status=404)
        return ocpi_response(clock, info)

    return router


# --- CPO side (Tokens RECEIVER) -----------------------------------------------------


class TokenReceiver(Protocol):
    """What a CPO does with an eMSP's Token pushes; ``find_token`` for GET."""

    async def on_token(self, operator_key: str, token: Token) -> None: ...

    async def on_token_patch(
        self,
        operator_key: str,
        uid: str,
        token_type: TokenType,
        patch: TokenPatch,
    ) -> None:
        """Raise ``UnknownTokenError`` for a token never PUT."""
        ...

    async def find_token(
        self, operator_key: str, uid: str, token_type: TokenType
    ) -> Token | None: ...


def build_tokens_receiver_router(
    *,
    tokens: TokenStore,
    receiver: TokenReceiver,
    clock: Clock | None = None,
    prefix: str = "/ocpi/cpo",
) -> APIRouter:
    """``PUT``/``PATCH``/``GET {prefix}/2.2.1/tokens/{cc}/{party}/{uid}[?type=]``."""
    clock = clock or SystemClock()
    router = APIRouter(prefix=prefix, tags=["ocpi"], route_class=route_class_for(clock))
    path = f"/{VERSION}/{ModuleId.TOKENS}/{{country_code}}/{{party_id}}/{{token_uid}}"

    @router.put(path)
    async def put_token(
        request: Request,
        country_code: str,
        party_id: str,
        token_uid: str,
        type: TokenType = TokenType.RFID,
    ) -> Response:
        peer = authenticate(request, tokens)
        token = await read_body(request, Token)
        if (token.country_code, token.party_id, token.uid, token.type) != (
            country_code.upper(),
            party_id.upper(),
            token_uid,
            type,
        ):
            raise InvalidParametersError("the Token's ids differ from the URL's")
        await receiver.on_token(peer.key, token)
        return ocpi_response(clock)

    @router.patch(path)
    async def patch_token(
        request: Request,
        country_code: str,  # noqa: ARG001 - the uid and type name the token
        party_id: str,  # noqa: ARG001
        token_uid: str,
        type: TokenType = TokenType.RFID,
    ) -> Response:
        peer = authenticate(request, tokens)
        patch = await read_body(request, TokenPatch)
        await receiver.on_token_patch(peer.key, token_uid, type, patch)
        return ocpi_response(clock)

    @router.get(path)
    async def get_token(
        request: Request,
        country_code: str,  # noqa: ARG001
        party_id: str,  # noqa: ARG001
        token_uid: str,
        type: TokenType = TokenType.RFID,
    ) -> Response:
        peer = authenticate(request, tokens)
        found = await receiver.find_token(peer.key, token_uid, type)
        if found is None:
            raise UnknownTokenError(f"unknown token {token_uid}", http_status=404)
        return ocpi_response(clock, found)

    return router


# --- client calls -------------------------------------------------------------------


def _token_url(receiver_url: str, token: Token) -> str:
    base = receiver_url.rstrip("/")
    return f"{base}/{token.country_code}/{token.party_id}/{token.uid}?type={token.type}"


async def put_token(
    http: httpx.AsyncClient, receiver_url: str, auth: str | None, token: Token
) -> None:
    """eMSP -> CPO: the Token as it is now (new, changed, or invalidated)."""
    await ocpi_call(http, "PUT", _token_url(receiver_url, token), auth, token)


async def authorize_token(
    http: httpx.AsyncClient,
    sender_url: str,
    auth: str | None,
    uid: str,
    token_type: TokenType = TokenType.RFID,
    location: LocationReferences | None = None,
) -> AuthorizationInfo:
    """CPO -> eMSP: real-time authorization; ``UnknownTokenError`` if unknown."""
    url = f"{sender_url.rstrip('/')}/{uid}/authorize?type={token_type}"
    data = await ocpi_call(http, "POST", url, auth, location)
    try:
        return AuthorizationInfo.model_validate(data)
    except ValidationError as exc:
        raise OcpiHttpError(f"invalid AuthorizationInfo: {exc}") from exc


async def iter_tokens(
    http: httpx.AsyncClient,
    sender_url: str,
    auth: str | None,
    date_from: datetime | None = None,
    page_limit: int = 1000,
) -> AsyncIterator[Token]:
    """CPO -> eMSP: every Token, page by page (following ``Link``)."""
    params = f"offset=0&limit={page_limit}"
    if date_from is not None:
        params += f"&date_from={format_datetime(date_from)}"
    next_url: str | None = f"{sender_url.rstrip('/')}?{params}"
    while next_url is not None:
        items, next_url = await ocpi_page(http, next_url, auth)
        for raw in items:
            yield Token.model_validate(raw)


__all__ = [
    "AllowedType",
    "AuthorizationInfo",
    "LocationReferences",
    "Token",
    "TokenPatch",
    "TokenReceiver",
    "TokenSource",
    "WhitelistType",
    "authorize_token",
    "build_tokens_receiver_router",
    "build_tokens_sender_router",
    "iter_tokens",
    "put_token",
]

"""The hub over the OCPI 2.2.1 Tokens module: drivers' tokens as OCPI Tokens.

Every token goes out with ``whitelist: NEVER`` (Tokens module, TokenType: the
eMSP is RECOMMENDED to send APP_USER tokens so; we do it for cards too, so an
invalidated token can never be honoured from a CPO's cache): CPOs authorize in
real time. The Tokens SENDER (``TokenSource``) serves pulls and real-time
authorization; ``TokenPusher`` PUTs every token that changed to the CPOs that
offer a Tokens RECEIVER (the feed watcher runs it each round).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httpx

from evroam.gateways.ocpi.hub import peer_from_partner
from evroam.partners.model import Partner
from evroam.partners.ports import PartnerRepository
from evroam.protocols.ocpi_2_2_1.authorization import (
    AllowedType,
    AuthorizationInfo,
    LocationReferences,
    Token,
    WhitelistType,
    put_token,
)
from evroam.protocols.ocpi_2_2_1.datatypes import DisplayText
from evroam.protocols.ocpi_2_2_1.enums import ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import OcpiError
from evroam.shared.clock import Clock
from evroam.shared.ids import AccountId
from evroam.tokens.authorization import AuthorizationReferences
from evroam.tokens.model import Decision, DriverToken, TokenKind
from evroam.tokens.service import TokenService

HttpFactory = Callable[[], httpx.AsyncClient]
T = TypeVar("T")
# Runs a synchronous call off the event loop (``services.boundary.run``).
Offload = Callable[..., Awaitable[Any]]
ISSUER = "evroam"
# Partner.credentials key: how far token pushes got ("<ISO time> <uid>").
PUSH_CURSOR = "tokens_pushed_until"
_TYPE = {TokenKind.APP: TokenType.APP_USER, TokenKind.RFID: TokenType.RFID}
_KIND = {wire: kind for kind, wire in _TYPE.items()}
_ALLOWED = {
    Decision.ALLOWED: AllowedType.ALLOWED,
    Decision.BLOCKED: AllowedType.BLOCKED,
    Decision.NOT_ALLOWED: AllowedType.NOT_ALLOWED,
}
_INFO = {
    Decision.BLOCKED: "this account is blocked",
    Decision.NOT_ALLOWED: "this token no longer belongs to an account",
}
_log = logging.getLogger(__name__)


def ocpi_token(token: DriverToken, country_code: str, party_id: str) -> Token:
    """The wire Token of a driver token (issuer: us; whitelist NEVER)."""
    return Token(
        country_code=country_code,
        party_id=party_id,
        uid=token.uid,
        type=_TYPE[token.kind],
        contract_id=token.contract_id,
        visual_number=token.visual_number,
        issuer=ISSUER,
        valid=token.is_valid,
        whitelist=WhitelistType.NEVER,
        last_updated=token.updated_at,
    )


async def _inline(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


class HubTokenSource:
    """The hub's Tokens SENDER: pulls and real-time authorization.

    ``offload`` runs the token store's reads off the event loop (the
    composition root passes ``services.boundary.run``): a CPO's authorization
    waits on one indexed read, and other requests go on meanwhile. An allowed
    token gets an ``authorization_reference`` from ``references``: the hub's
    session id if the CPO then starts a session itself (ADR 0043).
    """

    def __init__(
        self,
        tokens: TokenService,
        country_code: str,
        party_id: str,
        offload: Offload = _inline,
        references: AuthorizationReferences | None = None,
    ) -> None:
        self._tokens = tokens
        self._country_code = country_code
        self._party_id = party_id
        self._offload = offload
        self._references = references

    def _wire(self, token: DriverToken) -> Token:
        return ocpi_token(token, self._country_code, self._party_id)

    async def list_tokens(
        self,
        date_from: datetime | None,
        date_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Token], int]:
        found, total = await self._offload(
            self._tokens.page, date_from, date_to, offset, limit
        )
        return [self._wire(t) for t in found], total

    async def authorize(
        self,
        operator_key: str,  # noqa: ARG002 - every partner gets the same answer
        uid: str,
        token_type: TokenType,
        location: LocationReferences | None,
    ) -> AuthorizationInfo | None:
        kind = _KIND.get(token_type)
        if kind is None:
            return None
        token: DriverToken | None = await self._offload(self._tokens.find, uid, kind)
        if token is None:
            return None
        decision = token.decision
        info = _INFO.get(decision)
        is_allowed = decision is Decision.ALLOWED
        return AuthorizationInfo(
            allowed=_ALLOWED[decision],
            token=self._wire(token),
            location=location if is_allowed else None,
            authorization_reference=self._references.issue(token.uid)
            if is_allowed and self._references is not None
            else None,
            info=DisplayText(language="en", text=info) if info else None,
        )


def _cursor(partner: Partner) -> tuple[datetime, str] | None:
    raw = partner.credentials.get(PUSH_CURSOR, "")
    if not raw:
        return None
    at, _, uid = raw.partition(" ")
    return datetime.fromisoformat(at), uid


class TokenPusher:
    """PUTs changed tokens to every OCPI partner with a Tokens RECEIVER.

    Each partner has a cursor (the last change pushed). A partner met for the
    first time starts at now: it pulls the full list itself (Tokens module,
    pull model); from then on every change reaches it at the next round.
    """

    def __init__(
        self,
        http: HttpFactory,
        partners: PartnerRepository,
        tokens: TokenService,
        country_code: str,
        party_id: str,
        clock: Clock,
        batch: int = 500,
    ) -> None:
        self._http = http
        self._partners = partners
        self._tokens = tokens
        self._country_code = country_code
        self._party_id = party_id
        self._clock = clock
        self._batch = batch

    async def push_changes(self) -> int:
        """One round over every partner; returns how many tokens were pushed."""
        pushed = 0
        for partner in self._partners.list():
            if partner.protocol.value != "ocpi":
                continue
            peer = peer_from_partner(partner)
            url = peer.endpoints.get(ModuleId.TOKENS)
            if url is None or not peer.outgoing_token:
                continue
            try:
                pushed += await self._push_to(partner, url, peer.outgoing_token)
            except OcpiError as exc:  # the next round starts where this stopped
                _log.warning("token push to %s stopped: %s", partner.id, exc)
        return pushed

    async def _push_to(self, partner: Partner, url: str, auth: str) -> int:
        cursor = _cursor(partner)
        if cursor is None:
            self._save(partner, (self._clock.now(), ""))
            return 0
        pushed = 0
        async with self._http() as http:
            while changed := self._tokens.changed_after(cursor, self._batch):
                for token in changed:
                    wire = ocpi_token(token, self._country_code, self._party_id)
                    await put_token(http, url, auth, wire)
                    cursor = (token.updated_at, token.uid)
                    pushed += 1
                partner = self._save(partner, cursor)
        return pushed

    def _save(self, partner: Partner, cursor: tuple[datetime, str]) -> Partner:
        at, uid = cursor
        # Re-read: the handshake or another round may have changed the record.
        fresh = self._partners.find(partner.id) or partner
        updated = fresh.with_credentials(**{PUSH_CURSOR: f"{at.isoformat()} {uid}"})
        self._partners.save(updated)
        return updated


def token_for_account(
    tokens: TokenService, country_code: str, party_id: str
) -> Callable[[str], Token]:
    """The account's app token as sent in START_SESSION / RESERVE_NOW."""

    def wire(account_id: str) -> Token:
        token = tokens.issue_app_token(AccountId(account_id))
        return ocpi_token(token, country_code, party_id)

    return wire


__all__ = [
    "PUSH_CURSOR",
    "HubTokenSource",
    "TokenPusher",
    "ocpi_token",
    "token_for_account",
]

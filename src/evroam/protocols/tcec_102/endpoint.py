"""The receiving side of T/CEC 102: checks, token issue, dispatch and sealed replies.

Shared by the hub (partners push to us) and the partner simulators (the hub
pulls from them). Order of checks on every request, each with its ``Ret``:
envelope shape (4004) → known OperatorID and MAC (4001, before any decryption)
→ TimeStamp within ±5 min and Seq 0001-9999 not seen before (4003) → bearer
token, except for query_token (4002) → decrypted JSON body (4004) → handler.
Every reply is HTTP 200 with a signed Ret/Msg/Data/Sig envelope, as the
standard does; only a request whose OperatorID we do not know gets an unsigned
error (we have no secret to sign it with).
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import json
import logging
import secrets as token_source
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from evroam.protocols.tcec_102.envelope import (
    MAX_ENVELOPE_BYTES,
    TcecSecrets,
    decode_body,
    decrypt_data,
    seal_response,
    verify_request,
)
from evroam.protocols.tcec_102.errors import (
    ParameterError,
    PayloadError,
    ServerError,
    SignatureError,
    TcecError,
    TokenError,
)
from evroam.protocols.tcec_102.models import (
    QueryTokenRequest,
    QueryTokenResponse,
    RequestEnvelope,
    ResponseEnvelope,
    parse_body,
)
from evroam.protocols.tcec_102.profiles import SpellingProfile, read, write
from evroam.protocols.tcec_102.timestamp import is_valid_seq, parse_timestamp
from evroam.shared.clock import Clock

QUERY_TOKEN = "query_token"
Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
"""``await handler(operator_id, body) -> reply``; raise a ``TcecError`` to refuse."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeerConfig:
    """What we share with one partner: its OperatorSecret and envelope secrets."""

    operator_secret: str
    secrets: TcecSecrets
    spelling: SpellingProfile = SpellingProfile.STANDARD

    def __repr__(self) -> str:
        return f"PeerConfig(spelling={self.spelling!r}, secrets=<redacted>)"


@dataclass(frozen=True, slots=True)
class Grant:
    """A bearer token's holder and expiry."""

    operator_id: str
    expires_at: datetime


class GrantStore(Protocol):
    """Issues and recognises query_token bearer tokens."""

    def issue(self, operator_id: str, expires_at: datetime, now: datetime) -> str: ...

    def find(self, token: str) -> Grant | None: ...


class ReplayGuard(Protocol):
    """Remembers accepted envelopes. Async: a shared guard (database, Redis)
    does I/O, which must not block the loop."""

    async def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        """True the first time ``key`` (OperatorID, TimeStamp, Seq) is seen."""
        ...


class InMemoryGrantStore:
    """Tokens known to this process only (one worker)."""

    def __init__(self, new_token: Callable[[], str]) -> None:
        self._new_token = new_token
        self._grants: dict[str, Grant] = {}

    def issue(self, operator_id: str, expires_at: datetime, now: datetime) -> str:
        self._grants = {t: g for t, g in self._grants.items() if g.expires_at > now}
        token = self._new_token()
        self._grants[token] = Grant(operator_id, expires_at)
        return token

    def find(self, token: str) -> Grant | None:
        return self._grants.get(token)


class SignedGrantStore:
    """Stateless tokens: ``base64(holder|expiry).hmac``; every worker sharing the
    key recognises them, so no token table is needed behind a load balancer."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the token signing key must be at least 16 bytes")
        self._key = key

    def _mac(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, operator_id: str, expires_at: datetime, now: datetime) -> str:
        # The issue time (with a random salt) makes each token distinct.
        salt = token_source.token_hex(4)
        raw = f"{operator_id}|{now.timestamp():.0f}{salt}|{int(expires_at.timestamp())}"
        payload = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        return f"{payload}.{self._mac(payload)}"

    def find(self, token: str) -> Grant | None:
        payload, _, mac = token.partition(".")
        if not mac or not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
            operator_id, _issued, expiry = raw.rsplit("|", 2)
            expires_at = datetime.fromtimestamp(int(expiry), UTC)
        except (ValueError, UnicodeError):
            return None
        return Grant(operator_id, expires_at)


class InMemoryReplayGuard:
    """Seen (OperatorID, TimeStamp, Seq) keys of this process, forgotten when stale.

    For one process that never restarts (the simulators, tests): the hub keeps
    them in its database or Redis, shared and durable (ADR 0029).
    """

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()
        self._expiry: list[tuple[datetime, tuple[str, str, str]]] = []

    async def first_time(
        self, key: tuple[str, str, str], keep_until: datetime, now: datetime
    ) -> bool:
        while self._expiry and self._expiry[0][0] < now:
            _, old = heapq.heappop(self._expiry)
            self._seen.discard(old)
        if key in self._seen:
            return False
        self._seen.add(key)
        heapq.heappush(self._expiry, (keep_until, key))
        return True


class TcecEndpoint:
    """Checks and answers T/CEC requests from the peers it knows."""

    def __init__(
        self,
        peers: Mapping[str, PeerConfig],
        token_ttl_s: int,
        clock: Clock,
        handlers: Mapping[str, Handler],
        *,
        replay_window_s: int = 300,
        new_token: Callable[[], str] = lambda: token_source.token_urlsafe(32),
        grants: GrantStore | None = None,
        replays: ReplayGuard | None = None,
    ) -> None:
        # ``peers`` is read on every request, so a live mapping (partners added
        # while serving) works; it is not copied.
        self._peers = peers
        self._token_ttl = timedelta(seconds=token_ttl_s)
        self._clock = clock
        self._handlers = dict(handlers)
        self._window = timedelta(seconds=replay_window_s)
        self._grants: GrantStore = grants or InMemoryGrantStore(new_token)
        self._replays: ReplayGuard = replays or InMemoryReplayGuard()

    @property
    def messages(self) -> tuple[str, ...]:
        return (QUERY_TOKEN, *sorted(self._handlers))

    async def handle(
        self, message: str, raw: bytes, authorization: str | None
    ) -> dict[str, Any]:
        """The reply envelope for one raw request body (never raises)."""
        peer: PeerConfig | None = None
        try:
            envelope = _envelope(raw)
            operator_id = envelope["OperatorID"]
            peer = self._peer(operator_id)
            fields = verify_request(peer.secrets, envelope)
            await self._check_fresh(operator_id, fields["TimeStamp"], fields["Seq"])
            if message != QUERY_TOKEN:
                self._check_token(operator_id, authorization)
            body = decode_body(decrypt_data(peer.secrets, fields["Data"]))
            reply = await self._dispatch(
                message, operator_id, peer, read(body, peer.spelling)
            )
        except TcecError as exc:
            return _error(peer, exc.ret, exc.msg)
        except Exception:
            _log.exception("T/CEC handler for %s failed", message)
            error = ServerError()
            return _error(peer, error.ret, error.msg)
        return seal_response(peer.secrets, write(reply, peer.spelling))

    def _peer(self, operator_id: str) -> PeerConfig:
        peer = self._peers.get(operator_id)
        if peer is None:
            raise SignatureError("未知的OperatorID")
        return peer

    async def _check_fresh(self, operator_id: str, timestamp: str, seq: str) -> None:
        sent_at = parse_timestamp(timestamp)
        now = self._clock.now()
        if abs(now - sent_at) > self._window:
            raise ParameterError("TimeStamp超出允许范围")
        if not is_valid_seq(seq):
            raise ParameterError("Seq格式错误")
        key = (operator_id, timestamp, seq)
        if not await self._replays.first_time(key, sent_at + self._window, now):
            raise ParameterError("重复的请求(TimeStamp+Seq)")

    def _check_token(self, operator_id: str, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        grant = self._grants.find(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or grant.operator_id != operator_id:
            raise TokenError("Token无效")
        if grant.expires_at <= self._clock.now():
            raise TokenError("Token已过期")

    async def _dispatch(
        self, message: str, operator_id: str, peer: PeerConfig, body: dict[str, Any]
    ) -> dict[str, Any]:
        if message == QUERY_TOKEN:
            return self._issue_token(operator_id, peer, body)
        handler = self._handlers.get(message)
        if handler is None:
            raise ParameterError(f"未知接口 {message}")
        return await handler(operator_id, body)

    def _issue_token(
        self, operator_id: str, peer: PeerConfig, body: dict[str, Any]
    ) -> dict[str, Any]:
        request = parse_body(QueryTokenRequest, body)
        # T/CEC 102.4 query_token FailReason: 1 no such operator, 2 wrong secret.
        if request.OperatorID != operator_id:
            return _token_refused(operator_id, fail_reason=1)
        given, expected = request.OperatorSecret.encode(), peer.operator_secret.encode()
        if not hmac.compare_digest(given, expected):
            return _token_refused(operator_id, fail_reason=2)
        now = self._clock.now()
        token = self._grants.issue(operator_id, now + self._token_ttl, now)
        return QueryTokenResponse(
            OperatorID=operator_id,
            SuccStat=0,
            AccessToken=token,
            TokenAvailableTime=int(self._token_ttl.total_seconds()),
            FailReason=0,
        ).to_wire()


def _envelope(raw: bytes) -> dict[str, str]:
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise PayloadError("报文过大")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise PayloadError("报文不是JSON") from exc
    envelope = parse_body(RequestEnvelope, payload)
    return envelope.model_dump()


def _token_refused(operator_id: str, fail_reason: int) -> dict[str, Any]:
    return QueryTokenResponse(
        OperatorID=operator_id, SuccStat=1, FailReason=fail_reason
    ).to_wire()


def _error(peer: PeerConfig | None, ret: int, msg: str) -> dict[str, Any]:
    if peer is None:
        return {"Ret": ret, "Msg": msg, "Data": "", "Sig": ""}
    return seal_response(peer.secrets, None, ret, msg)


def build_router(endpoint: TcecEndpoint, prefix: str = "/evcs/v1") -> APIRouter:
    """POST ``{prefix}/{message}`` for query_token and every handler."""
    router = APIRouter(prefix=prefix, tags=["T/CEC 102"])
    request_schema = RequestEnvelope.model_json_schema()
    for message in endpoint.messages:
        router.add_api_route(
            f"/{message}",
            _route_for(endpoint, message),
            methods=["POST"],
            name=f"tcec_{message}",
            summary=f"T/CEC 102 {message}",
            response_model=ResponseEnvelope,
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": request_schema}},
                }
            },
        )
    return router


def _route_for(
    endpoint: TcecEndpoint, message: str
) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def route(request: Request) -> JSONResponse:
        raw = await _read_limited(request)
        reply = await endpoint.handle(
            message, raw, request.headers.get("authorization")
        )
        return JSONResponse(reply)

    return route


async def _read_limited(request: Request) -> bytes:
    """The body, cut off just past the limit so ``handle`` rejects it (4004)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ENVELOPE_BYTES:
            break
    return b"".join(chunks)

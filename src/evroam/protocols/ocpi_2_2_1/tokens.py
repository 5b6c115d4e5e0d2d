"""Credentials tokens: the peers we know, how they are stored, and the header.

Transport and format, Authorization header: in 2.2.1 the header is
``Token <Base64(UTF-8 token)>``. Many 2.1.1/2.2 implementations send the plain
token instead, so a server here accepts both (the decoded value is tried first)
and a client can be told to send plain tokens (``encode=False``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from evroam.protocols.ocpi_2_2_1.models import CredentialsRole

TOKEN_SCHEME = "Token"


def authorization_header(token: str, *, encode: bool = True) -> str:
    if not encode:
        return f"{TOKEN_SCHEME} {token}"
    return f"{TOKEN_SCHEME} {base64.b64encode(token.encode()).decode('ascii')}"


def token_candidates(header: str | None) -> list[str]:
    """Tokens a header may carry: the Base64-decoded value first, then as sent."""
    if not header:
        return []
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != TOKEN_SCHEME.lower() or not value:
        return []
    candidates = []
    try:
        # .strip(): the spec's own example encodes a trailing newline.
        decoded = base64.b64decode(value, validate=True).decode("utf-8").strip()
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if decoded and decoded.isprintable():
        candidates.append(decoded)
    candidates.append(value)
    return candidates


def new_token() -> str:
    """A fresh credentials token (OCPI allows at most 64 ASCII characters)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Peer:
    """A party we exchange OCPI with, under our own ``key`` (hub: operator id).

    ``incoming_token`` is what the peer presents to us. Until ``is_registered``
    it is a TOKEN_A, good only for the versions and credentials modules.
    ``outgoing_token`` is what we present to the peer.
    """

    key: str
    incoming_token: str
    is_registered: bool = False
    outgoing_token: str | None = None
    versions_url: str | None = None
    endpoints: Mapping[str, str] = field(default_factory=dict)
    roles: tuple[CredentialsRole, ...] = ()

    def registered(
        self,
        *,
        incoming_token: str,
        outgoing_token: str,
        versions_url: str,
        endpoints: Mapping[str, str],
        roles: tuple[CredentialsRole, ...],
    ) -> Peer:
        return replace(
            self,
            incoming_token=incoming_token,
            is_registered=True,
            outgoing_token=outgoing_token,
            versions_url=versions_url,
            endpoints=dict(endpoints),
            roles=roles,
        )

    def owns(self, country_code: str, party_id: str) -> bool:
        """Whether the peer declared this country/party in its credentials roles."""
        return any(
            r.country_code.upper() == country_code.upper()
            and r.party_id.upper() == party_id.upper()
            for r in self.roles
        )


class TokenStore(Protocol):
    def find_by_token(self, token: str) -> Peer | None:
        """The peer whose incoming token is ``token``, compared in constant time."""
        ...

    def find(self, key: str) -> Peer | None: ...

    def save(self, peer: Peer) -> None:
        """Insert or replace the peer with this key."""
        ...

    def remove(self, key: str) -> None: ...


class InMemoryTokenStore:
    """Peers in a dict; token look-ups touch every peer so timing leaks nothing."""

    def __init__(self, peers: tuple[Peer, ...] = ()) -> None:
        self._peers: dict[str, Peer] = {p.key: p for p in peers}

    def find_by_token(self, token: str) -> Peer | None:
        found = None
        wanted = token.encode()
        for peer in self._peers.values():
            if hmac.compare_digest(peer.incoming_token.encode(), wanted):
                found = peer
        return found

    def find(self, key: str) -> Peer | None:
        return self._peers.get(key)

    def save(self, peer: Peer) -> None:
        self._peers[peer.key] = peer

    def remove(self, key: str) -> None:
        self._peers.pop(key, None)


def issue_token_a(store: TokenStore, key: str) -> str:
    """Create a TOKEN_A for ``key`` to hand to the partner out of band."""
    token = new_token()
    store.save(Peer(key=key, incoming_token=token))
    return token

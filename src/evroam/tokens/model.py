"""Driver tokens: what a partner authorizes a driver by (OCPI Tokens module).

Each account has one app token (OCPI ``APP_USER``) made when the account opens,
and may register RFID cards (``RFID``: the card's hidden uid as the reader sees
it). App token uids and contract ids are random: nothing in them leads back to
the person. Tokens are never deleted (OCPI: "deleting is not possible"): a
blocked account's tokens turn invalid, and an erased account's tokens lose
their link to it and stay invalid for good.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from evroam.shared.ids import AccountId
from evroam.tokens.errors import InvalidCardError

# ISO/IEC 14443 card uids are 4, 7 or 10 bytes; readers print them in hex.
_CARD_UID = re.compile(r"(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})")
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O: read aloud safely


class TokenKind(enum.StrEnum):
    APP = "app"
    RFID = "rfid"


class TokenState(enum.StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"  # the account is blocked (by an operator)
    ERASED = "erased"  # the account was erased: the token names no one


class Decision(enum.StrEnum):
    """What a partner's real-time authorization gets (OCPI AllowedType)."""

    ALLOWED = "allowed"
    BLOCKED = "blocked"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class DriverToken:
    uid: str
    kind: TokenKind
    contract_id: str
    account_id: AccountId | None
    state: TokenState
    updated_at: datetime
    visual_number: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.state is TokenState.ACTIVE

    @property
    def decision(self) -> Decision:
        """BLOCKED for a blocked account, NOT_ALLOWED for an erased one."""
        return {
            TokenState.ACTIVE: Decision.ALLOWED,
            TokenState.BLOCKED: Decision.BLOCKED,
            TokenState.ERASED: Decision.NOT_ALLOWED,
        }[self.state]

    def moved_to(self, state: TokenState, at: datetime) -> DriverToken:
        account = None if state is TokenState.ERASED else self.account_id
        return DriverToken(
            self.uid,
            self.kind,
            self.contract_id,
            account,
            state,
            at,
            self.visual_number,
        )


def random_code(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_app_uid() -> str:
    """A random app token uid (16 characters, ~80 bits): unlinkable."""
    return random_code(16)


def new_contract_id(country_code: str, party_id: str) -> str:
    """A random contract id in the eMA ID shape (``CN-EVR-C12345678``)."""
    return f"{country_code}-{party_id}-C{random_code(8)}"


def card_uid(raw: str) -> str:
    """An RFID card uid as readers send it: hex, 8, 14 or 20 digits."""
    uid = raw.strip().replace(":", "").replace(" ", "").upper()
    if not _CARD_UID.fullmatch(uid):
        raise InvalidCardError(
            "uid", "must be the card's 4, 7 or 10 byte uid in hex (8, 14 or 20 digits)"
        )
    return uid


def visual_number_of(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if len(text) > 64 or not text.isprintable():
        raise InvalidCardError("visual_number", "at most 64 printable characters")
    return text

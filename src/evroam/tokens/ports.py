"""What driver tokens need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from evroam.shared.ids import AccountId
from evroam.tokens.model import DriverToken, TokenKind, TokenState


class TokenStore(Protocol):
    def add(self, token: DriverToken) -> None:
        """Store a new token; raise ``CardTakenError`` if its uid is taken."""
        ...

    def find(self, uid: str, kind: TokenKind | None = None) -> DriverToken | None: ...

    def for_account(self, account_id: AccountId) -> Sequence[DriverToken]: ...

    def set_state(self, account_id: AccountId, state: TokenState, at: datetime) -> int:
        """Move every token of the account to ``state`` (erased: unlinked);
        returns how many changed."""
        ...

    def is_blocked(self, account_id: AccountId) -> bool: ...

    def set_blocked(self, account_id: AccountId, blocked_at: datetime | None) -> None:
        """Remember (or, with None, forget) that the account is blocked."""
        ...

    def page(
        self,
        updated_from: datetime | None,
        updated_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[DriverToken], int]:
        """Tokens updated in [from, to), oldest change first, and how many match."""
        ...

    def changed_after(
        self, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[DriverToken]:
        """Tokens changed after the (updated_at, uid) cursor, in that order."""
        ...

"""Driver token use-cases: issue, register cards, block, erase, authorize, list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from evroam.shared.clock import Clock
from evroam.shared.ids import AccountId
from evroam.tokens.errors import TokenNotFoundError
from evroam.tokens.model import (
    DriverToken,
    TokenKind,
    TokenState,
    card_uid,
    new_app_uid,
    new_contract_id,
    visual_number_of,
)
from evroam.tokens.ports import TokenStore


class TokenService:
    """``country_code`` and ``party_id`` are the hub's (they prefix contract ids)."""

    def __init__(
        self, store: TokenStore, clock: Clock, country_code: str, party_id: str
    ) -> None:
        self._store = store
        self._clock = clock
        self._country_code = country_code
        self._party_id = party_id

    def issue_app_token(self, account_id: AccountId) -> DriverToken:
        """The account's app token, made once (the account opening calls this)."""
        held = self.app_token(account_id)
        if held is not None:
            return held
        token = DriverToken(
            uid=new_app_uid(),
            kind=TokenKind.APP,
            contract_id=new_contract_id(self._country_code, self._party_id),
            account_id=account_id,
            state=self._state_for(account_id),
            updated_at=self._clock.now(),
        )
        self._store.add(token)
        return token

    def app_token(self, account_id: AccountId) -> DriverToken | None:
        return next(
            (t for t in self._store.for_account(account_id) if t.kind is TokenKind.APP),
            None,
        )

    def register_card(
        self, account_id: AccountId, uid: str, visual_number: str | None = None
    ) -> DriverToken:
        """An RFID card the driver holds; CardTakenError if it is registered."""
        token = DriverToken(
            uid=card_uid(uid),
            kind=TokenKind.RFID,
            contract_id=new_contract_id(self._country_code, self._party_id),
            account_id=account_id,
            state=self._state_for(account_id),
            updated_at=self._clock.now(),
            visual_number=visual_number_of(visual_number),
        )
        self._store.add(token)
        return token

    def list_for(self, account_id: AccountId) -> Sequence[DriverToken]:
        return self._store.for_account(account_id)

    def block(self, account_id: AccountId) -> int:
        """Every token of the account turns invalid (authorize: BLOCKED)."""
        now = self._clock.now()
        self._store.set_blocked(account_id, now)
        return self._store.set_state(account_id, TokenState.BLOCKED, now)

    def unblock(self, account_id: AccountId) -> int:
        now = self._clock.now()
        self._store.set_blocked(account_id, None)
        return self._store.set_state(account_id, TokenState.ACTIVE, now)

    def erase(self, account_id: AccountId) -> int:
        """The account is erased: its tokens stay (never deleted), invalid and
        linked to no one (authorize: NOT_ALLOWED)."""
        now = self._clock.now()
        self._store.set_blocked(account_id, None)
        return self._store.set_state(account_id, TokenState.ERASED, now)

    def get(self, uid: str, kind: TokenKind | None = None) -> DriverToken:
        token = self._store.find(uid, kind)
        if token is None:
            raise TokenNotFoundError(uid)
        return token

    def find(self, uid: str, kind: TokenKind | None = None) -> DriverToken | None:
        return self._store.find(uid, kind)

    def page(
        self,
        updated_from: datetime | None,
        updated_to: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[DriverToken], int]:
        return self._store.page(updated_from, updated_to, offset, limit)

    def changed_after(
        self, after: tuple[datetime, str] | None, limit: int = 500
    ) -> Sequence[DriverToken]:
        return self._store.changed_after(after, limit)

    def _state_for(self, account_id: AccountId) -> TokenState:
        return (
            TokenState.BLOCKED
            if self._store.is_blocked(account_id)
            else TokenState.ACTIVE
        )

"""What accounts need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from evroam.accounts.model import Account, Vehicle, VinTransfer
from evroam.shared.ids import AccountId


class AccountRepository(Protocol):
    def add(self, account: Account, token_hash: str) -> None: ...

    def find(self, account_id: AccountId) -> Account | None: ...

    def find_by_token_hash(self, token_hash: str) -> Account | None: ...

    def add_vehicle(self, account_id: AccountId, vehicle: Vehicle) -> AccountId:
        """Register (or re-register) a vehicle by VIN for this account, unless
        another account holds the VIN: then nothing changes. Returns the
        account that holds the VIN afterwards (atomic: two accounts racing for
        one VIN cannot both get it)."""
        ...

    def vehicles(self, account_id: AccountId) -> Sequence[Vehicle]: ...

    def transfer_vehicle(self, transfer: VinTransfer) -> bool:
        """Move ``transfer.vin`` from ``from_account`` to ``to_account`` and keep
        ``transfer`` as its audit record, in one transaction; False (nothing
        changed) when ``from_account`` no longer holds the VIN."""
        ...

    def find_vehicle_holder(self, vin: str) -> AccountId | None: ...

    def vehicle_transfers(self, vin: str) -> Sequence[VinTransfer]:
        """The audit records of ``vin``, oldest first."""
        ...


class SignInStore(Protocol):
    """Logins (email or phone and a password hash) and browser sessions."""

    def add_login(
        self, account_id: AccountId, login: str, password_hash: str, at: datetime
    ) -> None:
        """Raises ``LoginTakenError`` when another account has ``login``."""
        ...

    def find_login(self, login: str) -> tuple[AccountId, str] | None:
        """The account and password hash of ``login``."""
        ...

    def add_web_session(
        self,
        token_hash: str,
        account_id: AccountId,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    def find_web_session(self, token_hash: str, now: datetime) -> AccountId | None:
        """The account of a session that has not expired at ``now``."""
        ...

    def delete_web_session(self, token_hash: str) -> None: ...

"""What accounts need from storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evroam.accounts.model import Account, Vehicle
from evroam.shared.ids import AccountId


class AccountRepository(Protocol):
    def add(self, account: Account, token_hash: str) -> None: ...

    def find(self, account_id: AccountId) -> Account | None: ...

    def find_by_token_hash(self, token_hash: str) -> Account | None: ...

    def add_vehicle(self, account_id: AccountId, vehicle: Vehicle) -> None:
        """Register (or re-register) a vehicle by VIN for this account."""
        ...

    def vehicles(self, account_id: AccountId) -> Sequence[Vehicle]: ...

"""Accounts and the vehicles drivers register."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from evroam.accounts.errors import InvalidVehicleError
from evroam.shared.ids import AccountId

# ISO 3779: 17 characters, digits and capitals except I, O and Q.
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


@dataclass(frozen=True, slots=True)
class Account:
    id: AccountId
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A car a driver owns; brand and delivery date decide brand discounts."""

    vin: str
    brand: str
    model: str
    delivery_date: date
    catalogue_id: str | None = None  # the vehicle catalogue's model, if named

    def __post_init__(self) -> None:
        if not _VIN.fullmatch(self.vin):
            raise InvalidVehicleError(
                "vin", "must be 17 characters: digits and capitals except I, O, Q"
            )
        if not self.brand.strip():
            raise InvalidVehicleError("brand", "must not be empty")


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A created account and its bearer token (shown once, stored hashed)."""

    account: Account
    token: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A browser session opened by a password: its token goes in an HttpOnly
    cookie (shown once, stored hashed) and stops working at ``expires_at``."""

    account: Account
    session_token: str
    issued_at: datetime
    expires_at: datetime

    @property
    def lifetime_s(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())


@dataclass(frozen=True, slots=True)
class VinTransfer:
    """An operator moved a vehicle from one account to another (audited: who,
    when, why; docs/privacy.md, 'A VIN belongs to one account')."""

    id: str
    vin: str
    from_account: AccountId
    to_account: AccountId
    performed_by: str  # the operator's staff member who checked the papers
    reason: str
    transferred_at: datetime

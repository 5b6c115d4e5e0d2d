"""Account errors.

EvroamError
├── NotFoundError
│   └── AccountNotFoundError
├── InvalidInputError
│   └── InvalidVehicleError     a VIN or date that cannot be right
└── AuthenticationError         no or unknown bearer token
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class AccountNotFoundError(NotFoundError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"no account {account_id!r}")


class InvalidVehicleError(InvalidInputError):
    """A vehicle registration that cannot be right (names the field)."""


class AuthenticationError(EvroamError):
    """The caller is not a known account."""

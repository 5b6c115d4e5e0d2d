"""Account errors.

EvroamError
├── NotFoundError
│   ├── AccountNotFoundError
│   └── VehicleNotFoundError    no account holds this VIN
├── InvalidInputError
│   ├── InvalidVehicleError     a VIN or date that cannot be right
│   ├── LoginTakenError         another account signs in with this login
│   └── VinTakenError           another account holds this vehicle (409)
└── AuthenticationError         no or unknown bearer token or session
    └── SignInFailedError       unknown login or wrong password (not which)
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class AccountNotFoundError(NotFoundError):
    def __init__(self, account_id: str) -> None:
        super().__init__(f"no account {account_id!r}")


class VehicleNotFoundError(NotFoundError):
    def __init__(self, vin: str) -> None:
        super().__init__(f"no account holds the vehicle {vin!r}")


class InvalidVehicleError(InvalidInputError):
    """A vehicle registration that cannot be right (names the field)."""


class AuthenticationError(EvroamError):
    """The caller is not a known account."""


class VinTakenError(InvalidInputError):
    """Another account holds this VIN; a driver cannot take it (and its brand
    discount) by registering it. The owner claims it through the operator."""

    def __init__(self, vin: str) -> None:
        super().__init__(
            "vin",
            f"{vin} is registered to another account; if the car is yours, "
            "ask the operator to move it to your account (docs/privacy.md, "
            "'A VIN belongs to one account')",
        )
        self.vin = vin


class LoginTakenError(InvalidInputError):
    """Another account already signs in with this email or phone number."""

    def __init__(self) -> None:
        super().__init__("login", "another account already uses it; sign in instead")


class SignInFailedError(AuthenticationError):
    """The login is unknown or the password wrong (never says which)."""

"""Pricing errors.

EvroamError
└── InvalidInputError
    └── PricingError              input the pricing engine cannot price
        ├── InvalidSessionError   a charge session breaks a rule (names the field)
        └── InvalidTariffError    a tariff breaks a rule (names the field)
"""

from evroam.shared.errors import InvalidInputError


class PricingError(InvalidInputError):
    """Input the pricing engine cannot price."""


class InvalidSessionError(PricingError):
    """A charge session breaks a rule."""


class InvalidTariffError(PricingError):
    """A tariff breaks a rule."""

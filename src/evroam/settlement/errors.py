"""Errors of the settlement context.

    EvroamError
    └── SettlementError
        └── PartnerRecordsUnavailableError   the partner's records cannot be had

A malformed period is ``shared.errors.InvalidInputError`` naming ``period``.
"""

from evroam.shared.errors import EvroamError


class SettlementError(EvroamError):
    """Base of the settlement context's errors."""


class PartnerRecordsUnavailableError(SettlementError):
    """The partner's own records for a period could not be fetched."""

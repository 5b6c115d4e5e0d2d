"""Charging errors.

EvroamError
├── NotFoundError
│   ├── SessionNotFoundError        (also for another driver's session)
│   └── PileNotFoundError
├── InvalidInputError
│   └── InvalidSessionRequestError  a start that cannot be run (names the field)
└── ChargingError
    ├── PileUnavailableError        offline or busy pile
    ├── SessionStateError           e.g. stopping a session that ended
    ├── SessionConflictError        changed under us too often (retry later)
    └── IdempotencyKeyReusedError   same key, different request (409)
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class SessionNotFoundError(NotFoundError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"no charging session {session_id!r}")


class PileNotFoundError(NotFoundError):
    def __init__(self, pile_id: str) -> None:
        super().__init__(f"no pile {pile_id!r}")


class InvalidSessionRequestError(InvalidInputError):
    """A start request that cannot be run."""


class ChargingError(EvroamError):
    """A charging request that conflicts with the state of things."""


class PileUnavailableError(ChargingError):
    pass


class SessionStateError(ChargingError):
    pass


class IdempotencyKeyReusedError(ChargingError):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was used for a different request"
            " (a new request needs a new key)"
        )
        self.key = key


class SessionConflictError(ChargingError):
    """A session changed under us more often than we retried (very busy)."""


class InvalidChargeRecordError(InvalidInputError):
    """A partner's charge record that is malformed (negative values, an end
    before its start): refused, nothing stored (OCPI 2001, T/CEC Ret 4004)."""

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
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was used for a different request")

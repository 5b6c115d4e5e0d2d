"""Errors of reservations and cable reports.

EvroamError
├── NotFoundError
│   └── RequestNotFoundError          no such reservation or report (of yours)
├── InvalidInputError
│   └── InvalidRequestError           e.g. minutes outside 5-30
└── PileRequestError
    └── NotReservableError            the pile takes no reservations now
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class PileRequestError(EvroamError):
    """A request the pile or its partner cannot take."""


class NotReservableError(PileRequestError):
    pass


class RequestNotFoundError(NotFoundError):
    def __init__(self, request_id: str) -> None:
        super().__init__(f"no request {request_id!r}")


class InvalidRequestError(InvalidInputError):
    pass

"""Driver token errors.

EvroamError
├── NotFoundError
│   └── TokenNotFoundError          no token with this uid
├── InvalidInputError
│   └── InvalidCardError            an RFID uid that cannot be a card's
└── TokenError
    └── CardTakenError              the card is registered already
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class TokenError(EvroamError):
    """Base of the errors of driver tokens that are neither not-found nor input."""


class TokenNotFoundError(NotFoundError):
    def __init__(self, uid: str) -> None:
        super().__init__(f"no token {uid!r}")


class InvalidCardError(InvalidInputError):
    """An RFID card registration that cannot be right (names the field)."""


class CardTakenError(TokenError):
    """Another registration holds this card's uid."""

    def __init__(self, uid: str) -> None:
        super().__init__(f"the card {uid} is registered already")

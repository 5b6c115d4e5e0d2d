"""Partner errors.

EvroamError
├── NotFoundError
│   └── PartnerNotFoundError
├── InvalidInputError
│   └── InvalidPartnerError        credentials or settings that cannot work
└── PartnerError
    ├── PartnerUnreachableError    network failure talking to the partner
    └── HandshakeError             the partner refused our credentials
"""

from evroam.shared.errors import EvroamError, InvalidInputError, NotFoundError


class PartnerNotFoundError(NotFoundError):
    def __init__(self, partner_id: str) -> None:
        super().__init__(f"no partner named {partner_id!r}")
        self.partner_id = partner_id


class InvalidPartnerError(InvalidInputError):
    """Partner settings that cannot work (names the field)."""


class PartnerError(EvroamError):
    """Talking to a partner failed."""


class PartnerUnreachableError(PartnerError):
    """The partner did not answer (refused, timed out, 5xx)."""


class HandshakeError(PartnerError):
    """The partner answered but refused our credentials."""

"""The root of every evroam error.

    EvroamError
    ├── NotFoundError          a thing the caller named does not exist
    └── InvalidInputError      the caller's input breaks a rule (names the field)

Each context derives its own errors from these (``catalogue.errors``), so
entrypoints can map whole families to HTTP statuses and exit codes.
"""

from evroam.shared.message import Message


class EvroamError(Exception):
    """Base of every error raised on purpose by evroam code."""


class NotFoundError(EvroamError):
    """The named thing does not exist."""


class InvalidInputError(EvroamError):
    """Input breaks a rule; ``field`` names the offending input. ``said`` is the
    same sentence with a code and parameters for clients in other languages, where
    a driver is meant to read it (ADR 0045)."""

    def __init__(self, field: str, message: str, said: Message | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.said = said

"""The root of every evroam error.

    EvroamError
    ├── NotFoundError          a thing the caller named does not exist
    └── InvalidInputError      the caller's input breaks a rule (names the field)

Each context derives its own errors from these (``catalogue.errors``), so
entrypoints can map whole families to HTTP statuses and exit codes.
"""


class EvroamError(Exception):
    """Base of every error raised on purpose by evroam code."""


class NotFoundError(EvroamError):
    """The named thing does not exist."""


class InvalidInputError(EvroamError):
    """Input breaks a rule; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

"""Catalogue errors.

EvroamError
├── NotFoundError
│   └── StationNotFoundError
└── InvalidInputError
    └── InvalidQueryError     a search that cannot be run (names the field)
"""

from evroam.shared.errors import InvalidInputError, NotFoundError


class StationNotFoundError(NotFoundError):
    def __init__(self, station_id: str) -> None:
        super().__init__(f"no station with id {station_id!r}")
        self.station_id = station_id


class InvalidQueryError(InvalidInputError):
    """A station search with input that cannot be run."""

"""Catalogue errors.

EvroamError
├── NotFoundError
│   ├── StationNotFoundError
│   └── TariffNotFoundError    a station names a tariff its partner never sent
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


class TariffNotFoundError(NotFoundError):
    def __init__(self, tariff_id: str) -> None:
        super().__init__(f"no tariff with id {tariff_id!r}")
        self.tariff_id = tariff_id

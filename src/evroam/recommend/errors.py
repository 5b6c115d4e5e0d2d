"""Recommendation errors.

EvroamError
├── NotFoundError
│   └── VehicleNotFoundError        no catalogue model has that id
└── InvalidInputError
    ├── InvalidVehicleSpecError     a custom vehicle breaks a rule (names the field)
    └── InvalidRecommendRequestError  SoC, targets or limits out of range
"""

from evroam.shared.errors import InvalidInputError, NotFoundError


class VehicleNotFoundError(NotFoundError):
    def __init__(self, vehicle_id: str) -> None:
        super().__init__(f"no vehicle model with id {vehicle_id!r}")
        self.vehicle_id = vehicle_id


class InvalidVehicleSpecError(InvalidInputError):
    """A custom vehicle with figures we cannot use."""


class InvalidRecommendRequestError(InvalidInputError):
    """A recommendation request that cannot be answered as asked."""

"""Pile requests: reservations and stuck-cable reports (OCPI pile commands)."""

from evroam.pile_requests.errors import (
    InvalidRequestError,
    NotReservableError,
    PileRequestError,
    RequestNotFoundError,
)
from evroam.pile_requests.model import (
    CableReport,
    Outcome,
    ReportStatus,
    Reservation,
    ReservationStatus,
)
from evroam.pile_requests.ports import (
    CommandAnswer,
    PileCommands,
    PileRequestStore,
    PileTarget,
)
from evroam.pile_requests.service import PileRequestService

__all__ = [
    "CableReport",
    "CommandAnswer",
    "InvalidRequestError",
    "NotReservableError",
    "Outcome",
    "PileCommands",
    "PileRequestError",
    "PileRequestService",
    "PileRequestStore",
    "PileTarget",
    "ReportStatus",
    "RequestNotFoundError",
    "Reservation",
    "ReservationStatus",
]

"""Errors of drivers' pile reports.

EvroamError
├── NotFoundError
│   └── UnknownPileError              no such pile
└── PileReportError
    ├── ReportConsentRequiredError    the driver has not consented (403)
    ├── AlreadyReportedError          this pile, by this driver, within the hour (409)
    └── TooManyReportsError           the driver's hourly limit is spent (429)
"""

from evroam.shared.errors import EvroamError, NotFoundError


class PileReportError(EvroamError):
    """A report the hub refuses; nothing is stored."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ReportConsentRequiredError(PileReportError):
    pass


class AlreadyReportedError(PileReportError):
    pass


class TooManyReportsError(PileReportError):
    pass


class UnknownPileError(NotFoundError):
    def __init__(self, pile_id: str) -> None:
        super().__init__(f"no pile {pile_id!r}")

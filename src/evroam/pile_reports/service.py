"""Drivers report piles; partners and the admin read the tallies."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from evroam.catalogue.model import Station
from evroam.pile_reports.errors import (
    AlreadyReportedError,
    ReportConsentRequiredError,
    TooManyReportsError,
    UnknownPileError,
)
from evroam.pile_reports.model import (
    MAX_REPORTS_PER_HOUR,
    SAME_PILE_WINDOW,
    PileReport,
    PileTally,
    ReportKind,
    tally,
)
from evroam.pile_reports.ports import PileReportStore
from evroam.shared.clock import Clock
from evroam.shared.ids import AccountId, OperatorId, PileId

CONSENT_HINT = 'PUT /api/v1/me/consent {"pile_reports": true}'


@dataclass(frozen=True, slots=True)
class PartnerReports:
    """A partner's reports over ``[since, until)``: per pile and each one."""

    operator_id: OperatorId | None
    since: datetime
    until: datetime
    piles: tuple[PileTally, ...]
    reports: tuple[PileReport, ...]

    @property
    def broken(self) -> int:
        return sum(t.broken for t in self.piles)

    @property
    def blocked(self) -> int:
        return sum(t.blocked for t in self.piles)


class PileReportService:
    def __init__(
        self,
        store: PileReportStore,
        find_station_of_pile: Callable[[PileId], Station | None],
        has_consented: Callable[[AccountId], bool],
        clock: Clock,
    ) -> None:
        self._store = store
        self._station_of = find_station_of_pile
        self._has_consented = has_consented
        self._clock = clock

    def report_pile(
        self, account_id: AccountId, pile_id: PileId, kind: ReportKind
    ) -> PileReport:
        """Keep the driver's report; refused, with nothing stored, without
        consent, within the hour of their last report of the pile, or past
        their hourly limit."""
        if not self._has_consented(account_id):
            raise ReportConsentRequiredError(
                f"reporting a pile needs your consent: {CONSENT_HINT}"
            )
        station = self._station_of(pile_id)
        if station is None:
            raise UnknownPileError(pile_id)
        now = self._clock.now()
        latest = self._store.latest_of(account_id, pile_id)
        if latest is not None and now - latest < SAME_PILE_WINDOW:
            raise AlreadyReportedError(
                "you reported this pile less than an hour ago",
                _seconds(latest + SAME_PILE_WINDOW - now),
            )
        if self._store.count_since(account_id, now - timedelta(hours=1)) >= (
            MAX_REPORTS_PER_HOUR
        ):
            raise TooManyReportsError(
                f"at most {MAX_REPORTS_PER_HOUR} reports an hour", 600
            )
        report = PileReport(
            id=f"rep_{uuid.uuid4().hex[:16]}",
            account_id=account_id,
            operator_id=station.operator_id,
            station_id=station.id,
            pile_id=pile_id,
            kind=kind,
            reported_at=now,
        )
        if not self._store.add(report):
            raise AlreadyReportedError("you reported this pile this hour", 60)
        return report

    def reports_of(self, account_id: AccountId) -> tuple[PileReport, ...]:
        """The driver's own reports, oldest first."""
        return tuple(self._store.reports_of(account_id))

    def list_reports(
        self, operator_id: OperatorId | None, since: datetime, until: datetime
    ) -> PartnerReports:
        """A partner's (or every) report in ``[since, until)``, and per pile."""
        reports = tuple(self._store.list_reports(operator_id, since, until))
        return PartnerReports(operator_id, since, until, tally(reports), reports)


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()) + 1, 1)

"""What pile reports need: a store that keeps one report per driver, pile and hour."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from evroam.pile_reports.model import PileReport
from evroam.shared.ids import AccountId, OperatorId, PileId


class PileReportStore(Protocol):
    def add(self, report: PileReport) -> bool:
        """Store it; False (and nothing stored) when the driver already has a
        report of the pile in its UTC hour slot."""
        ...

    def latest_of(self, account_id: AccountId, pile_id: PileId) -> datetime | None:
        """When the driver last reported the pile."""
        ...

    def count_since(self, account_id: AccountId, since: datetime) -> int:
        """The driver's reports at ``since`` or later."""
        ...

    def reports_of(self, account_id: AccountId) -> Sequence[PileReport]:
        """Every report the driver sent, oldest first (their data export)."""
        ...

    def list_reports(
        self, operator_id: OperatorId | None, since: datetime, until: datetime
    ) -> Sequence[PileReport]:
        """Reports in ``[since, until)`` of one partner's piles (or all), oldest
        first."""
        ...

"""Ports of the settlement context: our billed records, the partner's records."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Protocol

from evroam.settlement.model import OurRecord, PartnerLedger, PeriodTotals, Statement
from evroam.shared.ids import OperatorId


class SettlementRepository(Protocol):
    """Our billed charge records (ended in ``[starts_at, ends_at)``) and statements."""

    def period_totals(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PeriodTotals:
        """Sums computed by the database, not by reading every record."""
        ...

    def iter_records(
        self, operator_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> Iterator[OurRecord]:
        """Every record, streamed (a month may hold millions)."""
        ...

    def find_by_session(
        self, operator_id: OperatorId, session_ids: Collection[str]
    ) -> list[OurRecord]:
        """The records of these sessions that we hold (any period)."""
        ...

    def save_statement(self, statement: Statement) -> None:
        """Keep it; a later statement of the same partner and period replaces it."""
        ...


class PartnerRecords(Protocol):
    """A partner's own records of a period (one adapter per protocol)."""

    async def pull(
        self, partner_id: OperatorId, starts_at: datetime, ends_at: datetime
    ) -> PartnerLedger:
        """Records that ended in ``[starts_at, ends_at)``; raises
        ``PartnerRecordsUnavailableError`` when the partner cannot tell."""
        ...

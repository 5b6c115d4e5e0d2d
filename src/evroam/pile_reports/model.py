"""A driver's report of a pile, and the tallies partners and the admin see."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from evroam.shared.ids import AccountId, OperatorId, PileId, StationId

SAME_PILE_WINDOW = timedelta(hours=1)
"""One report per driver per pile in this long (a second one is refused)."""
MAX_REPORTS_PER_HOUR = 10
"""A driver's reports of any piles in the last hour, at most."""


class ReportKind(enum.StrEnum):
    BROKEN = "broken"  # the pile does not charge
    BLOCKED = "blocked"  # the bay is taken (a fuel car, a car not charging)


@dataclass(frozen=True, slots=True)
class PileReport:
    """Personal data (who reported, ADR 0010): erasure re-keys ``account_id``."""

    id: str
    account_id: AccountId
    operator_id: OperatorId
    station_id: StationId
    pile_id: PileId
    kind: ReportKind
    reported_at: datetime

    def __post_init__(self) -> None:
        if self.reported_at.tzinfo is None:
            raise ValueError("PileReport.reported_at must be timezone-aware")

    @property
    def hour_slot(self) -> datetime:
        """The UTC clock hour of the report: the store keeps one per driver,
        pile and slot, so two requests at once cannot both pass the check."""
        return self.reported_at.astimezone(UTC).replace(
            minute=0, second=0, microsecond=0
        )


@dataclass(frozen=True, slots=True)
class PileTally:
    """How often drivers reported one pile, by kind."""

    pile_id: PileId
    station_id: StationId
    broken: int
    blocked: int
    last_reported_at: datetime


def tally(reports: Iterable[PileReport]) -> tuple[PileTally, ...]:
    """Reports summed per pile, most reported first (then by pile id)."""
    counts: dict[PileId, list[int]] = {}
    last: dict[PileId, datetime] = {}
    stations: dict[PileId, StationId] = {}
    for r in reports:
        row = counts.setdefault(r.pile_id, [0, 0])
        row[0 if r.kind is ReportKind.BROKEN else 1] += 1
        last[r.pile_id] = max(last.get(r.pile_id, r.reported_at), r.reported_at)
        stations[r.pile_id] = r.station_id
    rows = [
        PileTally(pile, stations[pile], broken, blocked, last[pile])
        for pile, (broken, blocked) in counts.items()
    ]
    rows.sort(key=lambda t: (-(t.broken + t.blocked), t.pile_id))
    return tuple(rows)

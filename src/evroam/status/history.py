"""The pile status history: rows of change, and the import of past changes.

Every status change the hub records is one ``PileStatusChange``: the pile went
from ``previous`` to ``status`` at ``changed_at``. Two edges are marked with
None: ``previous`` None is the first row of what the hub knows of a pile (it
was first seen then), ``status`` None is where that knowledge ends (the last
row of an import). Reports sum the rows (busy share, hours observed) without
ordering them, so both edges must be explicit (ADR 0024).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from evroam.catalogue.model import PileStatus, Station, StatusCategory
from evroam.shared.ids import PileId

# An import ends this long before the first change the hub recorded itself.
IMPORT_GAP = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class PileStatusChange:
    """One row of the history (``changed_at`` aware UTC)."""

    pile_id: PileId
    changed_at: datetime
    status: PileStatus | None
    previous: PileStatus | None

    def __post_init__(self) -> None:
        if self.changed_at.tzinfo is None:
            raise ValueError("PileStatusChange.changed_at must be timezone-aware")


def is_busy(status: PileStatus | None) -> bool:
    return status is not None and status.category is StatusCategory.BUSY


def first_seen(
    stations: Iterable[Station], held: Mapping[str, object]
) -> list[PileStatusChange]:
    """The rows that open the history of the piles of ``stations`` the hub did
    not hold (``held`` is keyed by the pile ids it holds)."""
    return [
        PileStatusChange(pile.id, pile.status_at, pile.status, None)
        for station in stations
        for pile in station.piles
        if pile.id not in held and pile.status_at is not None
    ]


@dataclass(frozen=True, slots=True)
class StatusAt:
    """A pile had ``status`` from ``at`` on (one step of a past timeline)."""

    at: datetime
    status: PileStatus


def imported_changes(
    pile_id: PileId,
    timeline: Iterable[StatusAt],
    ends_at: datetime,
    first_recorded_at: datetime | None,
) -> list[PileStatusChange]:
    """The history rows of a past ``timeline`` of one pile, to import.

    The import covers what happened before the hub saw the pile itself: it
    stops at ``ends_at`` or ``IMPORT_GAP`` before ``first_recorded_at``,
    whichever comes first, and later steps are dropped. The first row opens
    the hub's knowledge of the pile (``previous`` None), repeats of a status
    are no change, and a last row (``status`` None) closes it, so the rows the
    hub recorded live go on from a clean edge.
    """
    end = ends_at
    if first_recorded_at is not None:
        end = min(end, first_recorded_at - IMPORT_GAP)
    rows: list[PileStatusChange] = []
    held: PileStatus | None = None
    for step in sorted(timeline, key=lambda s: s.at):
        if step.at >= end:
            break
        if rows and step.status is held:
            continue
        rows.append(PileStatusChange(pile_id, step.at, step.status, held))
        held = step.status
    if rows:
        rows.append(PileStatusChange(pile_id, end, None, held))
    return rows


def import_rows(
    timelines: Mapping[PileId, Sequence[StatusAt]],
    ends_at: datetime,
    first_recorded: Mapping[PileId, datetime],
) -> list[PileStatusChange]:
    """``imported_changes`` of every pile, in one list."""
    return [
        row
        for pile_id, timeline in timelines.items()
        for row in imported_changes(
            pile_id, timeline, ends_at, first_recorded.get(pile_id)
        )
    ]

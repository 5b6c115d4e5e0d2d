"""A station's outlook for the map and the station API (ADR 0039).

The chance a pile is free when the driver gets there, and how fresh the live
status is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from evroam.catalogue.model import ConnectorStandard, Station
from evroam.catalogue.search import StationSummary
from evroam.recommend.availability import (
    FADE_MINUTES_AC,
    FADE_MINUTES_DC,
    ChanceBasis,
    arrival,
    hour_of_week,
    status_age_s,
)
from evroam.recommend.ports import (
    AvailabilityHistory,
    OccupancyHistory,
    PileReliability,
)
from evroam.recommend.reliability import PileTrack
from evroam.recommend.wait import (
    AC_SESSION_MINUTES,
    DC_SESSION_MINUTES,
    DailyProfileHistory,
    PileState,
)
from evroam.shared.clock import Clock

_DC = frozenset(
    {
        ConnectorStandard.GBT_DC,
        ConnectorStandard.CCS2,
        ConnectorStandard.CHADEMO,
        ConnectorStandard.NACS,
    }
)


@dataclass(frozen=True, slots=True)
class StationOutlook:
    """``free_chance`` None: no online pile (or a swap station, whose queue
    and stock say more)."""

    free_chance: float | None
    basis: ChanceBasis | None
    in_minutes: float
    status_age_s: int | None


class OutlookService:
    def __init__(
        self,
        availability: AvailabilityHistory | None,
        clock: Clock,
        history: OccupancyHistory | None = None,
        reliability: PileReliability | None = None,
    ) -> None:
        self._availability = availability
        self._clock = clock
        self._history = history or DailyProfileHistory()
        self._reliability = reliability

    def pile_tracks(self, station: Station) -> dict[str, PileTrack]:
        """The station's piles with something against them (ADR 0040)."""
        if self._reliability is None:
            return {}
        tracks = {p.id: self._reliability.track(p.id) for p in station.piles}
        return {pile_id: t for pile_id, t in tracks.items() if t is not None}

    def outlook(self, summary: StationSummary, in_minutes: float) -> StationOutlook:
        """The station seen by a driver arriving ``in_minutes`` from now."""
        now = self._clock.now()
        age = status_age_s(summary.updated_at, now)
        online = summary.piles.free + summary.piles.busy
        if summary.is_swap or online < 1:
            return StationOutlook(None, None, in_minutes, age)
        local = (now + timedelta(minutes=in_minutes)).astimezone(
            ZoneInfo(summary.time_zone)
        )
        share = (
            None
            if self._availability is None
            else self._availability.share(
                summary.id, summary.operator_id, hour_of_week(local)
            )
        )
        is_dc = bool(summary.connectors & _DC)
        out = arrival(
            PileState(online, summary.piles.free),
            share,
            self._history.expected_utilisation(summary.id, local),
            in_minutes,
            DC_SESSION_MINUTES if is_dc else AC_SESSION_MINUTES,
            FADE_MINUTES_DC if is_dc else FADE_MINUTES_AC,
        )
        return StationOutlook(out.free_chance, out.basis, in_minutes, age)

"""In-memory implementations of every port, plus a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from evroam.catalogue.model import Operator, PileStatus, Station, count_piles
from evroam.catalogue.search import (
    BoxQuery,
    Candidate,
    Cluster,
    NearQuery,
    OperatorStats,
    StationFilter,
    StationSummary,
    summarise,
)
from evroam.pricing.tariff import Tariff
from evroam.shared.geo import BoundingBox, distance_m
from evroam.shared.ids import OperatorId, StationId, TariffId
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now


def _matches(s: Station, f: StationFilter) -> bool:
    summary = summarise(s)
    checks = (
        not f.connectors or bool(f.connectors & summary.connectors),
        f.min_power_kw is None or summary.max_power_kw >= f.min_power_kw,
        not f.operator_ids or s.operator_id in f.operator_ids,
        f.is_available is None or (summary.piles.free > 0) == f.is_available,
        f.is_swap is None or s.is_swap == f.is_swap,
    )
    return all(checks)


class InMemoryStationRepository:
    def __init__(self) -> None:
        self.operators: dict[OperatorId, Operator] = {}
        self.tariffs: dict[TariffId, Tariff] = {}
        self.stations: dict[StationId, Station] = {}

    def save_operator(self, operator: Operator) -> None:
        self.operators[operator.id] = operator

    def find_operator(self, operator_id: OperatorId) -> Operator | None:
        return self.operators.get(operator_id)

    def list_operator_stats(self) -> Sequence[OperatorStats]:
        return [
            OperatorStats(
                op,
                sum(1 for s in self.stations.values() if s.operator_id == op.id),
                sum(
                    len(s.piles)
                    for s in self.stations.values()
                    if s.operator_id == op.id
                ),
                sum(
                    1
                    for s in self.stations.values()
                    if s.operator_id == op.id and s.is_swap
                ),
            )
            for op in sorted(self.operators.values(), key=lambda o: o.id)
        ]

    def save_tariffs(self, tariffs: Iterable[Tariff]) -> None:
        self.tariffs.update({t.id: t for t in tariffs})

    def tariffs_by_id(self, ids: Iterable[TariffId]) -> dict[TariffId, Tariff]:
        return {i: self.tariffs[i] for i in ids if i in self.tariffs}

    def save_stations(self, stations: Iterable[Station]) -> int:
        count = 0
        for station in stations:
            self.stations[station.id] = station
            count += 1
        return count

    def find_station(self, station_id: StationId) -> Station | None:
        return self.stations.get(station_id)

    def candidates_near(self, query: NearQuery, want: int) -> Sequence[Candidate]:
        c = query.center
        hits = sorted(
            (distance_m(c.lat, c.lon, s.lat, s.lon), s.id, s)
            for s in self.stations.values()
            if _matches(s, query.filter)
        )
        return [
            Candidate(s.id, d, s.tariff_id, s.time_zone)
            for d, i, s in hits
            if d <= query.radius_m and (query.after is None or (d, i) > query.after)
        ]

    def candidates_in_box(self, query: BoxQuery, want: int) -> Sequence[Candidate]:
        rows = sorted(
            (
                s
                for s in self.stations.values()
                if query.box.contains(s.lat, s.lon)
                and _matches(s, query.filter)
                and (query.after is None or s.id > query.after)
            ),
            key=lambda s: s.id,
        )
        return [Candidate(s.id, None, s.tariff_id, s.time_zone) for s in rows[:want]]

    def summaries(self, ids: Sequence[StationId]) -> Sequence[StationSummary]:
        return [summarise(self.stations[i]) for i in ids if i in self.stations]

    def clusters(self, box: BoundingBox, cell_deg: float) -> Sequence[Cluster]:
        cells: dict[tuple[int, int], list[Station]] = {}
        for s in self.stations.values():
            if box.contains(s.lat, s.lon):
                key = (int(s.lat // cell_deg), int(s.lon // cell_deg))
                cells.setdefault(key, []).append(s)
        out = []
        for members in cells.values():
            counts = count_piles(tuple(p for s in members for p in s.piles))
            out.append(
                Cluster(
                    sum(s.lat for s in members) / len(members),
                    sum(s.lon for s in members) / len(members),
                    len(members),
                    counts,
                )
            )
        return out


class InMemoryStatusStore:
    """Status store over an InMemoryStationRepository's stations."""

    def __init__(self, repo: InMemoryStationRepository) -> None:
        self._repo = repo

    def apply(self, reports: Sequence[PileStatusReport]) -> list[PileStatusChanged]:
        changed = []
        for report in sorted(reports, key=lambda r: r.observed_at):
            for station in list(self._repo.stations.values()):
                piles = list(station.piles)
                for i, pile in enumerate(piles):
                    if pile.id != report.pile_id:
                        continue
                    if (
                        pile.status_at is not None
                        and report.observed_at <= pile.status_at
                    ):
                        continue
                    piles[i] = replace(
                        pile, status=report.status, status_at=report.observed_at
                    )
                    self._repo.stations[station.id] = replace(
                        station, piles=tuple(piles)
                    )
                    if pile.status != report.status:
                        changed.append(
                            PileStatusChanged(
                                station.id,
                                pile.id,
                                report.status,
                                report.observed_at,
                                station.lat,
                                station.lon,
                            )
                        )
        return changed

    def apply_swap_stock(self, reports: Sequence[SwapStockReport]) -> int:
        return 0

    def expire(
        self, operator_id: OperatorId, heard_before: datetime, now: datetime
    ) -> list[PileStatusChanged]:
        changed = []
        for station in list(self._repo.stations.values()):
            if station.operator_id != operator_id:
                continue
            piles = []
            for pile in station.piles:
                silent = pile.status_at is not None and pile.status_at < heard_before
                if silent and pile.status is not PileStatus.UNKNOWN:
                    pile = replace(pile, status=PileStatus.UNKNOWN)
                    changed.append(
                        PileStatusChanged(
                            station.id,
                            pile.id,
                            PileStatus.UNKNOWN,
                            now,
                            station.lat,
                            station.lon,
                        )
                    )
                piles.append(pile)
            self._repo.stations[station.id] = replace(station, piles=tuple(piles))
        return changed


class RecordingEventBus:
    def __init__(self) -> None:
        self.published: list[PileStatusChanged] = []

    async def publish(self, events: Sequence[PileStatusChanged]) -> None:
        self.published.extend(events)

    async def subscribe(self) -> AsyncIterator[PileStatusChanged]:
        for event in list(self.published):
            yield event

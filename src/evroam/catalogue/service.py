"""Catalogue use-cases: stations near a point or in a box, station detail, operators."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from evroam.catalogue.errors import (
    InvalidQueryError,
    StationNotFoundError,
    TariffNotFoundError,
)
from evroam.catalogue.model import Operator, Station
from evroam.catalogue.ports import StationRepository
from evroam.catalogue.search import (
    BoxQuery,
    Candidate,
    Cluster,
    NearQuery,
    OperatorStats,
    StationFilter,
    StationHit,
    StationPage,
    StationPoint,
    StationSummary,
    decode_cursor,
    encode_cursor,
)
from evroam.pricing.build import element_tariff
from evroam.pricing.elements import ElementTariff, TariffVersion
from evroam.pricing.tariff import PriceNow, Tariff
from evroam.shared.clock import Clock
from evroam.shared.geo import BoundingBox, GeoPoint, distance_m
from evroam.shared.ids import PileId, StationId, TariffId

# How many extra candidates to ask storage for when a price filter may drop some.
_PRICE_FILTER_HEADROOM = 4
# Tariffs a worker keeps in memory (each cache); the national network has fewer.
TARIFF_CACHE_SIZE = 20_000
_BEFORE_VERSIONS = datetime(2000, 1, 1, tzinfo=UTC)

K = TypeVar("K")
V = TypeVar("V")


class _Lru(OrderedDict[K, V]):
    """A dict that forgets its least recently read entries beyond ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size

    def get_fresh(self, key: K) -> V | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


@dataclass(frozen=True, slots=True)
class StationDetail:
    """A station, its time-of-use view (shown), the canonical tariff every
    price is computed from (ADR 0022) and the price now."""

    station: Station
    tariff: Tariff
    price_now: PriceNow
    priced: ElementTariff


class CatalogueService:
    """Stations and their tariffs. Tariffs are cached per worker and dropped
    whenever the stored tariffs' generation moves (a partner's sync in any
    process stores a new version: ADR 0023), so every worker prices the same."""

    def __init__(
        self,
        repository: StationRepository,
        clock: Clock,
        cache_size: int = TARIFF_CACHE_SIZE,
    ) -> None:
        self._repo = repository
        self._clock = clock
        self._tariffs: _Lru[TariffId, Tariff] = _Lru(cache_size)
        self._versions: _Lru[TariffId, TariffVersion] = _Lru(cache_size)
        self._generation: int | None = None

    # -- queries -------------------------------------------------------------------
    def find_stations_near(self, query: NearQuery) -> StationPage:
        """Stations within the radius, nearest first, one page at a time."""
        self._check_generation()
        page, prices, cursor = self._near_page(query)
        return StationPage(self._hits(page, prices), cursor)

    def find_stations_near_many(
        self, queries: Sequence[NearQuery]
    ) -> list[StationPage]:
        """The first page of each query, as ``find_stations_near`` gives it, with
        one tariff-generation check and one summaries read for them all (a
        trip's corridor asks dozens at once)."""
        self._check_generation()
        found = [self._near_page(query) for query in queries]
        ids = list(dict.fromkeys(c.station_id for page, _, _ in found for c in page))
        summaries = {s.id: s for s in self._repo.summaries(ids)}
        return [
            StationPage(
                tuple(
                    StationHit(
                        summaries[c.station_id], c.distance_m, prices[c.station_id]
                    )
                    for c in page
                    if c.station_id in summaries
                ),
                cursor,
            )
            for page, prices, cursor in found
        ]

    def _near_page(
        self, query: NearQuery
    ) -> tuple[list[Candidate], dict[StationId, PriceNow], str | None]:
        want = query.limit + 1
        while True:
            candidates = self._repo.candidates_near(query, want)
            kept, prices = self._apply_price_filter(
                candidates, query.filter, query.limit + 1
            )
            # Storage returns everything up to the radius it reached; fewer rows
            # than asked for means nothing further exists.
            if len(kept) > query.limit or len(candidates) < want:
                break
            want *= _PRICE_FILTER_HEADROOM
        has_more = len(kept) > query.limit
        page = kept[: query.limit]
        cursor = None
        if has_more and page:
            last = page[-1]
            cursor = encode_cursor(
                {"k": "near", "d": last.distance_m, "id": last.station_id}
            )
        return page, prices, cursor

    def find_stations_in_box(self, query: BoxQuery) -> StationPage:
        """Stations inside the box, by id, one page at a time."""
        self._check_generation()
        want = query.limit + 1
        if query.filter.max_price_per_kwh is not None:
            want *= _PRICE_FILTER_HEADROOM
        kept: list[Candidate] = []
        prices: dict[StationId, PriceNow] = {}
        after = query.after
        while len(kept) <= query.limit:
            batch = self._repo.candidates_in_box(
                BoxQuery(query.box, query.filter, query.limit, after), want
            )
            more, more_prices = self._apply_price_filter(
                batch, query.filter, query.limit + 1 - len(kept)
            )
            kept.extend(more)
            prices.update(more_prices)
            if len(batch) < want:
                break
            after = batch[-1].station_id
        page = kept[: query.limit]
        cursor = None
        if len(kept) > query.limit:
            cursor = encode_cursor({"k": "box", "id": page[-1].station_id})
        return StationPage(self._hits(page, prices), cursor)

    def find_station_points(
        self, box: BoundingBox, station_filter: StationFilter
    ) -> Sequence[StationPoint]:
        """Every station inside the box that passes the filter, positions only,
        in no order and on one page: the caller keeps the box small enough.
        A price filter is refused (points carry no price)."""
        if station_filter.max_price_per_kwh is not None:
            raise InvalidQueryError("max_price", "cannot filter station points")
        return self._repo.points_in_box(box, station_filter)

    def get_station(self, station_id: StationId) -> StationDetail:
        station = self._repo.find_station(station_id)
        if station is None:
            raise StationNotFoundError(station_id)
        self._check_generation()
        return self._detail(station)

    def get_stations(self, station_ids: Sequence[StationId]) -> list[StationDetail]:
        """Those of the stations that exist, in the order asked: two reads and
        one tariff-generation check for them all (the recommender evaluates a
        few stations per answer)."""
        found = self._repo.find_stations(station_ids)
        self._check_generation()
        return [self._detail(station) for station in found]

    def _detail(self, station: Station) -> StationDetail:
        tariff = self._tariffs_for([station.tariff_id]).get(station.tariff_id)
        if tariff is None:
            raise TariffNotFoundError(station.tariff_id)
        price = tariff.price_at(self._clock.now(), station.time_zone)
        priced = self._newest_version(station.tariff_id).tariff
        return StationDetail(station, tariff, price, priced)

    def priced_tariff(
        self,
        station: Station,
        at: datetime | None = None,
        tariff_id: TariffId | None = None,
    ) -> TariffVersion:
        """The canonical tariff of ``station`` (or of ``tariff_id``, the one a
        session started under) in force at ``at`` (now when None). A tariff
        stored before versions were kept is built from its time-of-use view."""
        wanted = tariff_id or station.tariff_id
        if at is not None:
            version = self._repo.tariff_version_at(wanted, at)
            if version is not None:
                return version
            return self._unversioned(wanted)
        self._check_generation()
        return self._newest_version(wanted)

    def _newest_version(self, wanted: TariffId) -> TariffVersion:
        """The version in force now, from the cache (the caller has checked
        the generation)."""
        version = self._versions.get_fresh(wanted)
        if version is None:
            version = self._repo.tariff_version_at(wanted)
            if version is not None:
                self._versions[wanted] = version
        if version is not None:
            return version
        return self._unversioned(wanted)

    def _unversioned(self, wanted: TariffId) -> TariffVersion:
        tariff = self._tariffs_for([wanted]).get(wanted)
        if tariff is None:
            raise TariffNotFoundError(wanted)
        return TariffVersion(element_tariff(tariff), _BEFORE_VERSIONS)

    def price_outlook(
        self, station_id: StationId, hours: int
    ) -> Sequence[tuple[datetime, PriceNow]]:
        """The unit prices from this hour on, one per hour (for the 24 h chart)."""
        if not 1 <= hours <= 168:
            raise InvalidQueryError("hours", "must be between 1 and 168")
        detail = self.get_station(station_id)
        start = self._clock.now().replace(minute=0, second=0, microsecond=0)
        moments = (start + timedelta(hours=h) for h in range(hours))
        zone = detail.station.time_zone
        return [(at, detail.tariff.price_at(at, zone)) for at in moments]

    def find_stations_named(
        self, text: str, near: GeoPoint | None, limit: int
    ) -> Sequence[StationSummary]:
        """Stations whose name or address contains ``text``, nearest ``near`` first."""
        wanted = text.strip()
        if len(wanted) < 2:
            return []
        found = self._repo.summaries_named(wanted, 200)
        if near is not None:
            found = sorted(
                found, key=lambda s: distance_m(near.lat, near.lon, s.lat, s.lon)
            )
        return found[:limit]

    def list_operators(self) -> Sequence[OperatorStats]:
        return self._repo.list_operator_stats()

    def clusters(self, box: BoundingBox, zoom: int) -> Sequence[Cluster]:
        """Grid clusters for a low-zoom map: cells about 60 screen pixels wide."""
        if not 0 <= zoom <= 22:
            raise InvalidQueryError("zoom", "must be between 0 and 22")
        cell_deg = 360.0 / (2**zoom) / 256.0 * 60.0
        return self._repo.clusters(box, cell_deg)

    def import_network(
        self,
        operators: Iterable[Operator],
        tariffs: Iterable[Tariff],
        stations: Iterable[Station],
        on_progress: Callable[[int], None] | None = None,
        batch_size: int = 2_000,
    ) -> int:
        """Load a whole network (operators, tariffs, streamed stations) in batches.

        Stations already present are replaced; returns how many were saved.
        """
        for operator in operators:
            self._repo.save_operator(operator)
        self._save_tariffs(list(tariffs), ())
        saved = 0
        batch: list[Station] = []
        for station in stations:
            batch.append(station)
            if len(batch) >= batch_size:
                saved += self._save_batch(batch, on_progress)
                batch = []
        if batch:
            saved += self._save_batch(batch, on_progress)
        return saved

    def _save_batch(
        self, batch: list[Station], on_progress: Callable[[int], None] | None
    ) -> int:
        count = self._repo.save_stations(batch)
        if on_progress is not None:
            on_progress(count)
        return count

    def register_operator(self, operator: Operator) -> None:
        self._repo.save_operator(operator)

    def save_network_batch(
        self,
        tariffs: Iterable[Tariff],
        stations: Iterable[Station],
        priced: Iterable[ElementTariff] = (),
    ) -> int:
        """Store a batch of a partner's tariffs and stations (replacing older ones).

        ``tariffs`` are the time-of-use views shown; ``priced`` the canonical
        tariffs of the same ids where the partner's protocol says more (OCPI);
        the others are priced as their time-of-use view built (ADR 0022). A
        tariff that changed gets a new version, in force from now.

        Piles already held keep their status: live status only changes through
        order-safe reports (status context), never by overwriting.
        """
        self._save_tariffs(list(tariffs), tuple(priced))
        return self._repo.save_stations(stations, keep_status=True)

    def _save_tariffs(
        self, tariffs: list[Tariff], priced: tuple[ElementTariff, ...]
    ) -> None:
        if not tariffs and not priced:
            return
        if tariffs:
            self._repo.save_tariffs(tariffs)
        canonical: dict[str, ElementTariff] = {t.id: element_tariff(t) for t in tariffs}
        canonical.update({p.id: p for p in priced})
        self._repo.save_tariff_versions(canonical.values(), self._clock.now())
        self.invalidate_tariffs(TariffId(i) for i in canonical)

    def find_station(self, station_id: StationId) -> Station | None:
        return self._repo.find_station(station_id)

    def find_station_of_pile(self, pile_id: PileId) -> Station | None:
        return self._repo.find_station_of_pile(pile_id)

    def invalidate_tariffs(self, ids: Iterable[TariffId] | None = None) -> None:
        """Forget cached tariffs (all, or the given ones) after partners change them."""
        if ids is None:
            self._tariffs.clear()
            self._versions.clear()
        else:
            for tariff_id in ids:
                self._tariffs.pop(tariff_id, None)
                self._versions.pop(tariff_id, None)

    def _check_generation(self) -> None:
        """Drop every cached tariff when another process stored a version."""
        generation = self._repo.tariff_generation()
        if generation != self._generation:
            self.invalidate_tariffs()
            self._generation = generation

    # -- internals -------------------------------------------------------------------
    def _tariffs_for(self, ids: Iterable[TariffId]) -> dict[TariffId, Tariff]:
        wanted = set(ids)
        found = {i: t for i in wanted if (t := self._tariffs.get_fresh(i)) is not None}
        if missing := wanted - set(found):
            loaded = self._repo.tariffs_by_id(missing)
            for tariff_id, tariff in loaded.items():
                self._tariffs[tariff_id] = tariff
            found.update(loaded)
        return found

    def _apply_price_filter(
        self, candidates: Sequence[Candidate], f: StationFilter, want: int
    ) -> tuple[list[Candidate], dict[StationId, PriceNow]]:
        now = self._clock.now()
        tariffs = self._tariffs_for(c.tariff_id for c in candidates[: want * 8])
        kept: list[Candidate] = []
        prices: dict[StationId, PriceNow] = {}
        for candidate in candidates:
            tariff = tariffs.get(candidate.tariff_id)
            if tariff is None:
                tariffs.update(self._tariffs_for([candidate.tariff_id]))
                tariff = tariffs.get(candidate.tariff_id)
            if tariff is None:
                continue  # a station whose tariff never arrived is not priced
            price = tariff.price_at(now, candidate.time_zone)
            if (
                f.max_price_per_kwh is not None
                and price.total_per_kwh > f.max_price_per_kwh
            ):
                continue
            kept.append(candidate)
            prices[candidate.station_id] = price
            if len(kept) >= want:
                break
        return kept, prices

    def _hits(
        self, page: Sequence[Candidate], prices: dict[StationId, PriceNow]
    ) -> tuple[StationHit, ...]:
        summaries = self._repo.summaries([c.station_id for c in page])
        distances = {c.station_id: c.distance_m for c in page}
        return tuple(StationHit(s, distances[s.id], prices[s.id]) for s in summaries)


def near_after(cursor: str | None) -> tuple[float, str] | None:
    """The (distance, id) mark a near-query cursor stands for."""
    if cursor is None:
        return None
    value = decode_cursor(cursor)
    distance, station_id = value.get("d"), value.get("id")
    if value.get("k") != "near" or not isinstance(station_id, str):
        raise InvalidQueryError("cursor", "is not a cursor of a near query")
    if not isinstance(distance, int | float) or isinstance(distance, bool):
        raise InvalidQueryError("cursor", "is not a cursor this API issued")
    if not math.isfinite(distance) or distance < 0:
        raise InvalidQueryError("cursor", "is not a cursor this API issued")
    return float(distance), station_id


def box_after(cursor: str | None) -> str | None:
    """The station id a box-query cursor stands for."""
    if cursor is None:
        return None
    value = decode_cursor(cursor)
    station_id = value.get("id")
    if value.get("k") != "box" or not isinstance(station_id, str):
        raise InvalidQueryError("cursor", "is not a cursor of a box query")
    return station_id

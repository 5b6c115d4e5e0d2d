"""Catalogue use-cases over the in-memory repository: search, paging, detail, import."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.catalogue.errors import InvalidQueryError, StationNotFoundError
from evroam.catalogue.model import Station
from evroam.catalogue.search import BoxQuery, NearQuery, StationFilter, StationPage
from evroam.catalogue.service import CatalogueService, box_after, near_after
from evroam.pricing.tariff import PeriodKind, PeriodPrice, Tariff
from evroam.shared.errors import EvroamError, NotFoundError
from evroam.shared.geo import BoundingBox, GeoPoint, distance_m
from evroam.shared.ids import OperatorId, StationId, TariffId
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import FixedClock, InMemoryStationRepository

CENTRE = GeoPoint(31.2304, 121.4737)  # People's Square, Shanghai
RADIUS_M = 20_000.0
GRID_DEG = 0.01  # about 1.1 km between neighbouring test stations
AT_2330_SHANGHAI = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
CHEAP = TariffId("t-cheap")
MAX_PAGES = 1_000


def cheap_tariff() -> Tariff:
    flat = PeriodPrice(PeriodKind.FLAT, Decimal("0.6000"), Decimal("0.4000"))
    return Tariff(CHEAP, prices=(flat,), windows=())


def station_at(n: int, dlat: int, dlon: int, is_cheap: bool = False) -> Station:
    return a_station(
        f"S{n:04d}",
        lat=CENTRE.lat + dlat * GRID_DEG,
        lon=CENTRE.lon + dlon * GRID_DEG,
        tariff_id=CHEAP if is_cheap else TariffId("t-standard"),
    )


def service_with(
    stations: list[Station], now: datetime = EPOCH
) -> tuple[CatalogueService, InMemoryStationRepository]:
    repo = InMemoryStationRepository()
    repo.save_operator(an_operator())
    repo.save_tariffs([a_tariff(), cheap_tariff()])
    repo.save_stations(stations)
    return CatalogueService(repo, FixedClock(now)), repo


def pages_near(
    service: CatalogueService, limit: int, f: StationFilter = StationFilter()
) -> list[StationPage]:
    pages: list[StationPage] = []
    after = None
    for _ in range(MAX_PAGES):
        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M, f, limit, after))
        pages.append(page)
        if page.next_cursor is None:
            return pages
        after = near_after(page.next_cursor)
    raise AssertionError("paging never ended")


def pages_in_box(
    service: CatalogueService,
    box: BoundingBox,
    limit: int,
    f: StationFilter = StationFilter(),
) -> list[StationPage]:
    pages: list[StationPage] = []
    after = None
    for _ in range(MAX_PAGES):
        page = service.find_stations_in_box(BoxQuery(box, f, limit, after))
        pages.append(page)
        if page.next_cursor is None:
            return pages
        after = box_after(page.next_cursor)
    raise AssertionError("paging never ended")


def ids_of(pages: list[StationPage]) -> list[str]:
    return [hit.summary.id for page in pages for hit in page.items]


def assert_pages_are_full_until_the_last(pages: list[StationPage], limit: int) -> None:
    assert all(len(page.items) == limit for page in pages[:-1])
    assert len(pages) == 1 or pages[-1].items


grid = st.integers(-25, 25)  # some cells fall outside the 20 km radius
station_sets = st.lists(st.tuples(grid, grid, st.booleans()), max_size=30).map(
    lambda cells: [station_at(n, *cell) for n, cell in enumerate(cells)]
)
limits = st.integers(1, 7)
price_caps = st.sampled_from([None, Decimal("1.5")])


def expected_near(stations: list[Station], cap: Decimal | None) -> list[str]:
    rows = sorted(
        (distance_m(CENTRE.lat, CENTRE.lon, s.lat, s.lon), s.id)
        for s in stations
        if cap is None or s.tariff_id == CHEAP  # at 10:00 only t-cheap is ≤ 1.5
    )
    return [i for d, i in rows if d <= RADIUS_M]


class TestFindStationsNear:
    @settings(max_examples=60)
    @given(station_sets, limits, price_caps)
    def test_pages_through_every_match_nearest_first_without_gaps_or_repeats(
        self, stations, limit, cap
    ):
        service, _ = service_with(stations)

        pages = pages_near(service, limit, StationFilter(max_price_per_kwh=cap))

        ids = ids_of(pages)
        assert ids == expected_near(stations, cap)
        assert len(set(ids)) == len(ids)
        assert_pages_are_full_until_the_last(pages, limit)

    @settings(max_examples=30)
    @given(station_sets, limits)
    def test_ranks_the_same_stations_the_same_way_whatever_the_insertion_order(
        self, stations, limit
    ):
        forwards, _ = service_with(stations)
        backwards, _ = service_with(list(reversed(stations)))

        assert ids_of(pages_near(forwards, limit)) == ids_of(pages_near(backwards, 7))

    def test_reports_each_station_s_distance_in_ascending_order(self):
        stations = [station_at(1, 5, 0), station_at(2, 1, 0), station_at(3, 3, 3)]
        service, _ = service_with(stations)

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M))

        distances = [hit.distance_m or 0.0 for hit in page.items]
        assert [hit.summary.id for hit in page.items] == [
            "rapidgrid-S0002",
            "rapidgrid-S0003",
            "rapidgrid-S0001",
        ]
        assert distances == sorted(distances)
        assert distances[0] == pytest.approx(1_112, rel=0.01)

    def test_gives_no_cursor_when_the_last_page_is_exactly_full(self):
        service, _ = service_with([station_at(1, 1, 0), station_at(2, 2, 0)])

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M, limit=2))

        assert len(page.items) == 2
        assert page.next_cursor is None

    def test_finds_nothing_where_there_are_no_stations(self):
        service, _ = service_with([station_at(1, 24, 24)])  # ~34 km away

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M))

        assert page == StationPage((), None)


class TestFindStationsInBox:
    @settings(max_examples=60)
    @given(station_sets, limits, price_caps)
    def test_pages_through_every_station_in_the_box_by_id(self, stations, limit, cap):
        service, _ = service_with(stations)
        box = BoundingBox(
            CENTRE.lon - 0.1, CENTRE.lat - 0.15, CENTRE.lon + 0.2, CENTRE.lat + 0.1
        )

        pages = pages_in_box(service, box, limit, StationFilter(max_price_per_kwh=cap))

        expected = sorted(
            s.id
            for s in stations
            if box.contains(s.lat, s.lon) and (cap is None or s.tariff_id == CHEAP)
        )
        assert ids_of(pages) == expected
        assert_pages_are_full_until_the_last(pages, limit)
        assert all(hit.distance_m is None for page in pages for hit in page.items)


class TestPriceFilter:
    def test_uses_the_price_at_the_clock_s_local_time(self):
        peak_only = [station_at(1, 1, 1)]  # t-standard: 1.82/kWh at peak
        at_ten, _ = service_with(peak_only, now=EPOCH)  # 10:00 in Shanghai
        at_half_past_eleven, _ = service_with(peak_only, now=AT_2330_SHANGHAI)
        query = NearQuery(
            CENTRE, RADIUS_M, StationFilter(max_price_per_kwh=Decimal("1.5"))
        )

        assert at_ten.find_stations_near(query).items == ()
        [hit] = at_half_past_eleven.find_stations_near(query).items
        assert hit.price_now.kind is PeriodKind.VALLEY
        assert hit.price_now.total_per_kwh == Decimal("0.7100")

    def test_keeps_a_station_priced_exactly_at_the_cap(self):
        service, _ = service_with([station_at(1, 1, 1)])
        query = NearQuery(
            CENTRE, RADIUS_M, StationFilter(max_price_per_kwh=Decimal("1.82"))
        )

        assert len(service.find_stations_near(query).items) == 1

    def test_every_hit_carries_the_price_now(self):
        service, _ = service_with(
            [station_at(1, 1, 1), station_at(2, 2, 2, is_cheap=True)]
        )

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M))

        assert {h.summary.id: h.price_now.total_per_kwh for h in page.items} == {
            "rapidgrid-S0001": Decimal("1.8200"),
            "rapidgrid-S0002": Decimal("1.0000"),
        }

    def test_leaves_out_a_station_whose_tariff_never_arrived(self):
        orphan = replace(station_at(1, 1, 1), tariff_id=TariffId("t-missing"))
        service, _ = service_with([orphan, station_at(2, 2, 2)])

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M))

        assert [h.summary.id for h in page.items] == ["rapidgrid-S0002"]


class TestGetStation:
    def test_returns_the_station_its_tariff_and_the_price_now(self):
        station = station_at(1, 1, 1)
        service, _ = service_with([station])

        detail = service.get_station(station.id)

        assert detail.station == station
        assert detail.tariff == a_tariff()
        assert detail.price_now.kind is PeriodKind.PEAK

    def test_raises_station_not_found_for_an_unknown_id(self):
        service, _ = service_with([])

        with pytest.raises(StationNotFoundError, match="nowhere-1") as caught:
            service.get_station(StationId("nowhere-1"))

        assert isinstance(caught.value, NotFoundError)
        assert caught.value.station_id == "nowhere-1"

    def test_a_station_whose_tariff_never_arrived_raises_an_evroam_error(self):
        orphan = replace(station_at(1, 1, 1), tariff_id=TariffId("t-missing"))
        service, _ = service_with([orphan])

        with pytest.raises(EvroamError):
            service.get_station(orphan.id)

    def test_serves_new_prices_once_tariffs_are_invalidated(self):
        station = station_at(1, 1, 1)
        service, repo = service_with([station])
        service.get_station(station.id)  # caches t-standard
        dearer = a_tariff(
            prices=tuple(
                replace(p, service_per_kwh=Decimal("2.0000")) for p in a_tariff().prices
            )
        )
        repo.save_tariffs([dearer])

        service.invalidate_tariffs()

        assert service.get_station(station.id).price_now.service_per_kwh == Decimal(
            "2.0000"
        )


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


NEAR_CURSOR = b64(json.dumps({"d": 12.5, "id": "rapidgrid-S0001"}).encode())
BOX_CURSOR = b64(json.dumps({"id": "rapidgrid-S0001"}).encode())


def rejected_field(decode: Callable[[str], object], cursor: str) -> str | None:
    try:
        decode(cursor)
    except InvalidQueryError as exc:
        return exc.field
    return None


class TestCursors:
    def test_a_near_cursor_round_trips_the_last_distance_and_id(self):
        service, _ = service_with([station_at(n, n, 0) for n in range(1, 4)])

        page = service.find_stations_near(NearQuery(CENTRE, RADIUS_M, limit=1))

        assert page.next_cursor is not None
        mark = near_after(page.next_cursor)
        assert mark == (page.items[0].distance_m, "rapidgrid-S0001")

    def test_no_cursor_means_from_the_start(self):
        assert near_after(None) is None
        assert box_after(None) is None

    @pytest.mark.parametrize(
        "cursor",
        [
            pytest.param("%%%", id="not-base64"),
            pytest.param("", id="empty"),
            pytest.param("é", id="not-ascii"),
            pytest.param(b64(b"[1, 2]"), id="a-list"),
            pytest.param(b64(b"\xff\xfe"), id="not-utf8"),
            pytest.param(b64(b"not json"), id="not-json"),
            pytest.param(BOX_CURSOR, id="a-box-cursor"),
            pytest.param(b64(b'{"d": -1, "id": "x"}'), id="negative-distance"),
            pytest.param(b64(b'{"d": NaN, "id": "x"}'), id="nan-distance"),
            pytest.param(b64(b'{"d": "1", "id": "x"}'), id="distance-as-text"),
            pytest.param(b64(b'{"d": 1, "id": 7}'), id="id-not-text"),
        ],
    )
    def test_a_near_query_rejects_a_cursor_it_did_not_issue(self, cursor):
        with pytest.raises(InvalidQueryError) as caught:
            near_after(cursor)

        assert caught.value.field == "cursor"

    @pytest.mark.parametrize(
        "cursor",
        [
            pytest.param("%%%", id="not-base64"),
            pytest.param(b64(b"[1, 2]"), id="a-list"),
            pytest.param(b64(b'{"id": 5}'), id="id-not-text"),
            pytest.param(b64(b'{"after": "x"}'), id="no-id"),
        ],
    )
    def test_a_box_query_rejects_a_cursor_it_did_not_issue(self, cursor):
        with pytest.raises(InvalidQueryError) as caught:
            box_after(cursor)

        assert caught.value.field == "cursor"

    @given(st.text(max_size=64))
    def test_any_text_is_either_a_mark_or_an_invalid_cursor(self, cursor):
        assert rejected_field(near_after, cursor) in (None, "cursor")
        assert rejected_field(box_after, cursor) in (None, "cursor")


class TestQueryValidation:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"limit": 0}, "limit"),
            ({"limit": 10**9}, "limit"),
            ({"limit": -1}, "limit"),
            ({"radius_m": 0.0}, "radius_km"),
            ({"radius_m": -5.0}, "radius_km"),
            ({"radius_m": float("nan")}, "radius_km"),
            ({"radius_m": 1_000_001.0}, "radius_km"),
        ],
    )
    def test_a_near_query_rejects_input_that_cannot_run(self, kwargs, field):
        args = {"center": CENTRE, "radius_m": RADIUS_M} | kwargs

        with pytest.raises(InvalidQueryError) as caught:
            NearQuery(**args)

        assert caught.value.field == field

    @pytest.mark.parametrize("limit", [0, 501, 10**9])
    def test_a_box_query_rejects_a_limit_out_of_range(self, limit):
        with pytest.raises(InvalidQueryError) as caught:
            BoxQuery(BoundingBox(121.0, 31.0, 122.0, 32.0), limit=limit)

        assert caught.value.field == "limit"

    @pytest.mark.parametrize("zoom", [-1, 23])
    def test_clusters_reject_a_zoom_no_map_has(self, zoom):
        service, _ = service_with([])

        with pytest.raises(InvalidQueryError) as caught:
            service.clusters(BoundingBox(121.0, 31.0, 122.0, 32.0), zoom)

        assert caught.value.field == "zoom"


class TestClusters:
    @pytest.mark.parametrize("zoom", [0, 4, 9, 12, 22])
    def test_count_every_station_and_pile_in_the_box_once(self, zoom):
        inside = [station_at(n, n % 7 - 3, n // 7 - 3) for n in range(40)]
        outside = station_at(99, 2_000, 0)  # 20° north
        service, _ = service_with([*inside, outside])
        box = BoundingBox(121.0, 30.8, 122.0, 31.7)

        clusters = service.clusters(box, zoom)

        assert sum(c.stations for c in clusters) == len(inside)
        assert sum(c.piles.total for c in clusters) == 2 * len(inside)
        assert all(box.contains(c.lat, c.lon) for c in clusters)

    def test_a_world_view_gathers_nearby_stations_into_one_cluster(self):
        service, _ = service_with([station_at(n, n, n) for n in range(5)])

        [cluster] = service.clusters(BoundingBox(-180, -90, 180, 90), 0)

        assert cluster.stations == 5


def streamed(stations: list[Station], pulled: list[int]) -> Iterator[Station]:
    for n, station in enumerate(stations, start=1):
        pulled.append(n)
        yield station


class TestImportNetwork:
    def test_saves_operators_tariffs_and_stations_in_batches(self):
        service, repo = service_with([])
        stations = [station_at(n, n, 0) for n in range(5)]
        progress: list[int] = []
        other = an_operator(id=OperatorId("swapway"), name="Swap Way")

        saved = service.import_network(
            [an_operator(), other],
            [a_tariff(), cheap_tariff()],
            iter(stations),
            on_progress=progress.append,
            batch_size=2,
        )

        assert saved == 5
        assert progress == [2, 2, 1]
        assert set(repo.operators) == {"rapidgrid", "swapway"}
        assert set(repo.tariffs) == {"t-standard", "t-cheap"}
        assert set(repo.stations) == {s.id for s in stations}

    def test_streams_stations_instead_of_loading_them_all_first(self):
        service, _ = service_with([])
        pulled: list[int] = []
        pulled_at_progress: list[int] = []

        service.import_network(
            [],
            [],
            streamed([station_at(n, n, 0) for n in range(5)], pulled),
            on_progress=lambda _count: pulled_at_progress.append(len(pulled)),
            batch_size=2,
        )

        assert pulled_at_progress == [2, 4, 5]

    def test_replaces_stations_already_present(self):
        station = station_at(1, 1, 1)
        service, repo = service_with([station])
        renamed = replace(station, name="Renamed", piles=station.piles[:1])

        saved = service.import_network([], [], [renamed])

        assert saved == 1
        assert repo.stations[station.id].name == "Renamed"

    def test_prices_follow_a_reimported_tariff(self):
        station = station_at(1, 1, 1)
        service, _ = service_with([station])
        assert service.get_station(station.id).price_now.total_per_kwh == Decimal(
            "1.8200"
        )
        cheaper = a_tariff(
            prices=tuple(
                replace(p, service_per_kwh=Decimal("0.1000")) for p in a_tariff().prices
            )
        )

        service.import_network([], [cheaper], [])

        assert service.get_station(station.id).price_now.total_per_kwh == Decimal(
            "1.1200"
        )

    def test_an_empty_network_saves_nothing_and_reports_no_progress(self):
        service, _ = service_with([])
        progress: list[int] = []

        assert service.import_network([], [], [], on_progress=progress.append) == 0
        assert progress == []


class TestListOperators:
    def test_counts_each_operator_s_stations_piles_and_swap_bays(self):
        service, _ = service_with(
            [
                station_at(1, 1, 1),
                station_at(2, 2, 2, is_cheap=True),
                replace(
                    station_at(3, 3, 3),
                    piles=station_at(3, 3, 3).piles[:1],
                ),
            ]
        )

        [stats] = service.list_operators()

        assert (stats.operator.id, stats.stations, stats.piles) == ("rapidgrid", 3, 5)
        assert stats.swap_stations == 0


class TestCursorKinds:
    def test_a_box_cursor_is_refused_by_a_near_query_and_vice_versa(self):
        from evroam.catalogue.search import encode_cursor

        box_cursor = encode_cursor({"k": "box", "id": "rapidgrid-S0001"})
        near_cursor = encode_cursor({"k": "near", "d": 12.5, "id": "rapidgrid-S0001"})
        with pytest.raises(InvalidQueryError, match="cursor"):
            near_after(box_cursor)
        with pytest.raises(InvalidQueryError, match="cursor"):
            box_after(near_cursor)

    def test_an_infinite_distance_in_a_cursor_is_refused(self):
        from evroam.catalogue.search import encode_cursor

        forged = encode_cursor({"k": "near", "d": float("inf"), "id": "x"})
        with pytest.raises(InvalidQueryError, match="cursor"):
            near_after(forged)


class TestNearMany:
    def test_each_page_is_the_one_a_single_query_gives(self):
        stations = [
            station_at(n, dlat, dlon, is_cheap=n % 3 == 0)
            for n, (dlat, dlon) in enumerate(
                (a, b) for a in range(-6, 7) for b in range(-6, 7)
            )
        ]
        service, _ = service_with(stations)
        queries = [
            NearQuery(CENTRE, 3_000.0, limit=5),
            NearQuery(GeoPoint(CENTRE.lat + 0.05, CENTRE.lon), 4_000.0, limit=4),
            NearQuery(
                CENTRE,
                9_000.0,
                StationFilter(max_price_per_kwh=Decimal("1.0")),
                limit=7,
            ),
            NearQuery(GeoPoint(CENTRE.lat + 1.0, CENTRE.lon), 1_000.0),  # nothing
        ]

        pages = service.find_stations_near_many(queries)

        assert pages == [service.find_stations_near(q) for q in queries]
        assert [len(p.items) for p in pages] == [5, 4, 7, 0]
        assert pages[0].next_cursor is not None

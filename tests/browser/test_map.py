"""A driver uses the map page in a real browser against a fake station API."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from .fake_api import WHOLE_WORLD, StationFilter
from .live_server import LiveSite

pytestmark = pytest.mark.browser

CITY_VIEW = "#11/31.2300/121.4700"  # all fixture stations fit in a 1280x800 window
SHOWN = re.compile(r"^([\d,]+) stations shown")
SCREENSHOT = "/tmp/evroam-map.png"


def shown_count(page: Page) -> int:
    expect(page.locator("#status-line")).to_have_text(SHOWN)
    match = SHOWN.match(page.locator("#status-line").inner_text())
    assert match is not None
    return int(match.group(1).replace(",", ""))


def wait_for_count_change(page: Page, before: int) -> int:
    expect(page.locator("#status-line")).not_to_have_text(
        re.compile(rf"^{before:,} stations shown")
    )
    return shown_count(page)


def street_view_of(site: LiveSite, station_id: str, zoom: int = 17) -> str:
    station = site.network.stations[station_id]
    return f"/#{zoom}/{station['lat']}/{station['lon']}"


def wait_for_popup_to_settle(page: Page) -> None:
    expect(page.locator("#station-sheet .pile").first).to_be_visible()


def first_station(site: LiveSite, status: str) -> str:
    return str(
        next(
            s["id"]
            for s in site.network.stations.values()
            if s["status"] == status and not s["is_swap"]
        )
    )


class TestOpeningTheMap:
    def test_shows_the_station_count(
        self, page: Page, site: LiveSite, page_errors: list[object]
    ) -> None:
        # How fast is benchmarks/ (map_reference), not a timer here.
        page.goto(site.base_url + "/" + CITY_VIEW)
        expect(page.locator("#status-line")).to_have_text(SHOWN, timeout=15000)
        assert shown_count(page) == len(site.network.stations)
        markers = page.locator(".station-marker, .group-marker")
        expect(markers.first).to_be_visible()
        assert page_errors == []

    def test_draws_server_clusters_labelled_with_their_counts_at_low_zoom(
        self, page: Page, site: LiveSite, page_errors: list[object]
    ) -> None:
        page.goto(site.base_url + "/#6/31.2300/121.4700")
        expect(page.locator("#status-line")).to_have_text(
            re.compile(r"stations shown in \d+ clusters")
        )
        clusters = page.locator(".leaflet-marker-pane .server-cluster")
        expect(clusters.first).to_be_visible()
        labels = [int(text) for text in clusters.all_inner_texts()]
        assert sum(labels) == len(site.network.stations)
        assert page_errors == []

    def test_follows_next_cursor_up_to_three_pages_then_asks_to_zoom_in(
        self, page: Page, site_with_small_pages: LiveSite
    ) -> None:
        page.goto(site_with_small_pages.base_url + "/" + CITY_VIEW)
        expect(page.locator("#status-line")).to_have_text(
            "180 stations shown (more here — zoom in)"
        )

    def test_centres_on_china_with_a_legend_and_filter_panel(
        self, page: Page, site: LiveSite
    ) -> None:
        page.goto(site.base_url + "/")
        expect(page.locator("#status-line")).to_have_text(SHOWN)
        expect(page.locator(".legend")).to_contain_text("battery swap")
        # The connectors the fixture network has, and no others.
        expect(page.locator("#filters input[name=connector]")).to_have_count(4)
        assert re.search(r"#4/3\d\.\d+/10\d\.\d+", page.url)


class TestFiltering:
    def test_unticking_a_connector_hides_stations_with_only_that_connector(
        self, page: Page, site: LiveSite
    ) -> None:
        page.goto(site.base_url + "/" + CITY_VIEW)
        before = shown_count(page)
        page.locator("input[name=connector][value=gbt_ac]").uncheck()
        after = wait_for_count_change(page, before)
        others = ["gbt_dc", "ccs2", "swap"]
        expected = site.network.select(StationFilter(WHOLE_WORLD, connectors=others))
        assert after == len(expected) < before

    def test_unticking_an_operator_hides_its_stations(
        self, page: Page, site: LiveSite
    ) -> None:
        page.goto(site.base_url + "/" + CITY_VIEW)
        before = shown_count(page)
        page.locator("input[name=operator][value=swapway]").uncheck()
        after = wait_for_count_change(page, before)
        kept = ["rapidgrid", "commucharge"]
        expected = site.network.select(StationFilter(WHOLE_WORLD, operators=kept))
        assert after == len(expected) < before

    def test_swap_only_shows_square_swap_markers(
        self, page: Page, site: LiveSite
    ) -> None:
        page.goto(site.base_url + "/" + CITY_VIEW)
        before = shown_count(page)
        page.locator("input[name=is_swap]").check()
        after = wait_for_count_change(page, before)
        expected = site.network.select(StationFilter(WHOLE_WORLD, is_swap=True))
        assert after == len(expected)
        page.goto(site.base_url + street_view_of(site, expected[0]["id"]))
        marker = page.locator(f"[data-station-id='{expected[0]['id']}']")
        expect(marker).to_have_class(re.compile(r"\bis-swap\b"))
        expect(marker).to_have_text("S")


class TestStationPopup:
    def test_clicking_a_marker_shows_price_now_and_the_parking_rule(
        self, page: Page, site: LiveSite, page_errors: list[object]
    ) -> None:
        station_id = first_station(site, "free")
        page.goto(site.base_url + street_view_of(site, station_id, zoom=15))
        page.locator(f".station-marker[data-station-id='{station_id}']").click()
        popup = page.locator("#station-sheet")
        expect(popup).to_contain_text(site.network.stations[station_id]["name"])
        expect(popup.locator(".operator")).to_have_text("RapidGrid")
        expect(popup.locator(".price-now")).to_contain_text("¥1.25/kWh")
        expect(popup.locator(".price-now")).to_contain_text(
            "flat: electricity ¥0.65 + service ¥0.60"
        )
        expect(popup.locator(".parking")).to_have_text(
            "Parking: first 60 min free, then ¥5.00/h, cap ¥30.00"
        )
        expect(popup.locator(".idle-fee")).to_have_text(
            "Idle fee: ¥0.50/min from 15 min after charging ends, cap ¥30.00"
        )
        wait_for_popup_to_settle(page)
        page.screenshot(path=SCREENSHOT)
        assert page_errors == []

    def test_a_swap_station_popup_shows_batteries_in_stock_and_queue(
        self, page: Page, site: LiveSite
    ) -> None:
        swap = next(s for s in site.network.stations.values() if s["is_swap"])
        page.goto(site.base_url + street_view_of(site, swap["id"]))
        page.locator(f".station-marker[data-station-id='{swap['id']}']").click()
        expect(page.locator(".station-popup .swap")).to_contain_text(
            "7 in stock, queue 1"
        )
        expect(page.locator(".station-popup .idle-fee")).to_have_count(0)


class TestLiveUpdates:
    def test_a_status_event_recolours_the_station_marker(
        self, page: Page, site: LiveSite, page_errors: list[object]
    ) -> None:
        station_id = first_station(site, "free")
        page.goto(site.base_url + street_view_of(site, station_id))
        marker = page.locator(f".station-marker[data-station-id='{station_id}']")
        expect(marker).to_have_class(re.compile(r"\bstatus-free\b"))
        deadline = time.monotonic() + 5
        while site.network.subscribers < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        site.network.set_all_piles(station_id, "busy")
        expect(marker).to_have_class(re.compile(r"\bstatus-busy\b"))
        assert page_errors == []

    def test_the_map_still_works_when_the_live_feed_is_absent(
        self,
        page: Page,
        site_without_events: LiveSite,
        page_errors: list[object],
    ) -> None:
        page.goto(site_without_events.base_url + "/" + CITY_VIEW)
        assert shown_count(page) == len(site_without_events.network.stations)
        assert page_errors == []

"""A driver asks the map where to charge, in a real browser against a fake API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .fake_api import (
    FakeNetwork,
    FakeRecommender,
    add_recommendation_routes,
    build_fake_app,
)
from .live_server import _Server

pytestmark = pytest.mark.browser

CITY_VIEW = "/#11/31.2300/121.4700"
MAP_POINT = {"x": 700, "y": 450}  # between the two panels, over open map
SCREENSHOT = "/tmp/evroam-recommend.png"
CENTRED_ON = """([lat, lon]) => {
    const m = /^#\\d+\\/(-?[\\d.]+)\\/(-?[\\d.]+)$/.exec(location.hash);
    return m && Math.abs(m[1] - lat) < 0.001 && Math.abs(m[2] - lon) < 0.001;
}"""  # the map writes its centre into the URL hash after every move


@dataclass(frozen=True, slots=True)
class RecommendSite:
    base_url: str
    recommender: FakeRecommender


@pytest.fixture
def site() -> Iterator[RecommendSite]:
    network = FakeNetwork()
    recommender = FakeRecommender(network)
    app = build_fake_app(network, has_events=False)
    add_recommendation_routes(app, recommender)
    with _Server(app) as server:
        yield RecommendSite(server.base_url, recommender)


def open_map(page: Page, site: RecommendSite) -> None:
    page.goto(site.base_url + CITY_VIEW)
    expect(page.locator("#status-line")).to_have_text(re.compile(r"stations shown"))
    page.locator("#open-recommend").click()


def recommend_at(page: Page, soc: str, position: dict[str, int] = MAP_POINT) -> None:
    panel = page.locator("#recommend-panel")
    panel.locator("select[name=vehicle]").select_option("xiaomi-su7-max")
    panel.locator("input[name=soc]").fill(soc)
    panel.locator("select[name=prefer]").select_option("time")
    page.locator("#recommend-pick").click()
    page.locator("#map").click(position=position)


def expected_options(recommender: FakeRecommender) -> list[dict[str, object]]:
    assert recommender.requests, "the panel sent no recommendation request"
    return recommender.recommend(recommender.requests[-1])


class TestRecommendingFromAPoint:
    def test_draws_three_numbered_options_and_a_row_for_each(
        self, page: Page, site: RecommendSite, page_errors: list[object]
    ) -> None:
        open_map(page, site)
        recommend_at(page, "18")
        markers = page.locator(".recommend-option")
        expect(markers).to_have_count(3)
        expect(markers).to_have_text(["1", "2", "3"])
        options = expected_options(site.recommender)
        for option, marker in zip(options, markers.all(), strict=True):
            station = option["station"]
            assert isinstance(station, dict)
            expect(marker).to_have_attribute("data-station-id", station["id"])
        rows = page.locator("#recommend-results > li")
        expect(rows).to_have_count(3)
        expect(rows.locator(".recommend-why")).to_have_text(
            [str(o["why"]) for o in options]
        )
        expect(rows.first.locator(".recommend-total-cost")).to_have_text("¥31.10")
        expect(rows.first.locator(".recommend-arrival")).to_have_text("arrive at 17 %")
        expect(page.locator("path.recommend-line")).to_have_count(3)
        expect(page.locator("#recommend-error")).to_be_hidden()
        page.wait_for_timeout(
            1000
        )  # let the map fit and reload stations for the picture
        page.screenshot(path=SCREENSHOT)
        assert page_errors == []

    def test_sends_the_vehicle_battery_level_preference_and_clicked_point(
        self, page: Page, site: RecommendSite
    ) -> None:
        open_map(page, site)
        recommend_at(page, "18")
        expect(page.locator(".recommend-option")).to_have_count(3)
        sent = site.recommender.requests[-1]
        assert sent["vehicle_id"] == "xiaomi-su7-max"
        assert sent["soc"] == 18
        assert sent["prefer"] == "time"
        assert sent["to"] is None
        assert (sent["target_soc"], sent["min_arrival_soc"]) == (80, 10)
        assert abs(sent["at"]["lat"] - 31.23) < 0.2
        assert abs(sent["at"]["lon"] - 121.47) < 0.2

    def test_shift_click_adds_a_destination_and_draws_the_onward_lines(
        self, page: Page, site: RecommendSite
    ) -> None:
        open_map(page, site)
        recommend_at(page, "18")
        expect(page.locator(".recommend-option")).to_have_count(3)
        page.locator("#map").click(position={"x": 900, "y": 250}, modifiers=["Shift"])
        expect(page.locator(".recommend-destination")).to_be_visible()
        expect(page.locator("path.recommend-line")).to_have_count(6)
        assert site.recommender.requests[-1]["to"] is not None

    def test_clicking_a_result_row_pans_the_map_to_its_station(
        self, page: Page, site: RecommendSite
    ) -> None:
        open_map(page, site)
        recommend_at(page, "18")
        rows = page.locator("#recommend-results > li")
        expect(rows).to_have_count(3)
        station = expected_options(site.recommender)[2]["station"]
        assert isinstance(station, dict)
        rows.nth(2).click()
        expect(rows.nth(2)).to_have_class(re.compile(r"\bis-selected\b"))
        page.wait_for_function(CENTRED_ON, arg=[station["lat"], station["lon"]])


class TestProblems:
    def test_a_422_problem_shows_its_detail_and_draws_no_options(
        self, page: Page, site: RecommendSite, page_errors: list[object]
    ) -> None:
        open_map(page, site)
        recommend_at(page, "2")
        error = page.locator("#recommend-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("no station is within reach on 2 % battery")
        expect(page.locator(".recommend-option")).to_have_count(0)
        expect(page.locator("#recommend-results > li")).to_have_count(0)
        assert page_errors == []

    def test_asks_for_the_battery_level_before_picking_a_point(
        self, page: Page, site: RecommendSite
    ) -> None:
        open_map(page, site)
        page.locator("select[name=vehicle]").select_option("xiaomi-su7-max")
        page.locator("#recommend-pick").click()
        expect(page.locator("#recommend-error")).to_have_text(
            "Enter the battery level now, from 0 to 100 %."
        )
        expect(page.locator("#recommend-pick")).to_have_attribute(
            "aria-pressed", "false"
        )
        assert site.recommender.requests == []

    def test_the_map_works_when_the_vehicle_list_is_missing(
        self, page: Page, site: RecommendSite, page_errors: list[object]
    ) -> None:
        page.route("**/api/v1/vehicles", lambda route: route.fulfill(status=503))
        open_map(page, site)
        expect(page.locator("#recommend-error")).to_contain_text(
            "Could not load vehicles"
        )
        expect(page.locator(".station-marker, .group-marker").first).to_be_visible()
        assert page_errors == []


class TestPanel:
    def test_collapses_and_expands(self, page: Page, site: RecommendSite) -> None:
        open_map(page, site)
        toggle = page.locator("#recommend-panel .recommend-toggle")
        toggle.click()
        expect(page.locator("#recommend-panel input[name=soc]")).to_be_hidden()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(page.locator("#recommend-panel input[name=soc]")).to_be_visible()

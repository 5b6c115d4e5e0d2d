"""The real app over the whole reference scenario, in Debian chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.scenario import reference_scenario
from evroam.storage.database import DatabaseAccess
from tests.fakes import FixedClock

from .live_server import _Server
from .test_driver_app import UNCOVERED

pytestmark = pytest.mark.browser
NOON_IN_SHANGHAI = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def reference_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = Path(tmp_path_factory.mktemp("reference")) / "reference.db"
    settings = Settings(database_url=f"sqlite:///{db}", maintenance_interval_s=0)
    services = build_services(
        settings, FixedClock(NOON_IN_SHANGHAI), access=DatabaseAccess.UPGRADE
    )
    scenario = reference_scenario(7)
    services.catalogue.import_network(
        scenario.operators, scenario.tariffs, scenario.iter_stations()
    )
    with _Server(create_app(settings, services)) as server:
        yield server.base_url
    services.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()


class TestReferenceScenario:
    def test_the_whole_country_is_drawn_as_clusters(
        self, page: Page, reference_site: str
    ):
        # How fast is benchmarks/map_reference's figure, not a timer here.
        page.goto(reference_site + "/")
        expect(page.locator("#status-line")).to_contain_text(
            "6,975 stations", timeout=15000
        )
        assert page.locator(".server-cluster").count() > 10

    def test_a_city_shows_markers_whose_popup_has_price_and_parking(
        self, page: Page, reference_site: str
    ):
        page.goto(reference_site + "/#12/31.2304/121.4737")
        expect(page.locator("#status-line")).to_contain_text("stations shown")
        expect(page.locator(".station-marker").first).to_be_attached()
        station_id = page.evaluate(UNCOVERED, ".station-marker")
        page.locator(f".station-marker[data-station-id='{station_id}']").click()
        popup = page.locator("#station-sheet .station-popup")
        expect(popup.locator(".price-now")).to_contain_text(
            re.compile(r"¥\d+\.\d+/kWh")
        )
        expect(popup.locator(".price-now")).to_contain_text("electricity")
        expect(popup.locator(".parking")).to_contain_text("Parking")

    def test_leaving_out_an_operator_shows_fewer_stations(
        self, page: Page, reference_site: str
    ):
        page.goto(reference_site + "/#10/31.2304/121.4737")
        line = page.locator("#status-line")
        expect(line).to_contain_text("stations shown")
        before = int(re.sub(r"\D", "", line.inner_text().split("stations")[0]))
        page.locator("input[name='operator'][value='swapway']").uncheck()
        shown = re.compile(r"^(?!" + f"{before:,}" + r" )[\d,]+ stations shown")
        expect(line).to_have_text(shown)
        after = int(re.sub(r"\D", "", line.inner_text().split("stations")[0]))
        assert 0 < after < before

    def test_the_recommendation_panel_ranks_real_options(
        self, page: Page, reference_site: str
    ):
        page.goto(reference_site + "/#12/31.2304/121.4737")
        page.locator("#open-recommend").click()
        vehicle = page.locator("select[name=vehicle] option[value='xiaomi-su7-max']")
        expect(vehicle).to_be_attached()
        page.select_option("select[name=vehicle]", "xiaomi-su7-max")
        page.fill("input[name=soc]", "18")
        page.click("#recommend-pick")
        page.locator("#map").click(position={"x": 800, "y": 400})
        rows = page.locator("#recommend-results li")
        expect(rows.first).to_be_visible(timeout=10000)
        expect(rows.first.locator(".recommend-why")).not_to_be_empty()
        expect(page.locator(".recommend-option").first).to_be_attached()
        assert page.locator("#recommend-error").inner_text().strip() == ""

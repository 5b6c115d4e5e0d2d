"""The chance a pile is free on arrival and the status's age (ADR 0039's fields)
in the station sheet and the recommendation rows, on the real hub (issue 12)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from .driver_steps import open_app
from .real_site import DESKTOP, PHONE, RealSite, serve_real_site
from .test_driver_app import open_page

pytestmark = pytest.mark.browser

CENTRE = "lat=31.2304&lon=121.4737&radius_km=5"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(Path(tmp_path_factory.mktemp("availability")))


def a_charging_station(site: RealSite) -> Any:
    """The API's detail of a charging station near the centre with a chance."""
    with httpx.Client(base_url=site.base_url, timeout=30) as http:
        items = http.get(f"/api/v1/stations?{CENTRE}&limit=50").json()["items"]
        for item in items:
            if not item["is_swap"] and item["free_chance"] is not None:
                return http.get(f"/api/v1/stations/{item['id']}").json()
    raise AssertionError("no charging station with a free chance near the centre")


def percent(chance: float) -> str:
    return f"{int(100 * chance + 0.5)} %"


def test_the_station_sheet_says_the_chance_its_basis_and_the_status_age_in_chinese(
    browser: Browser, real_site: RealSite
) -> None:
    station = a_charging_station(real_site)
    for page in open_page(browser, PHONE, "zh-CN"):
        open_app(page, real_site.base_url)
        page.locator("#search").fill(station["name"])
        page.locator("#search-results li", has_text=station["name"]).first.click()
        section = page.locator("#station-sheet .availability")
        chance = section.locator(".free-chance")
        expect(chance).to_contain_text(percent(station["free_chance"]))
        expect(chance).to_contain_text("30 分钟后有空闲桩的概率")
        basis = {"profile": "典型的一天", "station": "本站", "operator": "运营商",
                 "network": "全网"}[station["free_chance_basis"]]  # fmt: skip
        expect(section.locator(".free-chance-basis")).to_contain_text(basis)
        expect(section.locator(".status-age")).to_contain_text("状态更新于")
        expect(page.locator("#station-sheet .freshness")).to_have_count(0)


def recommend(page: Page) -> Any:
    page.locator("#open-recommend").click()
    page.select_option("select[name=vehicle]", "xiaomi-su7-max")
    page.fill("input[name=soc]", "30")
    page.locator("#recommend-pick").click()
    with page.expect_response(re.compile(r"/api/v1/recommendations$")) as answer:
        page.locator("#map").click(position={"x": 900, "y": 450})
    return answer.value.json()


def test_each_recommendation_says_its_chance_of_a_free_pile(
    browser: Browser, real_site: RealSite
) -> None:
    for page in open_page(browser, DESKTOP, "en-US"):
        open_app(page, real_site.base_url)
        options = recommend(page)["options"]
        rows = page.locator("#recommend-results .recommend-result")
        expect(rows).to_have_count(len(options))
        with_chance = [o for o in options if o["free_chance"] is not None]
        assert with_chance, "no option has a chance"
        for option in with_chance:
            row = page.locator(
                f".recommend-result[data-station-id='{option['station_id']}']"
            )
            expect(row.locator(".free-chance")).to_have_text(
                f"{percent(option['free_chance'])} free on arrival"
            )
            expect(row.locator(".status-age")).to_contain_text("status changed")

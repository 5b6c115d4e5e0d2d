"""The chance a pile is free on arrival and the status's age (ADR 0039's fields)
in the station sheet and the recommendation rows, on the real hub (issue 12)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

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


def test_a_pile_with_faults_says_its_reliability_in_chinese(
    browser: Browser, real_site: RealSite
) -> None:
    station = a_charging_station(real_site)
    pile = station["piles_detail"][0]
    said = {
        "code": "pile.reliability", "text": "reliability 42/100: …",
        "params": {"score": 42, "faults": 4, "offline_percent": 6,
                   "failed_starts": 1, "reports": 0, "days": 30},
    }  # fmt: skip

    def with_faults(route: Route) -> None:
        # no history on this hub: the score the availability job would learn
        body = route.fetch().json()
        for p in body["piles_detail"]:
            if p["id"] == pile["id"]:
                p.update(reliability=42, reliability_said=said)
        route.fulfill(json=body)

    for page in open_page(browser, PHONE, "zh-CN"):
        page.route(f"**/api/v1/stations/{station['id']}", with_faults)
        open_app(page, real_site.base_url)
        page.locator("#search").fill(station["name"])
        page.locator("#search-results li", has_text=station["name"]).first.click()
        note = page.locator(f".pile[data-pile-id='{pile['id']}'] .pile-reliability")
        expect(note).to_have_text(
            "可靠性 42/100\N{FULLWIDTH COLON}"
            "30 天内4 次故障、6 % 的时间离线和1 次启动失败"
        )
        expect(note).to_have_class(re.compile(r"\bis-low\b"))
        others = page.locator(f".pile:not([data-pile-id='{pile['id']}'])")
        expect(others.locator(".pile-reliability")).to_have_count(0)


def test_an_option_with_only_low_piles_says_why_it_is_ranked_last(
    browser: Browser, real_site: RealSite
) -> None:
    def last_one_low(route: Route) -> None:
        body = route.fetch().json()
        body["options"][-1]["reliability"] = 32
        route.fulfill(json=body)

    for page in open_page(browser, DESKTOP, "en-US"):
        page.route(re.compile(r"/api/v1/recommendations$"), last_one_low)
        open_app(page, real_site.base_url)
        options = recommend(page)["options"]
        rows = page.locator("#recommend-results .recommend-result")
        expect(rows.last.locator(".option-reliability")).to_have_text(
            "reliability 32/100: ranked below stations with reliable piles"
        )
        expect(page.locator(".option-reliability")).to_have_count(1)
        assert options[-1]["reliability"] == 32


def test_in_chinese_each_recommendation_says_why_in_chinese(
    browser: Browser, real_site: RealSite
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        open_app(page, real_site.base_url)
        page.locator("#open-recommend").click()
        page.select_option("select[name=vehicle]", "xiaomi-su7-max")
        page.fill("input[name=soc]", "30")
        page.select_option("select[name=prefer]", "time")
        page.locator("#recommend-pick").click()
        with page.expect_response(re.compile(r"/api/v1/recommendations$")) as answer:
            page.locator("#map").tap(position={"x": 195, "y": 200})
        options = answer.value.json()["options"]
        whys = page.locator("#recommend-results .recommend-why")
        expect(whys).to_have_count(len(options))
        expect(whys.first).to_have_text("用时最短")
        for text in whys.all_inner_texts()[1:]:
            # "第 2 名", colon, "比第 1 名 +3 分钟", comma, "+¥1.20" (fullwidth marks)
            lead = "第 \\d 名\uff1a比第 1 名 .+\uff0c[+\u2212]¥[\\d.,]+"
            assert re.fullmatch(lead, text), text

"""In Chinese on a phone: a reservation that failed can be asked again without
reloading, and the quote's lines read in Chinese (the hub sends each line with a
code and parameters, ADR 0045)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from evroam.bootstrap import Services
from tests.builders import a_station, a_tariff, an_operator

from .driver_steps import open_app, sign_up
from .real_site import PHONE, RealSite, serve_real_site
from .test_driver_app import open_page

pytestmark = pytest.mark.browser

NAME = "静安寺预约站"
STATION = a_station("R1", lat=31.2230, lon=121.4450)
PILE = replace(STATION.piles[0], is_reservable=True)
VIEW = "/#15/31.2230/121.4450"


def import_reservable_station(services: Services) -> None:
    station = replace(STATION, name=NAME, piles=(PILE, *STATION.piles[1:]))
    services.catalogue.import_network([an_operator()], [a_tariff()], [station])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(
        Path(tmp_path_factory.mktemp("reserve-again")),
        network=import_reservable_station,
    )


def open_station(page: Page) -> None:
    page.locator("#search").fill(NAME)
    page.locator("#search-results li", has_text=NAME).first.click()
    expect(page.locator("#station-sheet")).to_be_visible()


def reserve_fails_then_again(page: Page, site: RealSite) -> None:
    open_app(page, site.base_url, VIEW)
    sign_up(page, "again@example.cn")
    open_station(page)
    pile = page.locator(f".pile[data-pile-id='{PILE.id}']")

    # No partner answers on this hub: the first request really fails.
    pile.locator(".reserve").click()
    expect(pile.locator(".reservation")).to_contain_text("运营商拒绝")
    again = pile.locator(".reserve")
    expect(again).to_have_text("重试")

    asked: list[str] = []

    def partner_reserves(route: Route) -> None:
        asked.append(route.request.post_data or "")
        body = {
            "id": "rsv_1", "pile_id": PILE.id, "station_id": STATION.id,
            "minutes": 15, "status": "reserved", "reason": None,
            "created_at": "2026-11-26T04:00:00Z",
            "expires_at": "2026-11-26T04:15:00Z",
        }  # fmt: skip
        route.fulfill(status=201, json=body)

    page.route("**/api/v1/reservations", partner_reserves)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    again.click()
    expect(pile.locator(".reservation")).to_contain_text("已为您预约")
    expect(pile.locator(".reserve")).to_have_count(0)
    assert [json.loads(a)["pile_id"] for a in asked] == [PILE.id]
    assert navigations == []


def test_a_failed_reservation_can_be_asked_again_without_reloading(
    browser: Browser, site: RealSite
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        reserve_fails_then_again(page, site)


def test_the_quote_lines_read_in_chinese(browser: Browser, site: RealSite) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        open_app(page, site.base_url, VIEW)
        sign_up(page, "quote@example.cn")
        open_station(page)
        page.locator(f".pile[data-pile-id='{PILE.id}'] .charge-here").click()
        lines = page.locator("#quote .line .line-description")
        expect(lines.first).to_be_visible()
        for text in lines.all_inner_texts():
            assert re.search(r"[峰平谷尖]", text), text
            assert not re.search(r"electricity|service|peak|flat|valley", text), text
        electricity = page.locator("#quote .line.kind-electricity .line-description")
        expect(electricity.first).to_contain_text("kWh \N{MULTIPLICATION SIGN}")

"""The driver app on the real hub API, at phone and desktop size: each defect seen
in issue 12 has a test here that fails on the page as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from .real_site import DESKTOP, PHONE, RealSite, in_box, serve_real_site

pytestmark = pytest.mark.browser

SHANGHAI_VIEW = "/#13/31.2304/121.4737"
CHINA = "73,18,135,54"
TOUCH_PX = 44
# Every control a finger can reach outside the map's own markers.
CONTROLS = (
    "button, input:not([type=hidden]), select, a[href], summary, label.check, "
    ".search-results li, .recommend-result"
)
SMALLER_THAN_A_FINGER = """(selector) => {
    const small = [];
    for (const el of document.querySelectorAll(selector)) {
        const r = el.getBoundingClientRect();
        const hidden = getComputedStyle(el).visibility === 'hidden';
        if (!r.width || !r.height || hidden) continue;
        if (el.matches('input[type=checkbox]') && el.closest('label.check')) continue;
        if (r.width < 44 || r.height < 44) {
            small.push(el.outerHTML.slice(0, 80) + ' ' + r.width + 'x' + r.height);
        }
    }
    return small;
}"""
MAP_CENTRE = """() => {
    const m = /^#(\\d+)\\/(-?[\\d.]+)\\/(-?[\\d.]+)$/.exec(location.hash);
    return m && {zoom: +m[1], lat: +m[2], lon: +m[3]};
}"""


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(Path(tmp_path_factory.mktemp("driver-app")))


def open_page(
    browser: Browser, size: dict[str, int], locale: str = "en-US"
) -> Iterator[Page]:
    phone = size["width"] < 700
    context = browser.new_context(
        viewport=size, locale=locale, has_touch=phone, is_mobile=phone
    )
    page = context.new_page()
    errors: list[object] = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, PHONE)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, DESKTOP)


def open_map(page: Page, site: RealSite, view: str = SHANGHAI_VIEW) -> None:
    page.goto(site.base_url + view)
    expect(page.locator("#status-line")).to_have_text(re.compile(r"stations shown"))


UNCOVERED = """(selector) => {
    for (const el of document.querySelectorAll(selector)) {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (hit && (hit === el || el.contains(hit))) return el.dataset.stationId;
    }
    return null;
}"""


def first_marker(page: Page, swap: bool) -> str:
    """A station marker nothing covers (the open sheet hides part of the map)."""
    selector = ".station-marker.is-swap" if swap else ".station-marker:not(.is-swap)"
    expect(page.locator(selector).first).to_be_attached()
    found = page.evaluate(UNCOVERED, selector)
    assert found, f"every {selector} is covered"
    return str(found)


class TestAtPhoneSize:
    def test_the_filters_open_in_a_sheet_that_closes(
        self, phone: Page, real_site: RealSite
    ) -> None:
        open_map(phone, real_site)
        panel = phone.locator("#panel")
        expect(panel).to_be_hidden()
        phone.locator("#open-filters").click()
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box is not None
        assert box["height"] <= PHONE["height"] * 0.6
        panel.locator(".sheet-close").click()
        expect(panel).to_be_hidden()

    def test_tapping_a_station_opens_it_and_ticks_no_filter(
        self, phone: Page, real_site: RealSite
    ) -> None:
        open_map(phone, real_site)
        station_id = first_marker(phone, swap=False)
        phone.locator(f".station-marker[data-station-id='{station_id}']").tap()
        expect(phone.locator("#station-sheet")).to_be_visible()
        expect(phone.locator("#station-sheet .pile").first).to_be_visible()
        assert not phone.locator("input[name=available]").is_checked()

    def test_every_control_is_at_least_44_px(
        self, phone: Page, real_site: RealSite
    ) -> None:
        open_map(phone, real_site)
        for sheet in ("#open-filters", "#open-recommend", "#open-trip"):
            phone.locator(sheet).click()
            assert phone.evaluate(SMALLER_THAN_A_FINGER, CONTROLS) == []
        marker = phone.locator(".station-icon").first
        box = marker.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= TOUCH_PX

    def test_a_recommendation_keeps_the_map_on_its_options(
        self, phone: Page, real_site: RealSite
    ) -> None:
        open_map(phone, real_site)
        phone.locator("#open-recommend").click()
        phone.select_option("select[name=vehicle]", "xiaomi-su7-max")
        phone.fill("input[name=soc]", "30")
        phone.locator("#recommend-pick").click()
        phone.locator("#map").tap(position={"x": 195, "y": 200})
        expect(phone.locator("#recommend-results li").first).to_be_visible()
        phone.wait_for_timeout(800)  # the fit animation
        centre = phone.evaluate(MAP_CENTRE)
        assert in_box(centre["lat"], centre["lon"]), centre
        assert centre["zoom"] >= 9


class TestStationSheet:
    def test_each_pile_shows_its_connector_power_and_status(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_map(desktop, real_site)
        station_id = first_marker(desktop, swap=False)
        desktop.locator(f".station-marker[data-station-id='{station_id}']").click()
        sheet = desktop.locator("#station-sheet")
        piles = sheet.locator(".pile")
        expect(piles.first).to_be_visible()
        expect(sheet).not_to_contain_text("[object Object]")
        expect(piles.first.locator(".pile-connectors")).to_have_text(
            re.compile(r"(GB/T (AC|DC)|CCS2|Type 2|CHAdeMO|NACS) \d+(\.\d+)? kW")
        )
        expect(piles.first.locator(".pile-status")).to_have_text(
            re.compile(
                r"available|charging|plugged in|reserved|offline|faulted|unknown"
            )
        )
        expect(sheet.locator(".status-age")).to_contain_text("status changed")
        expect(sheet.locator(".outlook rect.electricity")).to_have_count(24)

    def test_a_swap_station_shows_stock_queue_wait_and_no_idle_fee(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_map(desktop, real_site)
        station_id = first_marker(desktop, swap=True)
        desktop.locator(f".station-marker[data-station-id='{station_id}']").click()
        sheet = desktop.locator("#station-sheet")
        expect(sheet.locator(".swap")).to_contain_text(re.compile(r"\d+ in stock"))
        expect(sheet.locator(".swap-wait")).to_have_text(re.compile(r"min|No queue"))
        expect(sheet).not_to_contain_text("up to 0 kW")
        expect(sheet.locator(".idle-fee")).to_have_count(0)


class TestFiltersMatchTheNetwork:
    def test_every_connector_offered_finds_stations(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_map(desktop, real_site)
        boxes = desktop.locator("#filters input[name=connector]")
        expect(boxes.first).to_be_attached()
        offered = [str(b.get_attribute("value")) for b in boxes.all()]
        for connector in offered:
            found = httpx.get(
                f"{real_site.base_url}/api/v1/stations",
                params={"bbox": CHINA, "connector": connector, "limit": 1},
            ).json()["items"]
            assert found, f"the {connector} filter matches no station"

    def test_swap_capable_cars_are_marked(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_map(desktop, real_site)
        desktop.locator("#open-recommend").click()
        vehicles = httpx.get(f"{real_site.base_url}/api/v1/vehicles").json()["items"]
        swap_ids = sorted(v["id"] for v in vehicles if v["swap_operator_ids"])
        assert swap_ids
        marked = desktop.locator("select[name=vehicle] option[data-swap=true]")
        expect(marked).to_have_count(len(swap_ids))
        expect(marked.first).to_contain_text("battery swap")


class TestKeyboardAndLanguages:
    def test_search_and_filters_are_within_five_tab_presses(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_map(desktop, real_site)
        reached = []
        for _ in range(5):
            desktop.keyboard.press("Tab")
            reached.append(desktop.evaluate("document.activeElement.id"))
        assert "search" in reached
        assert "open-filters" in reached

    def test_chinese_from_the_browser_and_english_on_request(
        self, browser: Browser, real_site: RealSite
    ) -> None:
        for page in open_page(browser, PHONE, locale="zh-CN"):
            open_map_zh(page, real_site)
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            expect(page.locator("#open-filters")).to_have_text("筛选")
            page.select_option("#lang", "en")
            expect(page.locator("#open-filters")).to_have_text("Filters")
            page.reload()  # the choice is remembered over the browser's
            expect(page.locator("#open-filters")).to_have_text("Filters")

    def test_chinese_names_render_in_a_cjk_font(
        self, browser: Browser, real_site: RealSite
    ) -> None:
        if "Noto Sans CJK" not in _fonts():
            pytest.skip(
                "CJK FONT TEST SKIPPED: no Noto Sans CJK; run `make system-deps`"
            )
        for page in open_page(browser, DESKTOP, locale="zh-CN"):
            open_map_zh(page, real_site)
            family = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "Noto Sans CJK SC" in family
            assert page.evaluate(
                "document.fonts.check('16px \"Noto Sans CJK SC\"', '充电')"
            )


def open_map_zh(page: Page, site: RealSite) -> None:
    page.goto(site.base_url + SHANGHAI_VIEW)
    expect(page.locator("#status-line")).to_have_text(re.compile(r"显示 .* 个充电站"))


def _fonts() -> str:
    import subprocess

    try:
        return subprocess.run(
            ["fc-list"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        return ""


class TestDashboardOnAPhone:
    def test_the_load_button_is_on_screen(self, phone: Page, real_site: RealSite):
        phone.goto(real_site.base_url + "/admin/dashboard")
        button = phone.locator("#auth button[type=submit]")
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= TOUCH_PX
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]


def serious_violations(page: Page) -> list[str]:
    """axe-core (from axe-playwright-python) run in the page: serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


class TestAccessibility:
    def test_the_map_and_its_sheets_have_no_serious_axe_violations(
        self, phone: Page, real_site: RealSite
    ) -> None:
        open_map(phone, real_site)
        assert serious_violations(phone) == []
        for opener in ("#open-filters", "#open-recommend", "#open-trip"):
            phone.locator(opener).click()
            assert serious_violations(phone) == [], opener
        station_id = first_marker(phone, swap=False)
        phone.locator(f".station-marker[data-station-id='{station_id}']").tap()
        expect(phone.locator("#station-sheet .pile").first).to_be_visible()
        assert serious_violations(phone) == []

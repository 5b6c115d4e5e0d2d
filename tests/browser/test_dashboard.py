"""The operator dashboard in Chinese on a phone (issue 12): every string from the
catalogue, the Load button within reach, numbers and weekdays in the page's locale."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .real_site import DESKTOP, PHONE, RealSite, serve_real_site
from .test_driver_app import TOUCH_PX, open_page, serious_violations

pytestmark = pytest.mark.browser

ADMIN_TOKEN = "dashboard-admin-token"
# Source strings of the page: none may show through on the Chinese page.
ENGLISH = (
    "Admin token", "Days", "Load", "Enter the admin token", "service areas",
    "Occupancy by weekday", "Utilisation by", "Demand hot spots", "Under-served",
    "cell centre", "no demand", "darkest", "Loaded", "partner", "Mon",
)  # fmt: skip


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(
        Path(tmp_path_factory.mktemp("dashboard")), admin_token=ADMIN_TOKEN
    )


def load(page: Page, token: str = ADMIN_TOKEN) -> None:
    page.locator("#token").fill(token)
    page.locator("#auth button[type=submit]").click()


def visible_text(page: Page) -> str:
    return page.evaluate(
        "() => document.body.innerText + ' ' + [...document.querySelectorAll("
        "'svg text, [aria-label], input[placeholder]')].map(e => e.textContent + ' ' + "
        "(e.getAttribute('aria-label') || '')).join(' ')"
    )


def test_on_a_phone_in_chinese_everything_reads_in_chinese_and_loads(
    browser: Browser, admin_site: RealSite, tmp_path: Path
) -> None:
    shots = tmp_path  # a screenshot for a person to look at
    for page in open_page(browser, PHONE, "zh-CN"):
        page.goto(admin_site.base_url + "/admin/dashboard")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("h1")).to_have_text("evroam 网络分析")
        button = page.locator("#auth button[type=submit]")
        expect(button).to_have_text("加载")
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] + box["height"] <= PHONE["height"]
        assert box["height"] >= TOUCH_PX
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        load(page)
        expect(page.locator("#status")).to_have_text(re.compile(r"^已于 .+ 加载$"))
        expect(page.locator("#coverage [data-figure=areas]")).to_have_text(
            re.compile(r"^\d[\d,]*$")
        )
        expect(page.locator("#heatmap text").nth(8)).to_have_text("周一")
        expect(page.locator("#hotspots tbody")).to_contain_text("此期间无需求")
        text = visible_text(page)
        assert [word for word in ENGLISH if word in text] == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert serious_violations(page) == []
        page.screenshot(path=str(shots / "dashboard-phone-zh.png"), full_page=True)


def test_a_wrong_token_is_said_in_chinese(
    browser: Browser, admin_site: RealSite
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        page.goto(admin_site.base_url + "/admin/dashboard")
        load(page, "not-the-token")
        expect(page.locator("#status")).to_have_text("管理员令牌被拒绝。")


def test_the_language_menu_switches_to_english(
    browser: Browser, admin_site: RealSite
) -> None:
    for page in open_page(browser, DESKTOP, "zh-CN"):
        page.goto(admin_site.base_url + "/admin/dashboard")
        page.locator("#lang").select_option("en")
        expect(page.locator("#auth button[type=submit]")).to_have_text("Load")
        load(page)
        expect(page.locator("#status")).to_have_text(re.compile(r"^Loaded at "))
        expect(page.locator("#heatmap text").nth(8)).to_have_text("Mon")

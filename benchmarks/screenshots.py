"""Refresh the screenshots docs/ and the README show (``make screenshots``).

Serves the real hub over the reference scenario's Shanghai stations on a loopback
port and photographs the driver app in Debian chromium: the map and a station at
390x844 in Chinese, the wallet after a sandbox top-up, the recommendation at 1440x900 in English;
and, over the trip tests' small network, a trip on a phone in Chinese (slow piles
towards Hangzhou, the planner's note) and at 1440x900 in English (Nanjing).

    python benchmarks/screenshots.py docs/img
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from playwright.sync_api import Page, expect, sync_playwright
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.driver_steps import add_car, sign_up, top_up
from tests.browser.real_site import DESKTOP, PHONE, serve_real_site
from tests.browser.test_driver_app import UNCOVERED
from tests.browser.test_trip import plan_trip
from tests.browser.trip_network import import_trip_network
from tests.hub_keys import install_test_secrets

VIEW = "/#13/31.2304/121.4737"


def wait_for_stations(page: Page) -> None:
    expect(page.locator("#status-line")).to_have_text(
        re.compile(r"stations shown|个充电站"), timeout=20000
    )
    page.wait_for_timeout(1500)  # land and labels


def phone_shots(page: Page, base: str, folder: Path) -> None:
    page.goto(base + VIEW)
    wait_for_stations(page)
    page.screenshot(path=folder / "app-phone-zh.png")
    station_id = page.evaluate(UNCOVERED, ".station-marker:not(.is-swap)")
    page.locator(f".station-marker[data-station-id='{station_id}']").tap()
    expect(page.locator("#station-sheet .outlook")).to_be_visible()
    page.screenshot(path=folder / "station-phone-zh.png")
    sign_up(page, "li.wei@example.cn")
    add_car(page, "xiaomi-su7-max")
    top_up(page, "200")
    page.wait_for_timeout(500)
    page.screenshot(path=folder / "wallet-phone-zh.png")


def desktop_shots(page: Page, base: str, folder: Path) -> None:
    page.goto(base + "/#12/31.2304/121.4737")
    wait_for_stations(page)
    page.screenshot(path=folder / "map-shanghai.png")
    page.locator("#open-recommend").click()
    page.select_option("select[name=vehicle]", "xiaomi-su7-max")
    page.fill("input[name=soc]", "18")
    page.locator("#recommend-pick").click()
    page.locator("#map").click(position={"x": 900, "y": 450})
    expect(page.locator("#recommend-results li").first).to_be_visible(timeout=20000)
    page.wait_for_timeout(1500)
    page.screenshot(path=folder / "recommend.png")


TRIP_VIEW = "/#8/31.40/120.40"


def trip_shots(phone: Page, desktop: Page, base: str, folder: Path) -> None:
    phone.goto(base + TRIP_VIEW)
    wait_for_stations(phone)
    sign_up(phone, "trip@example.cn")
    add_car(phone, "xiaomi-su7-max")
    plan_trip(phone, "杭州")
    expect(phone.locator("#trip-notes")).to_be_visible(timeout=20000)
    phone.wait_for_timeout(1500)
    phone.screenshot(path=folder / "trip-phone-zh.png")
    desktop.goto(base + TRIP_VIEW)
    wait_for_stations(desktop)
    plan_trip(desktop, "Nanjing", vehicle="xiaomi-su7-max")
    expect(desktop.locator("#trip-stops .trip-stop").first).to_be_visible(timeout=20000)
    desktop.wait_for_timeout(1500)
    desktop.screenshot(path=folder / "trip-desktop-en.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    install_test_secrets()
    sites = serve_real_site(
        Path(tempfile.mkdtemp()), payment_provider="sandbox", password_scrypt_p=1
    )
    site = next(sites)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        phone = browser.new_context(
            viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True
        )
        phone_shots(phone.new_page(), site.base_url, args.folder)
        desktop = browser.new_context(viewport=DESKTOP, locale="en-US")
        desktop_shots(desktop.new_page(), site.base_url, args.folder)
        next(sites, None)
        trips = serve_real_site(Path(tempfile.mkdtemp()), network=import_trip_network)
        trip_site = next(trips)
        trip_shots(
            browser.new_context(
                viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True
            ).new_page(),
            browser.new_context(viewport=DESKTOP, locale="en-US").new_page(),
            trip_site.base_url,
            args.folder,
        )
        next(trips, None)
        browser.close()
    print(f"screenshots written to {args.folder}")


if __name__ == "__main__":
    main()

"""The whole driver journey in the browser, through the real partner protocols.

``evroam demo --bbox`` runs the three partner simulators (OCPI, T/CEC, T/CEC with
battery swap) as processes and the hub on loopback; the driver, in Chinese on a
390x844 phone: signs up, adds a car, tops up through the sandbox provider, finds
a free pile by searching its station, reads the quote and the hold, starts, watches
kWh/power/SoC/cost arrive over the cookie-authenticated stream, stops, and gets
the receipt with the station's name and each line; it is in the receipts list.
The same journey at 1440x900 in English, 390x844 in English and 1440x900 in
Chinese is marked slow (``-m slow``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.processes import Demo, running

from .driver_steps import VIN, add_car, open_app, show_tab, sign_up, top_up, yuan
from .real_site import DESKTOP, PHONE
from .test_driver_app import open_page

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SMALL_AREA = "121.40,31.18,121.52,31.28"
VIEW = "/#14/31.2300/121.4600"
SLOW_CHARGE_S = 90_000  # a charge's record can take a while on a busy machine (ms)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    hub = Demo(Path(tmp_path_factory.mktemp("journey")), SMALL_AREA)
    with running(hub):
        hub.start()
        yield hub


def a_free_charging_pile(demo: Demo, reservable: bool = False) -> tuple[str, str]:
    """(station name, pile id) of a partner pile that is free now (not a swap bay),
    one whose partner takes reservations if ``reservable``."""
    with httpx.Client(base_url=demo.url, timeout=30) as http:
        found = http.get(
            "/api/v1/stations",
            params={"bbox": SMALL_AREA, "available": "true", "limit": 200},
        ).json()["items"]
        for item in found:
            if item["is_swap"]:
                continue
            detail = http.get(f"/api/v1/stations/{item['id']}").json()
            for pile in detail["piles_detail"]:
                if pile["status"] == "available" and (
                    pile["is_reservable"] or not reservable
                ):
                    return detail["name"], pile["id"]
    raise AssertionError("no free pile in the demo's area")


@dataclass(frozen=True, slots=True)
class Said:
    """What the page says at each step, in one language."""

    hold: str  # in the hold's explanation
    charging: str  # the session's status while charging
    discount: str  # in the brand discount's receipt line
    english: bool  # may the receipt lines be in English?


SAID = {
    "zh-CN": Said(hold="冻结", charging="充电中", discount="首年优惠", english=False),
    "en-US": Said(
        hold="holds", charging="Charging", discount="Xiaomi first year", english=True
    ),
}


def journey(page: Page, demo: Demo, login: str, said: Said, vin: str = VIN) -> None:
    open_app(page, demo.url, VIEW)
    sign_up(page, login)
    add_car(page, "xiaomi-su7-max", vin)
    top_up(page, "200")
    expect(page.locator("#wallet-available")).to_have_text(re.compile(r"200\.00"))

    name, _pile_id = a_free_charging_pile(demo)
    page.locator("#search").fill(name)
    page.locator("#search-results li", has_text=name).first.click()
    # any free pile of the station: the simulators' churn may take the one we saw
    page.locator("#station-sheet .pile .charge-here").first.click()

    sheet = page.locator("#charge-sheet")
    expect(sheet.locator("#quote .line.kind-electricity").first).to_be_visible()
    expect(sheet.locator("#hold-explained")).to_contain_text(said.hold)
    sheet.locator("#charge-start").click()

    expect(sheet.locator("#charge-status")).to_have_text(said.charging, timeout=60_000)
    # the partner reports progress every 15 s
    expect(sheet.locator("#live-kwh")).not_to_have_text(
        re.compile(r"^0[.,]00"), timeout=60_000
    )
    expect(sheet.locator("#live-cost")).to_contain_text("¥")
    sheet.locator("#charge-stop").click()

    receipt = sheet.locator(".receipt")
    expect(receipt).to_be_visible(timeout=SLOW_CHARGE_S)
    expect(receipt.locator(".receipt-station")).to_contain_text(name)
    expect(receipt.locator(".line.kind-electricity").first).to_be_visible()
    expect(receipt.locator(".line.kind-service").first).to_be_visible()
    expect(
        receipt.locator(".line.kind-discount").first
    ).to_be_visible()  # Xiaomi, new car
    # each line in the page's language: the hub sends codes and parameters (ADR 0045)
    if not said.english:
        for text in receipt.locator(".line .line-description").all_inner_texts():
            assert not re.search(r"electricity|service|discount|first year", text), text
    expect(
        receipt.locator(".line.kind-discount .line-description").first
    ).to_contain_text(said.discount)
    paid = yuan(receipt.locator("#receipt-total").inner_text())
    assert paid > 0

    show_tab(page, "charges")
    expect(page.locator(".receipts .receipt-row").first).to_contain_text(name)
    show_tab(page, "wallet")
    left = yuan(page.locator("#wallet-available").inner_text())
    assert left == pytest.approx(200 - paid, abs=0.005)


def test_a_driver_in_chinese_on_a_phone_charges_and_gets_the_receipt(
    browser: Browser, demo: Demo
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        journey(page, demo, "journey@example.cn", SAID["zh-CN"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "locale", "vin"),
    [
        pytest.param(DESKTOP, "en-US", "LXMSU7A12R0000124", id="1440x900-en"),
        pytest.param(PHONE, "en-US", "LXMSU7A12R0000125", id="390x844-en"),
        pytest.param(DESKTOP, "zh-CN", "LXMSU7A12R0000126", id="1440x900-zh-CN"),
    ],
)
def test_the_same_journey_at_other_sizes_and_languages(
    browser: Browser, demo: Demo, size: dict[str, int], locale: str, vin: str
) -> None:
    for page in open_page(browser, size, locale):
        login = f"journey-{size['width']}-{locale.lower()}@example.cn"
        journey(page, demo, login, SAID[locale], vin)


def test_a_driver_reserves_a_free_pile_where_the_partner_takes_reservations(
    browser: Browser, demo: Demo
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        open_app(page, demo.url, VIEW)
        sign_up(page, "reserve@example.cn")
        name, pile_id = a_free_charging_pile(demo, reservable=True)
        page.locator("#search").fill(name)
        page.locator("#search-results li", has_text=name).first.click()
        pile = page.locator(f".pile[data-pile-id='{pile_id}']")
        pile.locator(".reserve").click()
        expect(pile.locator(".reservation")).to_contain_text(
            "已为您预约", timeout=30_000
        )

"""A driver plans a trip in the page and sees its stops on the map (issue 12).

On a small network (fast chargers towards Nanjing, only slow AC piles towards
Hangzhou, nothing north of Nanjing) served by the real hub: the stops the planner
chose are drawn on the map, clear of the sheet, and listed with charge or swap,
arrival and leaving charge, minutes and cost; a trip on slow piles says it is slower
and a trip no car can make names the stretch, in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from .driver_steps import add_car, open_app, sign_up, yuan
from .real_site import DESKTOP, PHONE, RealSite, serve_real_site
from .test_driver_app import (
    CONTROLS,
    SMALLER_THAN_A_FINGER,
    open_page,
    serious_violations,
)
from .trip_network import import_trip_network

pytestmark = pytest.mark.browser

VIEW = "/#8/31.40/120.40"
SOC = "35"
ON_SCREEN_AND_UNCOVERED = """(el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
    const top = document.elementFromPoint(x, y);
    return !!top && (top === el || el.contains(top));
}"""


@pytest.fixture(scope="module")
def trip_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(
        Path(tmp_path_factory.mktemp("trip")), network=import_trip_network
    )


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots for a person to look at (a temporary folder)."""
    return Path(tmp_path_factory.mktemp("trip-screenshots"))


def planned(site: RealSite, to: str, vehicle: str = "xiaomi-su7-max") -> Any:
    """What the hub answers for the trip the page asks for, between the places
    the place search finds first."""
    with httpx.Client(base_url=site.base_url, timeout=30) as http:
        ends = [
            http.get("/api/v1/places", params={"q": name}).json()["items"][0]
            for name in ("Shanghai", to)
        ]
        body = {
            "vehicle_id": vehicle, "soc": float(SOC), "prefer": "time",
            "from": {"lat": ends[0]["lat"], "lon": ends[0]["lon"]},
            "to": {"lat": ends[1]["lat"], "lon": ends[1]["lon"]},
        }  # fmt: skip
        return http.post("/api/v1/trips", json=body).json()


def choose_place(page: Page, field: str, typed: str) -> None:
    box = page.locator(f"#trip-{field}")
    box.fill(typed)
    page.locator(f"#trip-{field}-results li[data-index='0']").click()


def plan_trip(page: Page, to: str, vehicle: str | None = None) -> None:
    if page.locator("#trip-panel").is_hidden():
        page.locator("#open-trip").click()
    sheet = page.locator("#trip-panel")
    expect(sheet).to_be_visible()
    choose_place(page, "from", "上海")
    choose_place(page, "to", to)
    if vehicle:
        sheet.locator("select[name=car]").select_option(vehicle)
    sheet.locator("input[name=battery]").fill(SOC)
    sheet.locator("#trip-plan").click()


def percent(value: float) -> str:
    return f"{int(value + 0.5)} %"


def duration(minutes: float) -> list[str]:
    """The figures the page writes for a duration: 47 → 47, 107 → 1 and 47."""
    whole = int(minutes + 0.5)
    return [str(whole)] if whole < 60 else [str(whole // 60), f"{whole % 60:02d}"]


def check_stops_drawn_and_listed(page: Page, plan: Any) -> None:
    stops = plan["stops"]
    assert stops, "the trip needs a stop"
    rows = page.locator("#trip-stops .trip-stop")
    expect(rows).to_have_count(len(stops))
    markers = page.locator(".trip-stop-marker")
    expect(markers).to_have_count(len(stops))
    expect(page.locator("path.trip-route")).to_have_count(1)
    for stop, row, marker in zip(stops, rows.all(), markers.all(), strict=True):
        station = stop["station"]
        expect(row).to_have_attribute("data-station-id", station["id"])
        expect(marker).to_have_attribute("data-station-id", station["id"])
        assert marker.evaluate(ON_SCREEN_AND_UNCOVERED), "stop hidden on the map"
        expect(row.locator(".trip-stop-name")).to_have_text(station["name"])
        soc = row.locator(".trip-stop-soc")
        expect(soc).to_contain_text(percent(stop["arrival_soc"]))
        expect(soc).to_contain_text(percent(stop["departure_soc"]))
        assert yuan(row.locator(".trip-stop-cost").inner_text()) == float(stop["cost"])
        if stop["free_chance"] is not None:  # ADR 0039: at the planned arrival
            expect(row.locator(".free-chance")).to_contain_text(
                f"{int(100 * stop['free_chance'] + 0.5)} %"
            )
        minutes = row.locator(".trip-stop-minutes")
        for figure in duration(stop["charge_minutes"]):
            expect(minutes).to_contain_text(figure)
    assert yuan(page.locator(".trip-total-cost").inner_text()) == float(
        plan["total_cost"]
    )


def error_of(page: Page) -> Locator:
    error = page.locator("#trip-error")
    expect(error).to_be_visible()
    return error


def test_on_a_phone_in_chinese_the_trip_starts_from_the_account_car(
    browser: Browser, trip_site: RealSite, shots: Path
) -> None:
    for page in open_page(browser, PHONE, "zh-CN"):
        open_app(page, trip_site.base_url, VIEW)
        sign_up(page, "trip@example.cn")
        add_car(page, "xiaomi-su7-max")
        page.locator("#open-trip").click()
        sheet = page.locator("#trip-panel")
        expect(sheet.locator("select[name=car]")).to_have_value("xiaomi-su7-max")
        expect(sheet.locator("#trip-title")).to_have_text("规划行程")

        plan_trip(page, "南京")
        plan = planned(trip_site, "Nanjing")
        check_stops_drawn_and_listed(page, plan)
        expect(sheet.locator(".trip-stop-kind").first).to_have_text("充电")
        expect(sheet.locator(".trip-stop-soc").first).to_contain_text("到达")
        expect(sheet.locator("#trip-notes")).to_have_count(0)

        plan_trip(page, "杭州")
        slower = planned(trip_site, "Hangzhou")
        assert [n["code"] for n in slower["note_details"]] == ["trip.slower_chargers"]
        check_stops_drawn_and_listed(page, slower)
        expect(sheet.locator("#trip-notes")).to_contain_text("较慢")
        expect(sheet.locator("#trip-notes")).to_contain_text("7 kW")
        page.screenshot(path=str(shots / "trip-phone-zh.png"))
        assert page.evaluate(SMALLER_THAN_A_FINGER, CONTROLS + ", .trip-stop") == []
        assert serious_violations(page) == []

        plan_trip(page, "北京")
        error = error_of(page)
        expect(error).to_contain_text("无法规划行程")
        expect(error).to_contain_text("出发地")
        expect(error).not_to_contain_text("no plan")
        expect(page.locator(".trip-stop-marker")).to_have_count(0)


def test_on_a_desktop_in_english_any_model_plans_and_the_notes_read_in_english(
    browser: Browser, trip_site: RealSite, shots: Path
) -> None:
    for page in open_page(browser, DESKTOP, "en-US"):
        open_app(page, trip_site.base_url, VIEW)
        plan_trip(page, "Nanjing", vehicle="xiaomi-su7-max")
        sheet = page.locator("#trip-panel")
        check_stops_drawn_and_listed(page, planned(trip_site, "Nanjing"))
        expect(sheet.locator(".trip-stop-kind").first).to_have_text("charge")
        expect(sheet.locator("#trip-summary")).to_contain_text("km")
        page.screenshot(path=str(shots / "trip-desktop-en.png"))

        plan_trip(page, "Hangzhou")
        check_stops_drawn_and_listed(page, planned(trip_site, "Hangzhou"))
        expect(sheet.locator("#trip-notes")).to_contain_text(
            re.compile(r"slower chargers \(the slowest 7 kW\)")
        )

        plan_trip(page, "Beijing")
        expect(error_of(page)).to_contain_text(
            re.compile(r"No plan for the Xiaomi SU7 Max: between the start")
        )


def test_a_place_nobody_knows_is_named_and_nothing_is_drawn(
    browser: Browser, trip_site: RealSite
) -> None:
    for page in open_page(browser, DESKTOP, "en-US"):
        open_app(page, trip_site.base_url, VIEW)
        page.locator("#open-trip").click()
        sheet = page.locator("#trip-panel")
        choose_place(page, "from", "Shanghai")
        sheet.locator("#trip-to").fill("Atlantis")
        sheet.locator("select[name=car]").select_option("xiaomi-su7-max")
        sheet.locator("#trip-plan").click()
        expect(error_of(page)).to_have_text("No place called Atlantis.")
        expect(page.locator("path.trip-route")).to_have_count(0)

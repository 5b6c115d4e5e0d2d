"""Sign up, sign in and out, wallet and cars in the browser, on the real hub."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from .driver_steps import (
    PASSWORD,
    VIN,
    add_car,
    open_account,
    open_app,
    sign_in,
    sign_up,
    yuan,
)
from .driver_steps import top_up as pay_in
from .real_site import DESKTOP, PHONE, RealSite, serve_real_site
from .test_driver_app import (
    CONTROLS,
    SMALLER_THAN_A_FINGER,
    open_page,
    serious_violations,
)

pytestmark = pytest.mark.browser
IN_THE_SHEET = ", ".join(f"#account-panel {c.strip()}" for c in CONTROLS.split(","))


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealSite]:
    yield from serve_real_site(
        Path(tmp_path_factory.mktemp("account")),
        payment_provider="sandbox",
        password_scrypt_p=1,
    )


@pytest.fixture
def phone_zh(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, PHONE, "zh-CN")


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, DESKTOP)


class TestSigningUpAndIn:
    def test_sign_up_keeps_you_signed_in_with_a_cookie_scripts_cannot_read(
        self, phone_zh: Page, real_site: RealSite
    ) -> None:
        open_app(phone_zh, real_site.base_url)
        sign_up(phone_zh, "li.wei@example.cn")
        expect(phone_zh.locator(".account-hello")).to_contain_text("已登录")
        assert "evroam_session" not in phone_zh.evaluate("document.cookie")
        cookie = next(
            c for c in phone_zh.context.cookies() if c["name"] == "evroam_session"
        )
        assert cookie["httpOnly"]
        assert cookie["sameSite"] == "Strict"
        phone_zh.reload()
        open_account(phone_zh)
        expect(phone_zh.locator(".account-hello")).to_contain_text("李伟")

    def test_sign_out_then_in_again_and_a_wrong_password_says_so(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_app(desktop, real_site.base_url)
        sign_up(desktop, "13800138000", "Wang Fang")
        desktop.locator("#sign-out").click()
        expect(desktop.locator("#auth-form")).to_be_visible()
        sign_in(desktop, "+86 138 0013 8000", "not my password")
        expect(desktop.locator("#auth-error")).to_have_text("Wrong login or password.")
        sign_in(desktop, "13800138000", PASSWORD)
        expect(desktop.locator(".account-hello")).to_contain_text("Wang Fang")

    def test_a_login_already_used_says_to_sign_in(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_app(desktop, real_site.base_url)
        sign_up(desktop, "taken@example.cn", "First")
        desktop.locator("#sign-out").click()
        desktop.locator("#auth-switch").click()
        sheet = desktop.locator("#account-panel")
        sheet.locator("input[name=name]").fill("Second")
        sheet.locator("input[name=login]").fill("TAKEN@example.cn")
        sheet.locator("input[name=password]").fill(PASSWORD)
        sheet.locator("#auth-form button[type=submit]").click()
        expect(desktop.locator("#auth-error")).to_contain_text("sign in instead")


class TestWalletAndCars:
    def test_a_sandbox_top_up_shows_in_the_balance_and_the_history(
        self, phone_zh: Page, real_site: RealSite
    ) -> None:
        open_app(phone_zh, real_site.base_url)
        sign_up(phone_zh, "wallet@example.cn")
        pay_in(phone_zh, "188.50")
        expect(phone_zh.locator("#wallet-available")).to_have_text(
            re.compile(r"188\.50")
        )
        line = phone_zh.locator(".wallet-line.kind-top_up")
        expect(line).to_contain_text("充值")
        assert yuan(line.locator(".amount").inner_text()) == 188.5

    def test_a_car_added_is_the_one_recommendations_use(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_app(desktop, real_site.base_url)
        sign_up(desktop, "car@example.cn", "Car Owner")
        add_car(desktop, "xiaomi-su7-max")
        expect(desktop.locator(f".car[data-vin='{VIN}']")).to_contain_text(
            "Xiaomi SU7 Max"
        )
        desktop.locator("#open-recommend").click()
        expect(desktop.locator("#recommend-form select[name=vehicle]")).to_have_value(
            "xiaomi-su7-max"
        )

    def test_a_bad_vin_is_explained_before_it_is_sent(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_app(desktop, real_site.base_url)
        sign_up(desktop, "badvin@example.cn", "Bad Vin")
        desktop.locator("#tab-cars").click()
        form = desktop.locator("#car-form")
        form.locator("select[name=model]").select_option("byd-seal")
        form.locator("input[name=vin]").fill("IOQ")
        form.locator("button[type=submit]").click()
        expect(desktop.locator("#car-error")).to_contain_text("17")
        expect(desktop.locator(".car")).to_have_count(0)


class TestAccountSheetAccessibility:
    def test_signed_out_and_each_tab_have_no_serious_violations_and_44_px(
        self, phone_zh: Page, real_site: RealSite
    ) -> None:
        open_app(phone_zh, real_site.base_url)
        open_account(phone_zh)
        expect(phone_zh.locator("#auth-form")).to_be_visible()
        assert serious_violations(phone_zh) == []
        sign_up(phone_zh, "axe@example.cn")
        for tab in phone_zh.locator(".account-tab").all():
            tab.click()
            expect(phone_zh.locator("#account-tab-panel")).not_to_contain_text("加载中")
            assert serious_violations(phone_zh) == [], tab.inner_text()
            small = phone_zh.evaluate(SMALLER_THAN_A_FINGER, IN_THE_SHEET)
            assert small == [], tab.inner_text()


class TestPrivacy:
    def test_consent_shows_the_usage_export_downloads_and_erasure_signs_out(
        self, desktop: Page, real_site: RealSite
    ) -> None:
        open_app(desktop, real_site.base_url)
        sign_up(desktop, "private@example.cn", "Private Person")
        desktop.locator("#tab-privacy").click()
        expect(desktop.locator("#usage")).to_be_empty()
        desktop.locator("#consent").check()
        expect(desktop.locator("#usage-sessions")).to_have_text("0")
        with desktop.expect_download() as download:
            desktop.locator("#export").click()
        exported = json.loads(Path(download.value.path()).read_text())
        assert exported["account"]["name"] == "Private Person"
        assert exported["consent_history"][0]["is_granted"] is True
        desktop.locator("#erase").click()
        desktop.locator("#erase").click()  # "Yes, delete it for good"
        expect(desktop.locator("#auth-form")).to_be_visible()
        sign_in(desktop, "private@example.cn")
        expect(desktop.locator("#auth-error")).to_have_text("Wrong login or password.")

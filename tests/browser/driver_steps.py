"""What a driver does in the web app, step by step, for the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
VIN = "LXMSU7A12R0000123"


SHANGHAI_VIEW = "/#13/31.2304/121.4737"


def open_app(page: Page, base_url: str, view: str = SHANGHAI_VIEW) -> None:
    """The map with its stations drawn, in whatever language the page speaks."""
    page.goto(base_url + view)
    expect(page.locator("#status-line")).to_have_text(re.compile(r"\d"))


def open_account(page: Page) -> None:
    if page.locator("#account-panel").is_hidden():
        page.locator("#open-account").click()
    expect(page.locator("#account-panel")).to_be_visible()


def sign_up(page: Page, login: str, name: str = "李伟") -> None:
    open_account(page)
    sheet = page.locator("#account-panel")
    if sheet.locator("input[name=name]").count() == 0:
        sheet.locator("#auth-switch").click()
    sheet.locator("input[name=name]").fill(name)
    sheet.locator("input[name=login]").fill(login)
    sheet.locator("input[name=password]").fill(PASSWORD)
    sheet.locator("#auth-form button[type=submit]").click()
    expect(sheet.locator(".account-hello")).to_contain_text(name)


def sign_in(page: Page, login: str, password: str = PASSWORD) -> None:
    open_account(page)
    sheet = page.locator("#account-panel")
    sheet.locator("input[name=login]").fill(login)
    sheet.locator("input[name=password]").fill(password)
    sheet.locator("#auth-form button[type=submit]").click()


def show_tab(page: Page, tab: str) -> None:
    open_account(page)
    page.locator(f"#tab-{tab}").click()
    expect(page.locator(f"#tab-{tab}")).to_have_attribute("aria-selected", "true")


def top_up(page: Page, amount: str) -> None:
    show_tab(page, "wallet")
    form = page.locator("#top-up-form")
    form.locator("input[name=amount]").fill(amount)
    form.locator("button[type=submit]").click()
    page.locator("#pay").click()
    expect(page.locator("#wallet-history, .wallet-history")).to_be_visible()


def add_car(page: Page, model_id: str, vin: str = VIN) -> None:
    show_tab(page, "cars")
    form = page.locator("#car-form")
    form.locator("select[name=model]").select_option(model_id)
    form.locator("input[name=vin]").fill(vin)
    form.locator("button[type=submit]").click()
    expect(page.locator(f".car[data-vin='{vin}']")).to_be_visible()


def yuan(text: str) -> float:
    """¥1,234.50 / CN¥100.00 → 1234.5"""
    digits = re.sub(r"[^\d.\-]", "", text)
    return float(digits)

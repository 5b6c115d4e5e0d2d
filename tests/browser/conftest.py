"""Fixtures: the fake API served on loopback, and headless Debian chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .fake_api import FakeNetwork
from .live_server import LiveSite, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def site() -> Iterator[LiveSite]:
    yield from serve(FakeNetwork(), has_events=True)


@pytest.fixture
def site_without_events() -> Iterator[LiveSite]:
    yield from serve(FakeNetwork(), has_events=False)


@pytest.fixture
def site_with_small_pages() -> Iterator[LiveSite]:
    """Needs four pages for the whole city; the map stops after three."""
    yield from serve(FakeNetwork(max_page=60), has_events=True)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(
            "BROWSER TESTS SKIPPED: /usr/bin/chromium is missing; "
            "install it with `make system-deps`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page_errors() -> list[object]:
    """Uncaught script errors of the page under test; every test expects none."""
    return []


@pytest.fixture
def page(browser, page_errors):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: page_errors.append(error))
    yield new_page
    context.close()

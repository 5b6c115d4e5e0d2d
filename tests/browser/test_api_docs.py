"""/docs (Swagger UI) and /redoc (ReDoc) render the API with the network cut off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from evroam.api.app import create_app
from evroam.bootstrap import build_services
from evroam.config import Settings
from evroam.storage.database import DatabaseAccess

from .live_server import _Server

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
# ReDoc's "API docs by Redocly" attribution: an <img> that hides itself on error.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class Offline:
    """Every request that would leave the machine is aborted and noted."""

    refused: list[str] = field(default_factory=list)

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK or url.startswith("data:"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort("internetdisconnected")


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = Path(tmp_path_factory.mktemp("docs")) / "hub.db"
    settings = Settings(database_url=f"sqlite:///{db}", maintenance_interval_s=0)
    services = build_services(settings, access=DatabaseAccess.UPGRADE)
    with _Server(create_app(settings, services)) as server:
        yield server.base_url
    services.close()


@pytest.fixture
def offline(page: Page) -> Offline:
    cut = Offline()
    page.route("**/*", cut)
    return cut


def test_swagger_ui_shows_the_operations_without_internet(
    page: Page, hub_url: str, offline: Offline, page_errors: list[object]
):
    page.goto(f"{hub_url}/docs")
    stations = page.locator(".opblock-summary-path", has_text="/api/v1/stations")
    expect(stations.first).to_be_visible(timeout=15_000)
    assert page.locator(".opblock").count() > 20
    expect(page.locator(".info .title")).to_contain_text("evroam")
    assert offline.refused == []
    assert page_errors == []


def test_redoc_shows_the_operations_without_internet(
    page: Page, hub_url: str, offline: Offline, page_errors: list[object]
):
    page.goto(f"{hub_url}/redoc")
    expect(page.get_by_text("/api/v1/charging-sessions").first).to_be_attached(
        timeout=15_000
    )
    expect(page.locator("h1").first).to_contain_text("evroam")
    assert page.locator("[data-section-id^='tag/']").count() > 5
    assert set(offline.refused) <= {REDOCLY_LOGO}
    assert page_errors == []

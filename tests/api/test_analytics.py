import csv
import io
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, select

from evroam.api.app import create_app
from evroam.api.routes import analytics, dashboard
from evroam.bootstrap import Services
from evroam.catalogue.model import PileStatus
from evroam.shared.ids import StationId
from evroam.status.history import StatusAt
from evroam.storage.charging_tables import charging_sessions
from evroam.storage.tables import piles, stations
from tests.api.conftest import NOW
from tests.hub_keys import ADMIN

BASE = "/api/v1/admin/analytics"


@pytest.fixture
def app(services: Services) -> FastAPI:
    """The app, with the analytics routers added if ``create_app`` lacks them."""
    built = create_app(services.settings, services)
    paths = {getattr(route, "path", "") for route in built.routes}
    if BASE + "/coverage" not in paths:
        built.include_router(analytics.router)
    if "/admin/dashboard" not in paths:
        built.include_router(dashboard.router)
    return built


def record_sessions(services: Services, count: int, drivers: int) -> None:
    """``count`` two-hour sessions at the first pile, by ``drivers`` accounts."""
    query = (
        select(piles.c.id, stations.c.id, stations.c.operator_id)
        .join(stations, piles.c.station_sid == stations.c.sid)
        .order_by(stations.c.sid, piles.c.id)
        .limit(1)
    )
    with services.engine.begin() as conn:
        pile_id, station_id, operator_id = conn.execute(query).one()
        for i in range(count):
            started = NOW - timedelta(days=1 + i)
            conn.execute(
                insert(charging_sessions).values(
                    id=f"cs{i}", account_id=f"acc{i % drivers}",
                    idempotency_key=f"k{i}",
                    fingerprint="f", operator_id=operator_id, station_id=station_id,
                    pile_id=pile_id, status="billed", hold_id=f"h{i}", hold_fen=5000,
                    created_at=started, started_at=started,
                    ended_at=started + timedelta(hours=2), kwh="30.5",
                )
            )  # fmt: skip


class TestAdminOnly:
    async def test_refuses_calls_without_the_admin_token(
        self, client: httpx.AsyncClient
    ):
        for path in ("/utilisation", "/occupancy", "/hotspots", "/coverage"):
            response = await client.get(BASE + path)
            assert response.status_code == 401

    async def test_refuses_a_driver_token(self, client: httpx.AsyncClient):
        response = await client.get(
            BASE + "/coverage", headers={"Authorization": "Bearer not-admin"}
        )
        assert response.status_code == 401


def record_history(services: Services) -> str:
    """Station S000's piles: known for the last two days, the first one busy
    for six hours of them (imported, as the demo's backfill does)."""
    station = services.catalogue.get_station(StationId("rapidgrid-S000")).station
    first, second = (p.id for p in station.piles)
    day = timedelta(days=1)
    services.status.import_history(
        {
            first: [
                StatusAt(NOW - 2 * day, PileStatus.AVAILABLE),
                StatusAt(NOW - day, PileStatus.CHARGING),
                StatusAt(NOW - day + timedelta(hours=6), PileStatus.AVAILABLE),
            ],
            second: [StatusAt(NOW - 2 * day, PileStatus.AVAILABLE)],
        },
        ends_at=NOW,
    )
    return station.id


class TestUtilisation:
    async def test_is_busy_over_observed_pile_hours_from_the_status_history(
        self, client, services
    ):
        station_id = record_history(services)
        response = await client.get(
            BASE + "/utilisation", params={"by": "station", "days": 30}, headers=ADMIN
        )
        assert response.status_code == 200
        items = {i["key"]: i for i in response.json()["items"]}
        assert items[station_id]["busy_hours"] == pytest.approx(6)
        assert items[station_id]["pile_hours"] == pytest.approx(2 * 48)
        assert items[station_id]["share"] == pytest.approx(6 / 96)

    async def test_the_hubs_own_sessions_are_not_what_it_counts(self, client, services):
        record_history(services)
        before = (await client.get(BASE + "/utilisation", headers=ADMIN)).json()
        record_sessions(services, count=3, drivers=3)
        after = (await client.get(BASE + "/utilisation", headers=ADMIN)).json()
        assert after["items"] == before["items"]

    async def test_rejects_an_unknown_grouping(self, client):
        response = await client.get(BASE + "/utilisation?by=planet", headers=ADMIN)
        assert response.status_code == 422


class TestOccupancy:
    async def test_returns_a_weekday_by_hour_grid(self, client, services):
        record_history(services)
        body = (await client.get(BASE + "/occupancy", headers=ADMIN)).json()
        assert body["time_zone"] == "Asia/Shanghai"
        assert len(body["shares"]) == 7
        assert all(len(day) == 24 for day in body["shares"])
        assert any(v > 0 for day in body["shares"] for v in day)


class TestHotspots:
    async def test_lists_the_busiest_cells(self, client, services):
        record_sessions(services, count=4, drivers=2)
        items = (await client.get(BASE + "/hotspots", headers=ADMIN)).json()["items"]
        assert items[0]["sessions"] == 4
        assert items[0]["kwh"] == 122.0

    async def test_partner_view_withholds_cells_of_fewer_than_k_drivers(
        self, client, services
    ):
        record_sessions(services, count=4, drivers=2)
        body = (
            await client.get(BASE + "/hotspots?audience=partner", headers=ADMIN)
        ).json()
        assert body["items"] == []
        assert (body["k"], body["suppressed_sessions"]) == (10, 4)


class TestCoverageAndUnderserved:
    async def test_reports_service_area_coverage(self, client):
        body = (await client.get(BASE + "/coverage", headers=ADMIN)).json()
        assert body["service_areas"] > 500
        assert body["swap_share"] == 0  # the test network has no service-area sites
        assert len(body["without_swap"]) == body["service_areas"]

    async def test_ranks_demand_cells_by_unmet_demand(self, client, services):
        record_sessions(services, count=2, drivers=2)
        response = await client.get(BASE + "/underserved?days=7", headers=ADMIN)
        assert response.status_code == 200
        assert isinstance(response.json()["items"], list)


class TestExport:
    async def test_exports_a_report_as_csv(self, client, services):
        record_sessions(services, count=2, drivers=2)
        response = await client.get(
            BASE + "/export.csv", params={"report": "occupancy"}, headers=ADMIN
        )
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == 7 * 24
        assert set(rows[0]) == {"weekday", "hour", "share"}

    async def test_shares_only_hot_spots_with_partners(self, client):
        response = await client.get(
            BASE + "/export.csv",
            params={"report": "utilisation", "audience": "partner"},
            headers=ADMIN,
        )
        assert response.status_code == 422


class TestDashboard:
    async def test_serves_the_dashboard_page_with_its_script(self, client):
        response = await client.get("/admin/dashboard")
        assert response.status_code == 200
        assert "network analytics" in response.text
        assert "/static/evroam/dashboard.js" in response.text
        script = await client.get("/static/evroam/dashboard.js")
        assert script.status_code == 200

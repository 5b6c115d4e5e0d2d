"""The driver's own data over HTTP: consent, usage report, export, erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from evroam.accounts.service import token_hash
from evroam.api.app import create_app
from evroam.api.routes import me as me_routes
from evroam.charging.model import (
    BilledCharge,
    ChargingSession,
    Receipt,
    ReceiptLine,
    SessionStatus,
)
from evroam.shared.ids import AccountId, OperatorId, PileId, SessionId
from evroam.shared.money import Money
from evroam.storage.charging_tables import billed_charges
from evroam.storage.session_repository import SqlSessionStore
from evroam.storage.tables import metadata
from tests.api.conftest import NOW
from tests.api.test_accounts import open_account
from tests.api.test_money_api import topped_up
from tests.builders import station_id_for

VIN = "LRW3E7EK0NC123456"
OPERATOR = OperatorId("rapidgrid")


@pytest.fixture
def app(services) -> FastAPI:
    """The app, with the /me routes until create_app includes them."""
    built = create_app(services.settings, services)
    paths = {getattr(route, "path", "") for route in built.routes}
    if "/api/v1/me/usage" not in paths:
        built.include_router(me_routes.router)
    return built


def bill_a_session(services, account_id, n, hours_ago, station="S000"):
    """A session that ran, was settled from its hold and got its receipt."""
    sid = SessionId(f"ses_{n}")
    started = NOW - timedelta(hours=hours_ago)
    hold = services.wallet.place_hold(account_id, Money.of("50"), sid, f"hold:{n}")
    session = ChargingSession(
        sid,
        AccountId(account_id),
        OPERATOR,
        station_id_for("rapidgrid", station),
        PileId("p"),
        SessionStatus.ENDED,
        hold.id,
        Money.of("50"),
        created_at=started,
        started_at=started,
        ended_at=started + timedelta(minutes=40),
        kwh=Decimal("30"),
    )
    store = SqlSessionStore(services.engine)
    store.add(session, f"key-{n}", "f" * 64)
    partner, discount = Money.of("36"), Money.of("6")
    services.wallet.settle_hold(hold.id, partner, discount, OPERATOR, f"settle:{n}")
    receipt = Receipt(
        f"rct_{sid}", sid, AccountId(account_id), OPERATOR, session.station_id,
        started, started + timedelta(minutes=40), Decimal("30"),
        (ReceiptLine("electricity", "30 kWh", partner),
         ReceiptLine("discount", "brand", Money.of("-6"))),
        partner, discount, Money.of("30"), NOW,
    )  # fmt: skip
    charge = BilledCharge(
        sid, OPERATOR, f"cdr-{n}", started, started + timedelta(minutes=40),
        Decimal("30"), partner, Money.zero(), Money.zero(), partner, discount,
        partner, NOW,
    )  # fmt: skip
    with store.transaction() as tx:
        tx.add_receipt(receipt, charge)
        billed = replace(session, status=SessionStatus.BILLED, version=1)
        assert tx.save(billed)
        tx.commit()


async def a_charging_driver(client, services, name="Zhao Lei", vin=VIN):
    auth, _ = await topped_up(client, name=name)
    me = (await client.get("/api/v1/accounts/me", headers=auth)).json()
    car = {"vin": vin, "brand": "BYD", "model": "Seal", "delivery_date": "2026-03-01"}
    r = await client.post("/api/v1/accounts/me/vehicles", json=car, headers=auth)
    assert r.status_code == 201
    for n, hours_ago in enumerate((1, 25, 49)):
        bill_a_session(services, me["id"], f"{name[:2]}{n}", hours_ago)
    return me, auth


def every_cell(services):
    with services.engine.connect() as conn:
        return [
            str(value)
            for table in metadata.sorted_tables
            for row in conn.execute(select(table))
            for value in row
        ]


class TestConsent:
    async def test_is_off_until_the_driver_gives_it(self, client):
        _, auth = await open_account(client)
        r = await client.get("/api/v1/me/consent", headers=auth)
        assert r.json() == {
            "usage_analytics": False,
            "pile_reports": False,
            "updated_at": None,
        }

    async def test_a_change_is_kept_and_dated(self, client):
        _, auth = await open_account(client)
        body = {"usage_analytics": True}
        r = await client.put("/api/v1/me/consent", json=body, headers=auth)
        assert r.status_code == 200
        assert r.json()["usage_analytics"] is True
        assert r.json()["updated_at"].startswith(NOW.date().isoformat())

    async def test_needs_a_token(self, client):
        assert (await client.get("/api/v1/me/consent")).status_code == 401


class TestUsageReport:
    async def test_is_refused_without_consent(self, client, services):
        _, auth = await a_charging_driver(client, services)
        r = await client.get("/api/v1/me/usage", headers=auth)
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"

    async def test_shows_when_where_and_how_much_the_driver_charges(
        self, client, services
    ):
        _, auth = await a_charging_driver(client, services)
        body = {"usage_analytics": True}
        await client.put("/api/v1/me/consent", json=body, headers=auth)
        report = (await client.get("/api/v1/me/usage", headers=auth)).json()
        assert report["sessions"] == 3
        assert report["by_hour"][9] == 3  # 09:01 Shanghai each day
        assert sum(report["by_weekday"]) == 3
        assert report["per_month"] == [
            {"month": "2026-10", "sessions": 1},  # 31 Oct
            {"month": "2026-11", "sessions": 2},
        ]
        assert report["favourite_places"][0]["sessions"] == 3
        assert report["favourite_places"][0]["name"] == "Test station S000"
        assert report["average_kwh"] == "30.00"
        assert report["total_spend"] == "90.00"
        assert report["discount_savings"] == "18.00"

    async def test_stops_once_consent_is_withdrawn(self, client, services):
        _, auth = await a_charging_driver(client, services)
        for given in (True, False):
            body = {"usage_analytics": given}
            await client.put("/api/v1/me/consent", json=body, headers=auth)
        assert (await client.get("/api/v1/me/usage", headers=auth)).status_code == 403


class TestExport:
    async def test_gives_all_the_drivers_data_as_a_download(self, client, services):
        _, auth = await a_charging_driver(client, services)
        body = {"usage_analytics": True}
        await client.put("/api/v1/me/consent", json=body, headers=auth)
        r = await client.get("/api/v1/me/export", headers=auth)
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        doc = r.json()
        assert doc["account"]["name"] == "Zhao Lei"
        assert [v["vin"] for v in doc["vehicles"]] == [VIN]
        assert len(doc["consent_history"]) == 1
        assert len(doc["sessions"]) == len(doc["receipts"]) == 3
        kinds = {line["kind"] for line in doc["wallet_history"]}
        assert {"top_up", "hold", "settlement"} <= kinds


class TestErasure:
    async def test_forgets_the_driver_but_keeps_the_books(self, client, services):
        me, auth = await a_charging_driver(client, services)
        await a_charging_driver(client, services, "Qian Yu", "LRW3E7EK0NC654321")
        with services.engine.connect() as conn:
            billed_before = conn.execute(select(billed_charges)).all()
        hashed = token_hash(auth["Authorization"][7:])

        r = await client.delete("/api/v1/me", headers=auth)

        assert r.status_code == 204
        assert (
            await client.get("/api/v1/accounts/me", headers=auth)
        ).status_code == 401
        assert (await client.get("/api/v1/me/export", headers=auth)).status_code == 401
        cells = every_cell(services)
        for secret in (me["name"], me["id"], hashed, VIN):
            assert not any(secret in cell for cell in cells), secret
        assert any("Qian Yu" in cell for cell in cells)
        assert services.wallet._store.trial_balance().is_consistent
        with services.engine.connect() as conn:
            assert conn.execute(select(billed_charges)).all() == billed_before

    async def test_keeps_the_driver_s_money_under_the_pseudonym(self, client, services):
        me, auth = await a_charging_driver(client, services)
        before = services.wallet.balance(me["id"])
        await client.delete("/api/v1/me", headers=auth)
        trial = services.wallet._store.trial_balance()
        kept = {k: v for k, v in trial.cached_fen.items() if k.startswith("wallet:")}
        assert list(kept.values()) == [before.available.fen]
        assert next(iter(kept)).startswith("wallet:erased_")
        assert trial.total_fen == 0

    async def test_waits_for_an_open_session(self, client, services):
        me, auth = await open_account(client)
        await topped_up(client, name="Sun Li")
        session = ChargingSession(
            SessionId("ses_open"), AccountId(me["id"]), OPERATOR,
            station_id_for("rapidgrid", "S000"), PileId("p"),
            SessionStatus.CHARGING, "hold_x", Money.of("50"), created_at=NOW,
        )  # fmt: skip
        SqlSessionStore(services.engine).add(session, "key-open", "f" * 64)
        r = await client.delete("/api/v1/me", headers=auth)
        assert r.status_code == 409
        assert (
            await client.get("/api/v1/accounts/me", headers=auth)
        ).status_code == 200

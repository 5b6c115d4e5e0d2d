"""The live stream of a charge (SSE), with a bearer token or the web session
cookie, and the hold a quote announces."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from evroam.shared.money import Money
from tests.api.test_accounts import open_account
from tests.api.test_me import bill_a_session
from tests.api.test_sign_in import sign_up


def fund(services, account_id: str) -> None:
    intent = services.wallet.top_up(account_id, Money.of(100), f"fund-{account_id}")
    services.confirm_sandbox_top_up(account_id, intent.intent_id)


def frames(text: str) -> list[tuple[str, dict]]:
    found = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


class TestTheLiveStream:
    async def test_a_billed_session_streams_its_figures_then_ends(
        self, client, services
    ):
        body, auth = await open_account(client)
        fund(services, body["id"])
        bill_a_session(services, body["id"], "live1", 1)
        r = await client.get("/api/v1/charging-sessions/ses_live1/events", headers=auth)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = frames(r.text)
        assert [name for name, _ in events] == ["progress", "end"]
        assert events[0][1]["status"] == "billed"
        assert events[0][1]["kwh"] == "30"

    async def test_the_web_session_cookie_opens_it(self, app, services):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hub.test"
        ) as browser:
            me = (await sign_up(browser)).json()
            fund(services, me["id"])
            bill_a_session(services, me["id"], "live2", 1)
            r = await browser.get("/api/v1/charging-sessions/ses_live2/events")
        assert r.status_code == 200
        assert frames(r.text)[-1][0] == "end"

    async def test_another_drivers_session_is_not_found(self, client, services):
        body, _ = await open_account(client, "Owner")
        fund(services, body["id"])
        bill_a_session(services, body["id"], "live3", 1)
        _, other = await open_account(client, "Other")
        r = await client.get(
            "/api/v1/charging-sessions/ses_live3/events", headers=other
        )
        assert r.status_code == 404

    async def test_without_a_token_or_a_session_it_is_a_401(self, client):
        r = await client.get("/api/v1/charging-sessions/ses_x/events")
        assert r.status_code == 401


class TestAQuoteNamesTheHold:
    async def test_the_hold_is_what_starting_would_hold_now(self, client, services):
        station = services.catalogue.find_station("rapidgrid-S000")
        pile = station.piles[0].id
        r = await client.post(
            "/api/v1/quotes",
            json={"pile_id": pile, "start_at": "2026-11-02T10:01:00+08:00", "kwh": 30},
        )
        assert r.status_code == 200
        hold = Money(Decimal(r.json()["hold"]))
        assert hold == services.charging.expected_hold(pile, Decimal(30))
        assert hold >= Money.of(20)
        assert hold.amount == hold.amount.to_integral_value()
        assert hold >= Money(Decimal(r.json()["partner_total"]))

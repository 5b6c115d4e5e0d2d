"""Wallet, top-ups, webhooks and sessions over HTTP: idempotency and authorisation."""

from __future__ import annotations

import json
import time

import pytest

from evroam.payments.webhook import SIGNATURE_HEADER, sign
from tests.api.test_accounts import open_account
from tests.hub_keys import WEBHOOK_SECRET


async def topped_up(client, name="Wang Fang", amount="300.00"):
    _, auth = await open_account(client, name)
    r = await client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": amount},
        headers={**auth, "Idempotency-Key": f"top-up-{name}"},
    )
    assert r.status_code == 201
    intent = r.json()
    paid = await client.post(intent["confirm_url"], headers=auth)
    assert paid.status_code == 200
    return auth, intent


class TestWallet:
    async def test_a_new_account_has_an_empty_wallet(self, client):
        _, auth = await open_account(client)
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert (wallet["available"], wallet["held"], wallet["owed"]) == (
            "0.00",
            "0.00",
            "0.00",
        )

    async def test_a_paid_top_up_credits_the_wallet_once(self, client, services):
        auth, intent = await topped_up(client)
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["available"] == "300.00"
        # The provider may deliver its webhook again: no second credit.
        webhook = services.payments.confirm(intent["id"])
        again = await client.post(
            "/api/v1/payments/webhook",
            content=webhook.body,
            headers={SIGNATURE_HEADER: webhook.signature_header},
        )
        assert again.status_code == 200
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["available"] == "300.00"

    async def test_the_same_key_and_body_give_the_same_top_up_and_another_body_409(
        self, client
    ):
        _, auth = await open_account(client)
        headers = {**auth, "Idempotency-Key": "same-key-123"}
        first = await client.post(
            "/api/v1/wallet/top-ups", json={"amount": "50"}, headers=headers
        )
        second = await client.post(
            "/api/v1/wallet/top-ups", json={"amount": "50"}, headers=headers
        )
        assert first.json() == second.json()
        other = await client.post(
            "/api/v1/wallet/top-ups", json={"amount": "60"}, headers=headers
        )
        assert other.status_code == 409
        assert other.headers["content-type"] == "application/problem+json"

    async def test_money_moving_posts_need_an_idempotency_key(self, client):
        _, auth = await open_account(client)
        r = await client.post(
            "/api/v1/wallet/top-ups", json={"amount": "50"}, headers=auth
        )
        assert r.status_code == 422
        assert "Idempotency-Key" in r.json()["detail"]

    @pytest.mark.parametrize("amount", ["-5", "0.001", "abc", "100000000"])
    async def test_a_bad_amount_is_a_422(self, client, amount):
        _, auth = await open_account(client)
        r = await client.post(
            "/api/v1/wallet/top-ups",
            json={"amount": amount},
            headers={**auth, "Idempotency-Key": "bad-amount-1"},
        )
        assert r.status_code == 422

    async def test_a_driver_cannot_pay_someone_elses_top_up(self, client):
        _, alice = await open_account(client, "Alice")
        _, bob = await open_account(client, "Bob")
        intent = (
            await client.post(
                "/api/v1/wallet/top-ups",
                json={"amount": "80"},
                headers={**alice, "Idempotency-Key": "alice-top-up"},
            )
        ).json()
        r = await client.post(intent["confirm_url"], headers=bob)
        assert r.status_code == 404
        wallet = (await client.get("/api/v1/wallet", headers=alice)).json()
        assert wallet["available"] == "0.00"


class TestWebhook:
    async def test_a_forged_or_stale_webhook_is_refused_and_credits_nothing(
        self, client, services
    ):
        _, auth = await open_account(client, "Target")
        intent = (
            await client.post(
                "/api/v1/wallet/top-ups",
                json={"amount": "90"},
                headers={**auth, "Idempotency-Key": "target-top-up"},
            )
        ).json()
        real = services.payments.confirm(intent["id"])
        forged_body = json.dumps(
            {**json.loads(real.body), "amount_fen": 9_000_000}
        ).encode()
        for body, header in (
            (forged_body, real.signature_header),
            (real.body, "t=1,v1=" + "0" * 64),
            (
                real.body,
                f"t={int(time.time()) - 3600},v1="
                + sign(
                    WEBHOOK_SECRET.encode(), real.body, int(time.time()) - 3600
                ).split("v1=")[-1],
            ),
        ):
            r = await client.post(
                "/api/v1/payments/webhook",
                content=body,
                headers={SIGNATURE_HEADER: header},
            )
            assert r.status_code == 400, r.text
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["available"] == "0.00"

    async def test_a_signature_with_a_digit_that_is_not_ascii_is_a_400_problem(
        self, client
    ):
        r = await client.post(
            "/api/v1/payments/webhook",
            content=b'{"id": "evt_1"}',
            headers={SIGNATURE_HEADER: b"t=\xb2,v1=" + b"0" * 64},
        )
        assert r.status_code == 400, r.text
        assert r.headers["content-type"] == "application/problem+json"


class TestSessionsAreYoursAlone:
    async def test_another_drivers_session_and_receipt_are_not_found(self, client):
        auth, _ = await topped_up(client, "Owner")
        _, other = await open_account(client, "Other")
        r = await client.post(
            "/api/v1/charging-sessions",
            json={"pile_id": "rapidgrid-S000-E01"},
            headers={**auth, "Idempotency-Key": "start-owner-1"},
        )
        # No partner answers in this app: the start is refused, nothing is held.
        assert r.status_code in (404, 409)
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["held"] == "0.00"
        assert (
            await client.get("/api/v1/charging-sessions", headers=other)
        ).json() == {"items": []}
        assert (
            await client.get("/api/v1/charging-sessions/ABC", headers=other)
        ).status_code == 404
        assert (
            await client.get("/api/v1/receipts/ABC", headers=other)
        ).status_code == 404

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/v1/wallet"),
            ("POST", "/api/v1/wallet/top-ups"),
            ("GET", "/api/v1/charging-sessions"),
            ("POST", "/api/v1/charging-sessions"),
            ("GET", "/api/v1/receipts"),
        ],
    )
    async def test_every_money_endpoint_needs_a_token(self, client, method, path):
        r = await client.request(
            method,
            path,
            json={"amount": "10", "pile_id": "x-y-z"},
            headers={"Idempotency-Key": "no-token-key"},
        )
        assert r.status_code == 401

"""Password sign-in over HTTP: the session cookie, sign-out, and writes that
must come from the hub's own pages (ADR 0036)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from evroam.storage.signin_tables import account_logins
from tests.api.conftest import NOW

SITE = "http://hub.test"  # a dotted host: cookie jars keep its cookies
LOGIN = {"login": "li.wei@example.cn", "password": "correct horse"}


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SITE) as c:
        yield c


async def sign_up(client, login=LOGIN["login"], name="Li Wei"):
    r = await client.post(
        "/api/v1/auth/sign-up",
        json={"name": name, "login": login, "password": LOGIN["password"]},
        headers={"Origin": SITE},
    )
    assert r.status_code == 201, r.text
    return r


def top_up(client, origin: str | None = SITE, **headers: str):
    if origin is not None:
        headers["Origin"] = origin
    return client.post(
        "/api/v1/wallet/top-ups",
        json={"amount": "50.00"},
        headers={"Idempotency-Key": "top-up-from-the-page", **headers},
    )


class TestSignUp:
    async def test_sets_an_http_only_strict_cookie_that_names_the_account(self, client):
        r = await sign_up(client)
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("evroam_session=evs_")
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/" in cookie
        assert "Secure" not in cookie  # plain http on loopback
        me = await client.get("/api/v1/accounts/me")
        assert me.status_code == 200
        assert me.json()["id"] == r.json()["id"]

    async def test_the_cookie_is_secure_when_served_over_https(self, app):
        transport = httpx.ASGITransport(app=app)
        secure = "https://hub.test"
        async with httpx.AsyncClient(transport=transport, base_url=secure) as c:
            r = await c.post(
                "/api/v1/auth/sign-up",
                json={"name": "Li Wei", **LOGIN},
                headers={"Origin": secure},
            )
        assert "Secure" in r.headers["set-cookie"]

    async def test_the_database_keeps_an_scrypt_hash_never_the_password(
        self, client, services
    ):
        await sign_up(client)
        with services.engine.connect() as conn:
            stored = conn.execute(select(account_logins.c.password_hash)).scalar()
        assert stored.startswith("scrypt$16384$8$")
        assert LOGIN["password"] not in stored

    async def test_a_login_taken_is_a_409_naming_it(self, client):
        await sign_up(client)
        client.cookies.clear()
        r = await client.post(
            "/api/v1/auth/sign-up",
            json={"name": "Other", "login": "LI.WEI@example.cn", "password": "x" * 8},
        )
        assert r.status_code == 409
        assert r.json()["errors"][0]["field"] == "login"

    async def test_a_short_password_is_a_422_naming_it(self, client):
        r = await client.post(
            "/api/v1/auth/sign-up",
            json={"name": "Li", "login": "li@example.cn", "password": "short"},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "password"


class TestSignIn:
    async def test_the_right_password_signs_in(self, client):
        account = (await sign_up(client)).json()
        client.cookies.clear()
        assert (await client.get("/api/v1/accounts/me")).status_code == 401
        r = await client.post("/api/v1/auth/sign-in", json=LOGIN)
        assert r.status_code == 200
        assert r.json()["id"] == account["id"]
        assert (await client.get("/api/v1/accounts/me")).json()["id"] == account["id"]

    @pytest.mark.parametrize(
        "login",
        [
            {"login": LOGIN["login"], "password": "wrong horse"},
            {"login": "nobody@example.cn", "password": LOGIN["password"]},
        ],
    )
    async def test_a_wrong_password_or_login_is_one_401(self, client, login):
        await sign_up(client)
        client.cookies.clear()
        r = await client.post("/api/v1/auth/sign-in", json=login)
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong login or password"
        assert "set-cookie" not in r.headers

    async def test_signing_out_ends_the_session_and_forgets_the_cookie(self, client):
        await sign_up(client)
        r = await client.post("/api/v1/auth/sign-out", headers={"Origin": SITE})
        assert r.status_code == 204
        assert 'evroam_session=""' in r.headers["set-cookie"]
        assert (await client.get("/api/v1/accounts/me")).status_code == 401

    async def test_a_stolen_cookie_is_dead_after_sign_out(self, client, app):
        await sign_up(client)
        token = client.cookies["evroam_session"]
        await client.post("/api/v1/auth/sign-out")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SITE) as thief:
            thief.cookies.set("evroam_session", token)
            assert (await thief.get("/api/v1/accounts/me")).status_code == 401

    async def test_a_session_ends_after_thirty_days(self, client, services):
        await sign_up(client)
        services.clock.set(NOW + timedelta(days=30, seconds=1))
        r = await client.get("/api/v1/wallet")
        assert r.status_code == 401
        assert "sign in again" in r.json()["detail"]

    async def test_an_ended_session_is_a_visitor_where_none_is_needed(
        self, client, services
    ):
        await sign_up(client)
        services.clock.set(NOW + timedelta(days=31))
        r = await client.get("/api/v1/stations?lat=31.23&lon=121.47&radius_km=5")
        assert r.status_code == 200


class TestWritesWithTheCookie:
    async def test_a_top_up_from_the_hubs_own_page_is_accepted(self, client):
        await sign_up(client)
        assert (await top_up(client)).status_code == 201

    @pytest.mark.parametrize(
        "origin",
        [
            "https://evil.example",
            "http://hub.test:9101",  # same site, another port: gets the cookie
            "null",
        ],
    )
    async def test_a_top_up_from_another_origin_is_refused_and_moves_nothing(
        self, client, origin
    ):
        await sign_up(client)
        r = await top_up(client, origin)
        assert r.status_code == 403
        assert r.json()["title"] == "Cross-origin request refused"
        assert (await client.get("/api/v1/wallet")).json()["history"] == []

    async def test_a_same_site_request_without_origin_is_refused(self, client):
        await sign_up(client)
        r = await top_up(client, None, **{"Sec-Fetch-Site": "same-site"})
        assert r.status_code == 403

    async def test_reading_with_the_cookie_needs_no_origin(self, client):
        await sign_up(client)
        r = await client.get("/api/v1/wallet", headers={"Origin": "https://x.example"})
        assert r.status_code == 200

    async def test_a_bearer_token_is_not_asked_for_an_origin(self, client):
        r = await client.post("/api/v1/accounts", json={"name": "API client"})
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        assert (await top_up(client, "https://x.example", **auth)).status_code == 201

    async def test_signing_in_from_another_origin_is_refused(self, client):
        await sign_up(client)
        client.cookies.clear()
        r = await client.post(
            "/api/v1/auth/sign-in", json=LOGIN, headers={"Origin": "https://x.example"}
        )
        assert r.status_code == 403
        assert "set-cookie" not in r.headers


class TestErasure:
    async def test_erasing_the_account_removes_its_login_and_sessions(
        self, client, services
    ):
        await sign_up(client)
        r = await client.delete("/api/v1/me", headers={"Origin": SITE})
        assert r.status_code == 204
        assert (await client.get("/api/v1/accounts/me")).status_code == 401
        r = await client.post("/api/v1/auth/sign-in", json=LOGIN)
        assert r.status_code == 401
        with services.engine.connect() as conn:
            assert conn.execute(select(account_logins)).all() == []

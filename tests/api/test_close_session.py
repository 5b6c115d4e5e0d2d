"""POST /api/v1/charging-sessions/{id}/close: a session whose partner went silent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from evroam.charging.model import ChargingSession, SessionStatus
from evroam.charging.silence import CLOSE_AFTER
from evroam.shared.ids import AccountId, OperatorId, PileId, SessionId, StationId
from evroam.shared.money import Money
from evroam.storage.session_repository import SqlSessionStore
from tests.api.conftest import NOW
from tests.api.test_money_api import topped_up


async def me(client, auth) -> AccountId:
    return AccountId(
        (await client.get("/api/v1/accounts/me", headers=auth)).json()["id"]
    )


def a_silent_session(services, account_id: AccountId, heard_ago: timedelta):
    """A session charging at a partner that said nothing for ``heard_ago``."""
    store = SqlSessionStore(services.engine)
    ref = SessionId("SILENT000000000001")
    hold = services.wallet.place_hold(account_id, Money.of(35), ref, f"hold:{ref}")
    draft = ChargingSession(
        id=ref,
        account_id=account_id,
        operator_id=OperatorId("rapidgrid"),
        station_id=StationId("rapidgrid-S000"),
        pile_id=PileId("rapidgrid-S000-E01"),
        status=SessionStatus.REQUESTED,
        hold_id="",
        hold_amount=Money.of(35),
        created_at=NOW - heard_ago,
    )
    stored = store.add(draft, "k-silent-1", "f" * 64)
    charging = replace(
        stored,
        status=SessionStatus.CHARGING,
        hold_id=hold.id,
        started_at=NOW - heard_ago,
        last_heard_at=NOW - heard_ago,
        version=stored.version + 1,
    )
    with store.transaction() as tx:
        assert tx.save(charging)
        tx.commit()
    return ref


class TestClosingASilentSession:
    async def test_the_driver_closes_it_and_gets_the_hold_back(self, client, services):
        auth, _ = await topped_up(client, "Silent Partner")
        ref = a_silent_session(services, await me(client, auth), CLOSE_AFTER)
        held = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert held["held"] == "35.00"
        r = await client.post(
            f"/api/v1/charging-sessions/{ref}/close",
            headers={**auth, "Idempotency-Key": "close-silent-1"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "closed"
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["held"] == "0.00"
        assert wallet["available"] == "300.00"

    async def test_a_partner_heard_recently_is_a_409_and_nothing_moves(
        self, client, services
    ):
        auth, _ = await topped_up(client, "Patient Driver")
        ref = a_silent_session(services, await me(client, auth), timedelta(minutes=3))
        r = await client.post(
            f"/api/v1/charging-sessions/{ref}/close",
            headers={**auth, "Idempotency-Key": "close-early-1"},
        )
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert "stop it instead" in r.json()["detail"]
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["held"] == "35.00"

    async def test_another_drivers_session_is_not_found(self, client, services):
        auth, _ = await topped_up(client, "Owner Two")
        ref = a_silent_session(services, await me(client, auth), CLOSE_AFTER)
        other, _ = await topped_up(client, "Someone Else")
        r = await client.post(
            f"/api/v1/charging-sessions/{ref}/close",
            headers={**other, "Idempotency-Key": "close-other-1"},
        )
        assert r.status_code == 404
        wallet = (await client.get("/api/v1/wallet", headers=auth)).json()
        assert wallet["held"] == "35.00"

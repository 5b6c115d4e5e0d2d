"""The hub as the Tokens SENDER: every account is an OCPI Token that CPOs pull,
authorize in real time, and get pushed when it turns invalid."""

import asyncio
import base64
import contextlib

import pytest

from evroam.gateways.ocpi.tokens import HubTokenSource
from evroam.partners.watch import FeedWatcher
from evroam.protocols.ocpi_2_2_1.authorization import (
    AllowedType,
    LocationReferences,
    WhitelistType,
    authorize_token,
    iter_tokens,
)
from evroam.protocols.ocpi_2_2_1.enums import ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import UnknownTokenError
from evroam.shared.ids import AccountId
from evroam.simulator.ocpi_tokens import TokenCache
from evroam.tokens.service import TokenService
from tests.adapters.ocpi.fakes import a_location
from tests.adapters.ocpi.hub_harness import HubAndCpo, hub_and_cpo
from tests.adapters.ocpi.test_hub_sessions_cdrs import RecordingDesk, started_session
from tests.builders import EPOCH
from tests.fakes import FixedClock, InMemoryDriverTokenStore

HUB = "http://hub.test"


def ocpi_auth(world: HubAndCpo) -> dict[str, str]:
    encoded = base64.b64encode(world.cpo_token.encode()).decode()
    return {"Authorization": f"Token {encoded}"}


def tokens_url(world: HubAndCpo) -> str:
    return world.cpo_tokens.find("hub").endpoints[ModuleId.TOKENS]


async def onboarded(world: HubAndCpo) -> None:
    world.source.location_list = [a_location()]
    await world.onboard()


async def a_driver(world: HubAndCpo, name: str) -> tuple[str, str]:
    """(account id, bearer token) of a new driver, opened through the API."""
    response = await world.http.post(
        f"{HUB}/api/v1/accounts", json={"name": name}, headers=world.hub_api()
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["token"]


async def app_token(world: HubAndCpo, bearer: str) -> dict:
    response = await world.http.get(
        f"{HUB}/api/v1/me/tokens", headers=world.hub_api(bearer)
    )
    [token] = [t for t in response.json()["items"] if t["type"] == "app"]
    return token


async def authorize(world, uid, token_type=TokenType.APP_USER, location=None):
    return await authorize_token(
        world.http, tokens_url(world), world.cpo_token, uid, token_type, location
    )


class TestVersionDetails:
    async def test_list_every_module_the_hub_implements_with_its_role(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            response = await world.http.get(
                f"{HUB}/ocpi/2.2.1", headers=ocpi_auth(world)
            )
            roles = {
                (e["identifier"], e["role"])
                for e in response.json()["data"]["endpoints"]
            }
            assert roles >= {
                ("locations", "RECEIVER"),
                ("sessions", "RECEIVER"),
                ("cdrs", "RECEIVER"),
                ("tokens", "SENDER"),
                ("commands", "SENDER"),
            }
            assert "credentials" in {identifier for identifier, _ in roles}


class TestPull:
    async def test_every_account_is_an_app_user_token_never_whitelisted(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            ids = [(await a_driver(world, f"driver {n}"))[0] for n in range(5)]
            pulled = [
                t
                async for t in iter_tokens(
                    world.http, tokens_url(world), world.cpo_token, page_limit=2
                )
            ]
            assert len(pulled) == 5
            assert len({t.uid for t in pulled}) == 5
            for token in pulled:
                assert token.type is TokenType.APP_USER
                assert token.whitelist is WhitelistType.NEVER
                assert token.valid
                assert (token.country_code, token.party_id) == ("CN", "EVR")
                assert not any(i.removeprefix("acc_") in token.uid for i in ids)

    async def test_pages_carry_the_pagination_headers(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            for n in range(3):
                await a_driver(world, f"driver {n}")
            response = await world.http.get(
                tokens_url(world), params={"limit": 2}, headers=ocpi_auth(world)
            )
            assert response.headers["X-Total-Count"] == "3"
            assert response.headers["X-Limit"] == "2"
            assert 'rel="next"' in response.headers["Link"]
            assert len(response.json()["data"]) == 2


class TestRealTimeAuthorization:
    async def test_an_active_driver_is_allowed(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            _, bearer = await a_driver(world, "Ann")
            token = await app_token(world, bearer)
            where = LocationReferences(location_id="LOC1", evse_uids=["E1"])
            info = await authorize(world, token["uid"], location=where)
            assert info.allowed is AllowedType.ALLOWED
            assert info.token.uid == token["uid"]
            assert info.location == where

    async def test_a_blocked_account_is_blocked_and_an_erased_one_not_allowed(
        self, tmp_path
    ):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            blocked_id, blocked_bearer = await a_driver(world, "Blocked")
            _, erased_bearer = await a_driver(world, "Erased")
            blocked = await app_token(world, blocked_bearer)
            erased = await app_token(world, erased_bearer)
            response = await world.http.post(
                f"{HUB}/api/v1/admin/accounts/{blocked_id}/block",
                headers=world.hub_api(),
            )
            assert response.json()["tokens_changed"] == 1
            gone = await world.http.delete(
                f"{HUB}/api/v1/me", headers=world.hub_api(erased_bearer)
            )
            assert gone.status_code in (200, 204), gone.text
            first = await authorize(world, blocked["uid"])
            second = await authorize(world, erased["uid"])
            assert (first.allowed, first.token.valid) == (AllowedType.BLOCKED, False)
            assert (second.allowed, second.token.valid) == (
                AllowedType.NOT_ALLOWED,
                False,
            )
            pulled = {
                t.uid: t
                async for t in iter_tokens(
                    world.http, tokens_url(world), world.cpo_token
                )
            }
            assert not pulled[blocked["uid"]].valid
            assert not pulled[erased["uid"]].valid  # never deleted

    async def test_an_unknown_token_is_404_with_status_2004(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            response = await world.http.post(
                f"{tokens_url(world)}/NOSUCHTOKEN/authorize?type=RFID",
                headers=ocpi_auth(world),
            )
            assert response.status_code == 404
            assert response.json()["status_code"] == 2004
            with pytest.raises(UnknownTokenError):
                await authorize(world, "NOSUCHTOKEN", TokenType.RFID)

    async def test_a_registered_rfid_card_is_an_rfid_token(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            _, bearer = await a_driver(world, "Carla")
            response = await world.http.post(
                f"{HUB}/api/v1/me/rfid-cards",
                json={"uid": "04:A2:B3:C4:D5:E6:F7", "visual_number": "EVR 0001"},
                headers=world.hub_api(bearer),
            )
            assert response.status_code == 201, response.text
            assert response.json()["type"] == "rfid"
            info = await authorize(world, "04A2B3C4D5E6F7", TokenType.RFID)
            assert info.allowed is AllowedType.ALLOWED
            assert info.token.type is TokenType.RFID
            assert info.token.visual_number == "EVR 0001"
            # Tokens module: (uid, type) names a token; the card is no app token.
            with pytest.raises(UnknownTokenError):
                await authorize(world, "04A2B3C4D5E6F7", TokenType.APP_USER)

    async def test_a_card_taken_or_malformed_is_refused(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await onboarded(world)
            _, ann = await a_driver(world, "Ann")
            _, bob = await a_driver(world, "Bob")
            url = f"{HUB}/api/v1/me/rfid-cards"
            first = await world.http.post(
                url, json={"uid": "04A2B3C4"}, headers=world.hub_api(ann)
            )
            again = await world.http.post(
                url, json={"uid": "04a2b3c4"}, headers=world.hub_api(bob)
            )
            bad = await world.http.post(
                url, json={"uid": "04A2B3C4D"}, headers=world.hub_api(bob)
            )
            assert (first.status_code, again.status_code, bad.status_code) == (
                201,
                409,
                422,
            )


class TestPush:
    async def test_a_blocked_account_reaches_the_cpo_as_valid_false(self, tmp_path):
        cache = TokenCache()
        async with hub_and_cpo(tmp_path, token_receiver=cache) as world:
            await onboarded(world)
            account, bearer = await a_driver(world, "Ann")
            uid = (await app_token(world, bearer))["uid"]
            pusher = world.services.token_pusher
            await pusher.push_changes()  # a new partner: pulls, then gets changes
            world.services.tokens.block(account)
            assert await pusher.push_changes() == 1
            assert not cache.tokens[(uid, TokenType.APP_USER)].valid
            assert await pusher.push_changes() == 0  # each change goes once

    async def test_the_feed_watcher_pushes_within_its_round(self, tmp_path):
        """What a running hub does: the watcher's rounds (every
        maintenance_interval_s, 5 s by default) carry the change to the CPO."""
        cache = TokenCache()
        async with hub_and_cpo(tmp_path, token_receiver=cache) as world:
            await onboarded(world)
            account, bearer = await a_driver(world, "Ann")
            uid = (await app_token(world, bearer))["uid"]
            services = world.services
            watcher = FeedWatcher(
                services.partners,
                services.leases,
                services.clock,
                interval_s=0.05,
                check_every_s=3600,
                chores=(services.token_pusher.push_changes,),
            )
            task = asyncio.create_task(watcher.run_forever())
            try:
                await asyncio.sleep(0.2)  # the first round meets the partner
                services.tokens.erase(account)
                for _ in range(300):  # wait up to 15 s
                    held = cache.tokens.get((uid, TokenType.APP_USER))
                    if held is not None and not held.valid:
                        break
                    await asyncio.sleep(0.05)
                assert held is not None
                assert not held.valid
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


class TestCommandsCarryTheToken:
    async def test_start_session_sends_the_app_token_not_the_account_id(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            account, _, start = await started_session(world, desk)
            app = world.services.tokens.app_token(account.id)
            assert start.token.uid == app.uid
            assert account.id not in start.token.uid
            assert start.token.whitelist is WhitelistType.NEVER
            assert start.token.type is TokenType.APP_USER


class TestAuthorizationOffTheLoop:
    async def test_authorize_and_pulls_read_the_token_store_through_the_offload(self):
        offloaded: list[str] = []

        async def offload(fn, *args):
            offloaded.append(fn.__name__)
            return fn(*args)

        service = TokenService(
            InMemoryDriverTokenStore(), FixedClock(EPOCH), "CN", "EVR"
        )
        token = service.issue_app_token(AccountId("acc_1"))
        source = HubTokenSource(service, "CN", "EVR", offload=offload)
        info = await source.authorize("cpo", token.uid, TokenType.APP_USER, None)
        await source.list_tokens(None, None, 0, 10)
        assert info is not None
        assert info.allowed is AllowedType.ALLOWED
        assert offloaded == ["find", "page"]


class TestPartnerPaths:
    async def test_a_path_under_ocpi_that_no_module_serves_is_a_problem_404(
        self, tmp_path
    ):
        async with hub_and_cpo(tmp_path) as world:
            response = await world.http.get(f"{HUB}/ocpi/2.2.1/nosuchmodule")
            api = await world.http.get(f"{HUB}/api/v1/health")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert api.status_code == 200

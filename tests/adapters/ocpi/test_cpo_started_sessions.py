"""A CPO authorizes a driver's card in real time, then starts the session
itself: the hub adopts it by the authorization reference it issued, holds the
money a remote start would and bills the CDR (ADR 0043)."""

from types import SimpleNamespace

import pytest

from evroam.charging.model import SessionStatus
from evroam.protocols.ocpi_2_2_1.authorization import (
    AllowedType,
    LocationReferences,
    authorize_token,
)
from evroam.protocols.ocpi_2_2_1.enums import AuthMethod, ModuleId, TokenType
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.sessions import (
    SessionPatch,
    patch_session,
    post_cdr,
    put_session,
)
from evroam.protocols.ocpi_2_2_1.sessions import SessionStatus as WireStatus
from evroam.shared.ids import SessionId
from evroam.shared.money import Money
from tests.adapters.ocpi.fakes import a_location
from tests.adapters.ocpi.hub_harness import HubAndCpo, hub_and_cpo
from tests.adapters.ocpi.test_hub_sessions_cdrs import (
    ENDED,
    a_cdr,
    a_session,
    a_tariff,
    hub_url,
    wait_for_status,
)

CARD = "04A2B3C4D5E6F7"
AT_LOC1 = LocationReferences(location_id="LOC1", evse_uids=["E1"])


async def a_driver_with_a_card(world: HubAndCpo, topped_up: str = "500"):
    world.source.location_list = [a_location()]
    world.source.tariff_list = [a_tariff()]
    await world.onboard()
    services = world.services
    account = services.accounts.open_account("Ann").account
    if topped_up != "0":
        intent = services.wallet.top_up(account.id, Money.of(topped_up), "top-ann")
        services.confirm_sandbox_top_up(account.id, intent.intent_id)
    services.tokens.register_card(account.id, CARD)
    return account


async def card_authorized(world: HubAndCpo):
    tokens = world.cpo_tokens.find("hub").endpoints[ModuleId.TOKENS]
    info = await authorize_token(
        world.http, tokens, world.cpo_token, CARD, TokenType.RFID, AT_LOC1
    )
    assert info.allowed is AllowedType.ALLOWED
    # What the CPO echoes in its Session and CDR: the token and the reference.
    return SimpleNamespace(
        token=info.token, authorization_reference=info.authorization_reference
    )


def started_by_the_cpo(start):
    return a_session(start).model_copy(update={"auth_method": AuthMethod.AUTH_REQUEST})


class TestCpoStartedSessions:
    async def test_a_card_session_is_held_charging_then_billed(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            account = await a_driver_with_a_card(world)
            start = await card_authorized(world)
            assert len(start.authorization_reference) == 18
            sessions = hub_url(world, ModuleId.SESSIONS)
            await put_session(
                world.http, sessions, world.cpo_token, started_by_the_cpo(start)
            )
            ref = SessionId(start.authorization_reference)
            held = world.services.charging.get_session(account.id, ref)
            assert held.status is SessionStatus.CHARGING
            assert held.hold_id
            assert held.hold_amount > Money.of("0")
            assert held.partner_session_id == "CPO-S1"
            # The same PUT again changes nothing (one session, one hold).
            await put_session(
                world.http, sessions, world.cpo_token, started_by_the_cpo(start)
            )
            again = world.services.charging.get_session(account.id, ref)
            assert again.hold_id == held.hold_id
            done = SessionPatch(
                status=WireStatus.COMPLETED, end_date_time=ENDED, last_updated=ENDED
            )
            await patch_session(
                world.http, sessions, world.cpo_token, ("CN", "SWP", "CPO-S1"), done
            )
            cdrs = hub_url(world, ModuleId.CDRS)
            cdr = a_cdr(start).model_copy(
                update={
                    "auth_method": AuthMethod.AUTH_REQUEST,
                    "authorization_reference": start.authorization_reference,
                }
            )
            await post_cdr(world.http, cdrs, world.cpo_token, cdr)
            billed = await wait_for_status(world, account, ref, SessionStatus.BILLED)
            receipt = world.services.charging.get_receipt(account.id, billed.id)
            assert receipt.partner_total == Money.of("15.00")

    async def test_a_reference_the_hub_never_issued_is_refused(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await a_driver_with_a_card(world)
            start = await card_authorized(world)
            forged = SimpleNamespace(
                token=start.token, authorization_reference="AAAAAAAAAAAAAAAAAA"
            )
            sessions = hub_url(world, ModuleId.SESSIONS)
            with pytest.raises(InvalidParametersError, match="unknown session"):
                await put_session(
                    world.http, sessions, world.cpo_token, started_by_the_cpo(forged)
                )

    async def test_a_reference_given_for_another_token_is_refused(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            await a_driver_with_a_card(world)
            start = await card_authorized(world)
            other = start.token.model_copy(update={"uid": "04FFFFFFFFFFFF"})
            stolen = SimpleNamespace(
                token=other, authorization_reference=start.authorization_reference
            )
            sessions = hub_url(world, ModuleId.SESSIONS)
            with pytest.raises(InvalidParametersError, match="unknown session"):
                await put_session(
                    world.http, sessions, world.cpo_token, started_by_the_cpo(stolen)
                )

    async def test_a_driver_who_cannot_cover_the_hold_is_refused(self, tmp_path):
        async with hub_and_cpo(tmp_path) as world:
            account = await a_driver_with_a_card(world, topped_up="0")
            start = await card_authorized(world)
            sessions = hub_url(world, ModuleId.SESSIONS)
            with pytest.raises(InvalidParametersError, match="refused"):
                await put_session(
                    world.http, sessions, world.cpo_token, started_by_the_cpo(start)
                )
            assert list(world.services.charging.list_sessions(account.id)) == []

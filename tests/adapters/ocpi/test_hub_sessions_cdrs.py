"""A CPO's Session pushes and CDRs reach the hub's session by the references it
holds: a PATCH or CDR naming only the CPO's session id is resolved; a CDR is
never updated (OCPI 2.2.1, CDRs module)."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from evroam.charging.model import SessionStatus
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.commands import (
    CommandResponse,
    CommandResponseType,
    StartSession,
    StopSession,
)
from evroam.protocols.ocpi_2_2_1.datatypes import Price
from evroam.protocols.ocpi_2_2_1.enums import AuthMethod, CdrDimensionType, ModuleId
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.sessions import (
    CDR,
    Session,
    SessionPatch,
    patch_session,
    post_cdr,
    put_session,
)
from evroam.protocols.ocpi_2_2_1.sessions import (
    SessionStatus as WireStatus,
)
from evroam.shared.money import Money
from tests.adapters.ocpi.fakes import a_location
from tests.adapters.ocpi.hub_harness import HubAndCpo, hub_and_cpo

STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
ENDED = STARTED + timedelta(minutes=30)


@dataclass
class RecordingDesk:
    """A CPO's commands receiver that takes every command."""

    starts: list[StartSession] = field(default_factory=list)
    stops: list[StopSession] = field(default_factory=list)

    async def start_session(self, key: str, command: StartSession) -> CommandResponse:
        self.starts.append(command)
        return CommandResponse(result=CommandResponseType.ACCEPTED, timeout=30)

    async def stop_session(self, key: str, command: StopSession) -> CommandResponse:
        self.stops.append(command)
        return CommandResponse(result=CommandResponseType.ACCEPTED, timeout=30)


def a_tariff() -> wire.Tariff:
    return wire.Tariff(
        country_code="CN",
        party_id="SWP",
        id="T1",
        currency="CNY",
        elements=[
            wire.TariffElement(
                price_components=[
                    wire.PriceComponent(
                        type="ENERGY", price=Decimal("1.5"), step_size=1
                    )
                ]
            )
        ],
        last_updated=STARTED,
    )


async def started_session(world: HubAndCpo, desk: RecordingDesk):
    """A driver starts at the CPO's pile; the CPO takes the command."""
    world.source.location_list = [a_location()]
    world.source.tariff_list = [a_tariff()]
    await world.onboard()
    services = world.services
    account = services.accounts.open_account("Ann").account
    intent = services.wallet.top_up(account.id, Money.of("500"), "top-ann")
    services.confirm_sandbox_top_up(account.id, intent.intent_id)
    pile = world.station("LOC1").piles[0].id
    session = await services.boundary.run(
        services.charging.start_charging, account.id, pile, "k1"
    )
    for _ in range(750):  # the start may go out through an outbox: wait ≤ 15 s
        if desk.starts:
            break
        await asyncio.sleep(0.02)
    [start] = desk.starts
    return account, session, start


def a_session(start: StartSession, status=WireStatus.ACTIVE) -> Session:
    return Session(
        country_code="CN",
        party_id="SWP",
        id="CPO-S1",
        start_date_time=STARTED,
        kwh=Decimal(0),
        cdr_token=wire.CdrToken(
            country_code=start.token.country_code,
            party_id=start.token.party_id,
            uid=start.token.uid,
            type=start.token.type,
            contract_id=start.token.contract_id,
        ),
        auth_method=AuthMethod.COMMAND,
        authorization_reference=start.authorization_reference,
        location_id="LOC1",
        evse_uid="E1",
        connector_id="1",
        currency="CNY",
        status=status,
        last_updated=STARTED,
    )


def a_cdr(start: StartSession, cdr_id="CDR1", kwh="10", total="15.00") -> CDR:
    location = a_location()
    return CDR(
        country_code="CN",
        party_id="SWP",
        id=cdr_id,
        start_date_time=STARTED,
        end_date_time=ENDED,
        session_id="CPO-S1",
        cdr_token=a_session(start).cdr_token,
        auth_method=AuthMethod.COMMAND,
        cdr_location=wire.CdrLocation(
            id="LOC1",
            address=location.address,
            city=location.city,
            country="CHN",
            coordinates=location.coordinates,
            evse_uid="E1",
            evse_id="E1",
            connector_id="1",
            connector_standard="GBT_DC",
            connector_format="CABLE",
            connector_power_type="DC",
        ),
        currency="CNY",
        charging_periods=[
            wire.ChargingPeriod(
                start_date_time=STARTED,
                dimensions=[
                    wire.CdrDimension(type=CdrDimensionType.ENERGY, volume=Decimal(kwh))
                ],
            )
        ],
        total_cost=Price(excl_vat=Decimal(total), incl_vat=Decimal(total)),
        total_energy=Decimal(kwh),
        total_energy_cost=Price(excl_vat=Decimal(total), incl_vat=Decimal(total)),
        total_time=Decimal("0.5"),
        last_updated=ENDED,
    )


def hub_url(world: HubAndCpo, module: str) -> str:
    return world.cpo_tokens.find("hub").endpoints[module]


async def wait_for_status(world, account, session_id, status):
    for _ in range(750):
        found = world.services.charging.get_session(account.id, session_id)
        if found.status is status:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{session_id} never reached {status}: {found}")


class TestSessionPushes:
    async def test_a_patch_naming_only_the_cpo_session_id_reaches_our_session(
        self, tmp_path
    ):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            account, session, start = await started_session(world, desk)
            sessions = hub_url(world, ModuleId.SESSIONS)
            await put_session(world.http, sessions, world.cpo_token, a_session(start))
            await wait_for_status(world, account, session.id, SessionStatus.CHARGING)
            later = STARTED + timedelta(minutes=5)
            patch = SessionPatch(kwh=Decimal("4.2"), last_updated=later)
            ids = ("CN", "SWP", "CPO-S1")
            await patch_session(world.http, sessions, world.cpo_token, ids, patch)
            held = world.services.charging.get_session(account.id, session.id)
            assert held.kwh == Decimal("4.2")

    async def test_a_patch_for_a_session_nobody_started_is_refused(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            world.source.location_list = [a_location()]
            await world.onboard()
            sessions = hub_url(world, ModuleId.SESSIONS)
            patch = SessionPatch(kwh=Decimal("1"), last_updated=STARTED)
            with pytest.raises(InvalidParametersError, match="authorization_reference"):
                await patch_session(
                    world.http, sessions, world.cpo_token, ("CN", "SWP", "NOPE"), patch
                )


class TestCdrs:
    async def started_and_billed(self, world, desk):
        account, session, start = await started_session(world, desk)
        sessions = hub_url(world, ModuleId.SESSIONS)
        await put_session(world.http, sessions, world.cpo_token, a_session(start))
        await wait_for_status(world, account, session.id, SessionStatus.CHARGING)
        done = SessionPatch(
            status=WireStatus.COMPLETED, end_date_time=ENDED, last_updated=ENDED
        )
        await patch_session(
            world.http, sessions, world.cpo_token, ("CN", "SWP", "CPO-S1"), done
        )
        cdrs = hub_url(world, ModuleId.CDRS)
        # No authorization_reference: found by the CPO's session id.
        await post_cdr(world.http, cdrs, world.cpo_token, a_cdr(start))
        billed = await wait_for_status(world, account, session.id, SessionStatus.BILLED)
        return account, billed, start, cdrs

    async def test_a_cdr_naming_only_the_session_id_is_billed(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            account, billed, *_ = await self.started_and_billed(world, desk)
            receipt = world.services.charging.get_receipt(account.id, billed.id)
            assert receipt.partner_total == Money.of("15.00")

    async def test_the_same_cdr_sent_again_changes_nothing(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            account, billed, start, cdrs = await self.started_and_billed(world, desk)
            await post_cdr(world.http, cdrs, world.cpo_token, a_cdr(start))
            receipt = world.services.charging.get_receipt(account.id, billed.id)
            assert receipt.partner_total == Money.of("15.00")

    async def test_a_changed_cdr_under_a_known_id_is_refused(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            account, billed, start, cdrs = await self.started_and_billed(world, desk)
            changed = a_cdr(start, kwh="12", total="18.00")
            with pytest.raises(InvalidParametersError, match="never updated"):
                await post_cdr(world.http, cdrs, world.cpo_token, changed)
            receipt = world.services.charging.get_receipt(account.id, billed.id)
            assert receipt.partner_total == Money.of("15.00")

    async def test_a_second_cdr_for_a_billed_session_is_refused(self, tmp_path):
        desk = RecordingDesk()
        async with hub_and_cpo(tmp_path, commands=desk) as world:
            _, _, start, cdrs = await self.started_and_billed(world, desk)
            other = a_cdr(start, cdr_id="CDR2", kwh="12", total="18.00")
            with pytest.raises(InvalidParametersError, match="credit CDR"):
                await post_cdr(world.http, cdrs, world.cpo_token, other)

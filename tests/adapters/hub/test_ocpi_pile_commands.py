"""The OCPI simulator as a CPO takes the hub's reservations and unlocks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from evroam.catalogue.model import PileStatus
from evroam.pile_requests.model import ReportStatus, ReservationStatus
from evroam.simulator.network import Change
from evroam.simulator.sessions import SessionSettings
from tests.adapters.hub.test_hub_over_protocols import World, running_world
from tests.adapters.hub.test_money_flow import driver, free_pile

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hub(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    directory = Path(tmp_path_factory.mktemp("pile-commands"))
    async with running_world(directory, SessionSettings(accept_delay_s=0.01)) as w:
        yield w


async def settled(hub: World, read, wanted, timeout_s: float = 15.0):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while (found := read()) != wanted:
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.02)
    return found


def pile_status(hub: World, pile_id):
    station = hub.services.catalogue.find_station_of_pile(pile_id)
    return next(p.status for p in station.piles if p.id == pile_id)


class TestReservationsAtTheSimulator:
    async def test_a_reserved_pile_turns_reserved_and_is_freed_on_cancel(self, hub):
        account = driver(hub, "reserver", top_up=None)
        pile = free_pile(hub, "rapidgrid")
        requests = hub.services.pile_requests
        reservation = await requests.reserve(account.id, pile, 10)
        await settled(
            hub,
            lambda: requests.get_reservation(account.id, reservation.id).status,
            ReservationStatus.RESERVED,
        )
        await settled(hub, lambda: pile_status(hub, pile), PileStatus.RESERVED)
        await requests.cancel(account.id, reservation.id)
        await settled(
            hub,
            lambda: requests.get_reservation(account.id, reservation.id).status,
            ReservationStatus.CANCELLED,
        )
        await settled(hub, lambda: pile_status(hub, pile), PileStatus.AVAILABLE)

    async def test_a_pile_busy_at_the_cpo_is_refused_with_the_piles_reason(self, hub):
        """The hub still shows the pile free (the push has not come yet); the
        CPO answers the reservation with EVSE_OCCUPIED."""
        account = driver(hub, "second", top_up=None)
        pile = free_pile(hub, "rapidgrid", skip=3)
        name = pile.removeprefix("rapidgrid-").replace("-", "/", 1)
        index = hub.fast.pile_named(name).index
        hub.fast.apply(Change(index, PileStatus.CHARGING, datetime.now(UTC)))
        requests = hub.services.pile_requests
        reservation = await requests.reserve(account.id, pile, 10)
        refused = await settled(
            hub,
            lambda: requests.get_reservation(account.id, reservation.id).status,
            ReservationStatus.REJECTED,
        )
        assert refused is ReservationStatus.REJECTED
        held = requests.get_reservation(account.id, reservation.id)
        assert held.reason == "EVSE_OCCUPIED"

    async def test_an_operator_unlock_reaches_the_pile(self, hub):
        account = driver(hub, "stuck", top_up=None)
        pile = free_pile(hub, "rapidgrid", skip=6)
        requests = hub.services.pile_requests
        report = requests.report_stuck_cable(account.id, pile, "1", "cable stuck")
        await requests.unlock(report.id)
        await settled(
            hub,
            lambda: requests.my_report(account.id, report.id).status,
            ReportStatus.UNLOCKED,
        )
        assert hub.fast_app.state.pile_desk.unlocked

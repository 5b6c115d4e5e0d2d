"""One account everywhere: top up, charge at an OCPI and a T/CEC partner, get billed.

The hub and two simulators run in process (ASGI transports); the simulators run
sessions fast (speedup) and send their charge records through the protocols.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio

from evroam.accounts.model import Vehicle
from evroam.catalogue.model import PileStatus
from evroam.charging.errors import IdempotencyKeyReusedError
from evroam.charging.model import SessionStatus
from evroam.gateways.tcec.charging import start_charge_seq
from evroam.settlement.model import STATION_TIME_ZONE, Period
from evroam.shared.ids import OperatorId, PileId, pile_id_for, station_id_for
from evroam.shared.money import Money
from evroam.simulator.charge import Charge
from evroam.simulator.credentials import default_tcec_credentials
from evroam.simulator.network import Change, SimulatedNetwork
from evroam.simulator.sessions import SessionSettings
from evroam.storage.engine import create_database_engine, drop_schema
from evroam.storage.ledger_batch import PostgresPlanWriter
from evroam.wallet.errors import InsufficientFunds
from tests.adapters.hub.test_hub_over_protocols import World, running_world

pytestmark = pytest.mark.asyncio(loop_scope="module")
# A full car stays plugged in a simulated day (43 s here) unless stopped: no
# session of this module ends by itself while another test reconciles.
FAST_SESSIONS = SessionSettings(
    speedup=2000,
    accept_delay_s=0.01,
    report_every_s=60,
    linger_after_full_s=(86400, 86400),
)


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[
        "sqlite",
        # The app's PostgreSQL wiring: its wallet runs through the group-commit
        # writer (ADR 0012).
        pytest.param(
            "postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]
        ),
    ],
)
async def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    directory = Path(tmp_path_factory.mktemp("money"))
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        engine = create_database_engine(url)
        drop_schema(engine)  # the test session's database, shared with others
        engine.dispose()
    async with running_world(directory, FAST_SESSIONS, url) as running:
        if url is not None:
            assert isinstance(running.services.ledger_writer, PostgresPlanWriter)
        yield running


def driver(hub: World, name: str, top_up: str | None = "500", brand: str = "Xiaomi"):
    services = hub.services
    account = services.accounts.open_account(name).account
    services.accounts.register_vehicle(
        account.id,
        Vehicle(
            "LXMSU7A12R" + f"{abs(hash(name)) % 10**7:07d}",
            brand,
            "SU7",
            date(2026, 6, 1),
        ),
    )
    if top_up:
        intent = services.wallet.top_up(account.id, Money.of(top_up), f"top-{name}")
        services.confirm_sandbox_top_up(account.id, intent.intent_id)
    return account


def free_pile(hub: World, operator: str, skip: int = 0) -> PileId:
    stations = hub.services.stations
    found = []
    for station_id in stations.external_station_ids(OperatorId(operator))[:200]:
        station = stations.find_station(f"{operator}-{station_id}")
        found += [p.id for p in station.piles if p.status is PileStatus.AVAILABLE]
        if len(found) > skip:
            return found[skip]
    raise AssertionError("no free pile")


async def until(hub: World, account, session_id, status: SessionStatus, timeout_s=30.0):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        session = hub.services.charging.get_session(account.id, session_id)
        if session.status is status:
            return session
        assert asyncio.get_running_loop().time() < deadline, session
        await asyncio.sleep(0.02)


class TestChargingEverywhere:
    @pytest.mark.parametrize("operator", ["rapidgrid", "neighbourly"])
    async def test_start_charge_stop_and_pay_once_with_the_brand_discount(
        self, hub, operator
    ):
        account = driver(hub, f"driver-{operator}")
        services = hub.services
        pile = free_pile(hub, operator)
        session = await services.boundary.run(
            services.charging.start_charging,
            account.id,
            pile,
            f"start-{operator}",
            Decimal(8),
        )
        assert session.status is SessionStatus.REQUESTED
        held = services.wallet.balance(account.id)
        assert held.held == session.hold_amount
        charging = await until(hub, account, session.id, SessionStatus.CHARGING)
        await asyncio.sleep(0.2)  # let some energy flow
        await services.boundary.run(
            services.charging.stop_charging, account.id, charging.id
        )
        billed = await until(hub, account, session.id, SessionStatus.BILLED)
        receipt = services.charging.get_receipt(account.id, session.id)
        kinds = [line.kind for line in receipt.lines]
        assert "electricity" in kinds
        assert "service" in kinds
        assert "discount" in kinds  # Xiaomi, delivered this year
        assert receipt.driver_total == receipt.partner_total - receipt.discount_total
        assert receipt.kwh == billed.kwh > 0
        wallet = services.wallet.balance(account.id)
        assert wallet.held == Money.zero()
        assert wallet.available == Money.of(500) - receipt.driver_total
        books = services.wallet._store.trial_balance()
        assert books.is_consistent

    async def test_a_retry_with_the_same_key_is_the_same_session(self, hub):
        account = driver(hub, "retrier")
        pile = free_pile(hub, "rapidgrid", skip=3)
        first = await hub.services.boundary.run(
            hub.services.charging.start_charging, account.id, pile, "k-1"
        )
        again = await hub.services.boundary.run(
            hub.services.charging.start_charging, account.id, pile, "k-1"
        )
        assert again.id == first.id
        assert hub.services.wallet.balance(account.id).held == first.hold_amount
        with pytest.raises(IdempotencyKeyReusedError):
            await hub.services.boundary.run(
                hub.services.charging.start_charging,
                account.id,
                pile,
                "k-1",
                Decimal(5),
            )

    async def test_an_empty_wallet_starts_nothing_and_the_key_stays_usable(self, hub):
        account = driver(hub, "broke", top_up=None)
        pile = free_pile(hub, "neighbourly", skip=5)
        with pytest.raises(InsufficientFunds):
            await hub.services.boundary.run(
                hub.services.charging.start_charging, account.id, pile, "k-broke"
            )
        assert hub.services.charging.list_sessions(account.id) == []
        intent = hub.services.wallet.top_up(account.id, Money.of(300), "top-broke")
        hub.services.confirm_sandbox_top_up(account.id, intent.intent_id)
        session = await hub.services.boundary.run(
            hub.services.charging.start_charging, account.id, pile, "k-broke"
        )
        assert session.status is SessionStatus.REQUESTED

    async def test_a_pile_the_partner_finds_busy_is_rejected_and_the_hold_released(
        self, hub
    ):
        account = driver(hub, "unlucky")
        pile = free_pile(hub, "rapidgrid", skip=7)
        station_ext, uid = pile.removeprefix("rapidgrid-").rsplit("-", 1)
        name = f"{station_ext}/{uid}"
        ref = hub.fast.pile_named(name)  # the hub is not told: it still shows free
        hub.fast.apply(Change(ref.index, PileStatus.OFFLINE, datetime.now(UTC)))
        session = await hub.services.boundary.run(
            hub.services.charging.start_charging, account.id, pile, "k-busy"
        )
        final = await until(hub, account, session.id, SessionStatus.REJECTED)
        assert final.reason
        assert hub.services.wallet.balance(account.id).held == Money.zero()


def pile_with_fees(network: SimulatedNetwork, operator: str) -> tuple[str, PileId]:
    """A free DC pile (simulator name, hub id) at a station that bills the time
    at the bay after charging: the tariff's idle fee with 15 grace minutes, or
    else a parking fee after at most 30 free minutes (T/CEC: the community
    network has no idle fees)."""
    for ref in reversed(network.piles):
        idle = network.tariff_of(ref.station_index).idle
        parking = network.parking_of(ref.station_index)
        if operator == "rapidgrid":
            has_fees = idle is not None and idle.grace_minutes == 15
        else:
            has_fees = not parking.is_free and parking.free_minutes <= 30
        if has_fees and ref.is_dc and network.status(ref.index) == PileStatus.AVAILABLE:
            station = network.station(ref.station_index)
            station_id = station_id_for(operator, station.external_id)
            return ref.name, pile_id_for(station_id, ref.name.rsplit("/", 1)[-1])
    raise AssertionError(f"no {operator} pile with fees for the time at the bay")


def bay_minutes_due(network: SimulatedNetwork, name: str) -> int:
    """Minutes at the bay after which both fees of the pile's station apply."""
    index = network.pile_named(name).station_index
    idle = network.tariff_of(index).idle
    grace = idle.grace_minutes if idle is not None else 0
    return max(grace, network.parking_of(index).free_minutes) + 5


async def until_plugged_for(charge: Charge, minutes: int, timeout_s=60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while charge.full_at is None or charge.now - charge.full_at < timedelta(
        minutes=minutes
    ):
        assert asyncio.get_running_loop().time() < deadline, charge
        await asyncio.sleep(0.02)


class TestTheTimeAtTheBayAfterAFullBattery:
    @pytest.mark.parametrize("operator", ["rapidgrid", "neighbourly"])
    async def test_is_billed_as_the_partner_billed_it_with_no_dispute(
        self, hub, operator
    ):
        is_ocpi = operator == "rapidgrid"
        network = hub.fast if is_ocpi else hub.community
        app = hub.fast_app if is_ocpi else hub.community_app
        account = driver(hub, f"lingerer-{operator}")
        name, pile = pile_with_fees(network, operator)
        session = await hub.services.boundary.run(
            hub.services.charging.start_charging, account.id, pile, f"linger-{operator}"
        )
        await until(hub, account, session.id, SessionStatus.CHARGING)
        ref = (
            session.id
            if is_ocpi
            else start_charge_seq(
                default_tcec_credentials("community").hub_operator_id, session.id
            )
        )
        charge = app.state.sessions.find(ref)
        charge.soc = max(charge.soc, 0.95)  # a car that came nearly full: quicker
        await until_plugged_for(charge, bay_minutes_due(network, name))
        assert network.status(network.pile_named(name).index) == PileStatus.OCCUPIED

        await hub.services.boundary.run(
            hub.services.charging.stop_charging, account.id, session.id
        )
        await until(hub, account, session.id, SessionStatus.BILLED)
        receipt = hub.services.charging.get_receipt(account.id, session.id)
        (record,) = [r for r in app.state.sessions.records if r.ref == ref]
        kinds = {line.kind for line in receipt.lines}
        assert ("idle" if is_ocpi else "parking") in kinds
        assert record.parking_money + record.idle_money > 0
        assert receipt.partner_total == Money.of(record.total_money)

        ended = record.ended_at.astimezone(STATION_TIME_ZONE)
        if is_ocpi:
            period = Period(ended.year, ended.month)
            books = await hub.services.settlement.reconcile(
                OperatorId(operator), period
            )
            assert books.disputes == ()
            assert books.is_reconciled
        else:
            reply = await app.state.session_reporter.check_orders(
                "CHKLINGER1",
                record.started_at - timedelta(minutes=1),
                record.ended_at + timedelta(minutes=1),
            )
            assert reply.TotalDisputeOrder == 0, reply.DisputeOrders
            # The hub's own reconciliation of the month reads the partner's
            # check_charge_orders once they cover the month.
            period = Period(ended.year, ended.month)
            await app.state.session_reporter.check_orders(
                f"CHK{ended:%Y%m}", period.starts_at, period.ends_at
            )
            books = await hub.services.settlement.reconcile(
                OperatorId(operator), period
            )
            assert books.disputes == ()
            assert books.is_reconciled
            assert books.theirs.count >= 1

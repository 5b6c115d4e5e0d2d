"""ChargingService over fakes: exactly-once billing under retries, crashes, disorder."""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.accounts.model import Vehicle
from evroam.accounts.service import AccountService
from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.catalogue.service import CatalogueService
from evroam.charging.errors import (
    IdempotencyKeyReusedError,
    InvalidSessionRequestError,
    PileUnavailableError,
    SessionNotFoundError,
    SessionStateError,
)
from evroam.charging.model import SessionStatus
from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    SessionEnded,
    SessionProgress,
    SessionStarted,
    UnknownSessionError,
)
from evroam.charging.service import ChargingService
from evroam.partners.errors import PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.partners.service import PartnersService
from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.pricing.discount import brand_first_year
from evroam.shared.ids import OperatorId, PileId
from evroam.shared.money import Money
from evroam.status.model import PileStatusReport
from evroam.status.service import StatusService
from evroam.wallet.errors import RefundExceedsChargeError
from evroam.wallet.ledger import RefundSource, TransferKind
from evroam.wallet.memory import InMemoryLedgerStore
from evroam.wallet.service import WalletService
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import (
    FakeGateway,
    FakeRemoteCharging,
    FixedClock,
    InMemoryAccountRepository,
    InMemoryPartnerRepository,
    InMemorySessionStore,
    InMemoryStationRepository,
    InMemoryStatusStore,
    RecordingEventBus,
)

RAPIDGRID = OperatorId("rapidgrid")


class World:
    def __init__(self) -> None:
        self.clock = FixedClock(EPOCH)
        self.stations = stations = InMemoryStationRepository()
        stations.save_operator(an_operator())
        stations.save_tariffs([a_tariff()])
        self.station = a_station(statuses=(PileStatus.AVAILABLE, PileStatus.OFFLINE))
        stations.save_stations([self.station])
        catalogue = CatalogueService(stations, self.clock)
        records = InMemoryPartnerRepository()
        records.save(
            Partner(
                RAPIDGRID,
                "Rapid Grid",
                Protocol.OCPI,
                OperatorProfile.FAST,
                "http://cpo.test/ocpi/versions",
            )
        )
        status = StatusService(
            InMemoryStatusStore(stations), RecordingEventBus(), self.clock
        )
        self.status = status
        partners = PartnersService(
            records,
            stations,
            catalogue,
            status,
            {Protocol.OCPI: FakeGateway()},
            self.clock,
        )
        self.ledger = InMemoryLedgerStore()
        provider = SandboxPaymentProvider(b"secret-for-tests", self.clock)
        self.wallet = WalletService(self.ledger, provider, self.clock)
        self.provider = provider
        self.accounts = AccountService(
            InMemoryAccountRepository(), self.clock, self.wallet.open_wallet
        )
        self.sessions = InMemorySessionStore(self.ledger)
        self.remote = FakeRemoteCharging()
        self.charging = ChargingService(
            self.sessions,
            self.wallet,
            catalogue,
            partners,
            self.accounts,
            {Protocol.OCPI: self.remote},
            self.clock,
            [brand_first_year("Xiaomi", 10)],
            queries={Protocol.OCPI: self.remote},
        )

    def driver(self, money: str = "200", brand: str = "Xiaomi"):
        account = self.accounts.open_account("driver").account
        self.accounts.register_vehicle(
            account.id,
            # One VIN per driver: a VIN belongs to one account.
            Vehicle(
                "LXMSU7A" + account.id[-10:].upper(),
                brand,
                "SU7",
                date(2026, 6, 1),
            ),
        )
        intent = self.wallet.top_up(account.id, Money.of(money), f"top-{account.id}")
        webhook = self.provider.confirm(intent.intent_id)
        self.wallet.confirm_top_up(webhook.body, webhook.signature_header)
        return account

    @property
    def pile(self) -> PileId:
        return self.station.piles[0].id

    def record(self, ref: str, kwh: str = "12.5") -> ChargeRecord:
        start = EPOCH + timedelta(minutes=1)
        end = start + timedelta(minutes=30)
        total = Decimal(kwh)
        return ChargeRecord(
            ref,
            f"CDR-{ref}",
            start,
            end + timedelta(minutes=5),
            total,
            (ChargePeriod(start, end, total),),
            total * Decimal("1.02"),
            total * Decimal("0.8"),
            Decimal(0),
            total * Decimal("1.82"),
            "ocpi",
        )


def a_billed_session(world: World):
    account = world.driver()
    session = world.charging.start_charging(account.id, world.pile, "start-1")
    world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-1", EPOCH))
    return account, session


class TestStarting:
    def test_holds_the_estimate_and_asks_the_partner_once(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-start")
        again = world.charging.start_charging(account.id, world.pile, "k-start")
        assert again.id == session.id
        assert world.remote.starts == [session.id]
        assert world.wallet.balance(account.id).held == session.hold_amount
        assert session.hold_amount >= Money.of(20)

    def test_an_offline_pile_is_refused_before_any_money_moves(self):
        world = World()
        account = world.driver()
        with pytest.raises(PileUnavailableError):
            world.charging.start_charging(
                account.id, world.station.piles[1].id, "k-offline"
            )
        assert world.wallet.balance(account.id).held == Money.zero()

    def test_an_unreachable_partner_fails_the_session_and_releases_the_hold(self):
        world = World()
        account = world.driver()
        world.remote.unreachable = True
        with pytest.raises(PartnerUnreachableError):
            world.charging.start_charging(account.id, world.pile, "k-down")
        [session] = world.charging.list_sessions(account.id)
        assert session.status is SessionStatus.FAILED
        assert world.wallet.balance(account.id).held == Money.zero()

    def test_a_retry_finds_its_session_after_the_car_made_the_pile_busy(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-busy")
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-1", EPOCH))
        busy = [PileStatusReport(world.pile, PileStatus.CHARGING, EPOCH)]
        asyncio.run(world.status.ingest(busy))
        again = world.charging.start_charging(account.id, world.pile, "k-busy")
        assert again.id == session.id
        with pytest.raises(IdempotencyKeyReusedError):
            world.charging.start_charging(account.id, world.pile, "k-busy", Decimal(5))

    def test_a_session_the_partner_never_starts_is_failed_and_released(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-slow")
        world.clock.set(EPOCH + timedelta(minutes=4))
        [failed] = world.charging.chase_starts()
        assert failed.id == session.id
        assert failed.status is SessionStatus.FAILED
        assert world.wallet.balance(account.id).held == Money.zero()


class TestBookingAPastCharge:
    """The import path of the demo's backfill (ADR 0025)."""

    def test_is_held_at_the_tariff_of_its_moment(self):
        world = World()
        account = world.driver()
        night = EPOCH - timedelta(hours=8)  # 02:00 in Shanghai: valley
        past = world.charging.start_charging(
            account.id, world.pile, "k-night", Decimal(40), occurred_at=night
        )
        now = world.charging.start_charging(
            account.id, world.pile, "k-now", Decimal(40)
        )
        assert past.hold_amount == Money.of(29)  # 40 kWh x 0.71, whole yuan up
        assert now.hold_amount == Money.of(73)  # 40 kWh x 1.82 at 10:00 (peak)
        assert past.created_at == EPOCH  # booked now, as the ledger is

    def test_the_live_status_of_the_pile_says_nothing_of_the_past(self):
        world = World()
        account = world.driver()
        offline_now = world.station.piles[1].id
        session = world.charging.start_charging(
            account.id, offline_now, "k-past", occurred_at=EPOCH - timedelta(days=1)
        )
        assert session.hold_id

    def test_the_future_is_refused(self):
        world = World()
        account = world.driver()
        with pytest.raises(InvalidSessionRequestError, match="occurred_at"):
            world.charging.start_charging(
                account.id, world.pile, "k-soon", occurred_at=EPOCH + timedelta(1)
            )


class TestStopping:
    def test_a_stop_refused_because_the_hub_stopped_it_meanwhile_is_no_error(self):
        world = World()
        account, session = a_billed_session(world)

        def hub_stopped_first(ref: str) -> bool:
            # The hub stopped the session at its target while this stop was on
            # its way: the partner has no running session left to stop.
            stored = world.sessions.find(ref)
            with world.sessions.transaction() as tx:
                moved = replace(
                    stored, status=SessionStatus.STOPPING, version=stored.version + 1
                )
                assert tx.save(moved)
                tx.commit()
            return False

        world.remote.accept_stop = hub_stopped_first
        stopped = world.charging.stop_charging(account.id, session.id)
        assert stopped.status is SessionStatus.STOPPING

    def test_a_stop_the_partner_refuses_is_an_error_while_it_charges(self):
        world = World()
        account, session = a_billed_session(world)
        world.remote.accept_stop = lambda _ref: False
        with pytest.raises(SessionStateError, match="refused to stop"):
            world.charging.stop_charging(account.id, session.id)


class TestBillingExactlyOnce:
    def test_a_record_delivered_three_times_is_billed_once(self):
        world = World()
        account, session = a_billed_session(world)
        for _ in range(3):
            world.charging.handle(RAPIDGRID, world.record(session.id))
        receipt = world.charging.get_receipt(account.id, session.id)
        balance = world.wallet.balance(account.id)
        assert balance.available == Money.of(200) - receipt.driver_total
        assert balance.held == Money.zero()
        assert receipt.discount_total == Money(
            (receipt.partner_total.amount * Decimal("0.1")).quantize(Decimal("0.01"))
        )
        assert world.ledger.trial_balance().is_consistent

    def test_a_crash_while_billing_leaves_nothing_half_done(self):
        world = World()
        account, session = a_billed_session(world)
        world.sessions.fail_next_bill = True
        with pytest.raises(ConnectionError):
            world.charging.handle(RAPIDGRID, world.record(session.id))
        # Settlement, receipt and billed state are one unit of work: none of
        # them happened.
        assert world.wallet.balance(account.id).held == session.hold_amount
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )
        # The partner sends its record again (it was never acknowledged):
        world.charging.handle(RAPIDGRID, world.record(session.id))
        receipt = world.charging.get_receipt(account.id, session.id)
        assert (
            world.wallet.balance(account.id).available
            == Money.of(200) - receipt.driver_total
        )
        settles = [
            t for t in world.ledger.transfers() if t.kind is TransferKind.SETTLEMENT
        ]
        assert len(settles) == 1

    def test_another_partner_cannot_touch_my_session(self):
        world = World()
        account, session = a_billed_session(world)
        with pytest.raises(UnknownSessionError):
            world.charging.handle(OperatorId("swapway"), world.record(session.id))
        assert (
            world.charging.get_session(account.id, session.id).status
            is SessionStatus.CHARGING
        )

    def test_a_driver_sees_only_their_own_sessions(self):
        world = World()
        _, session = a_billed_session(world)
        stranger = world.driver()
        with pytest.raises(SessionNotFoundError):
            world.charging.get_session(stranger.id, session.id)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), repeats=st.integers(1, 3))
def test_any_order_and_repetition_of_events_bills_once(seed, repeats):
    world = World()
    account, session = a_billed_session(world)
    events = [
        SessionProgress(
            session.id,
            Decimal(n),
            Decimal(60),
            None,
            None,
            EPOCH + timedelta(minutes=n),
        )
        for n in range(1, 5)
    ]
    events += [
        SessionEnded(session.id, EPOCH + timedelta(minutes=40)),
        world.record(session.id),
    ]
    stream = events * repeats
    random.Random(seed).shuffle(stream)
    for event in stream:
        world.charging.handle(RAPIDGRID, event)
    final = world.charging.get_session(account.id, session.id)
    assert final.status is SessionStatus.BILLED
    receipt = world.charging.get_receipt(account.id, session.id)
    assert (
        world.wallet.balance(account.id).available
        == Money.of(200) - receipt.driver_total
    )
    assert world.ledger.trial_balance().is_consistent


class TestRefunds:
    def test_a_credit_note_returns_money_once_and_never_more_than_paid(self):
        world = World()
        account, session = a_billed_session(world)
        world.charging.handle(RAPIDGRID, world.record(session.id))
        paid = world.charging.get_receipt(account.id, session.id).driver_total
        before = world.wallet.balance(account.id).available
        for _ in range(2):  # a retry with the same key refunds once
            world.charging.refund(
                session.id, Money.of("5.00"), RefundSource.PARTNER, "rf-1"
            )
        assert world.wallet.balance(account.id).available == before + Money.of("5.00")
        with pytest.raises(RefundExceedsChargeError):
            world.charging.refund(session.id, paid, RefundSource.PLATFORM, "rf-2")
        assert world.ledger.trial_balance().is_consistent

    def test_only_a_billed_session_is_refunded(self):
        world = World()
        _, session = a_billed_session(world)
        with pytest.raises(SessionStateError):
            world.charging.refund(
                session.id, Money.of(1), RefundSource.PLATFORM, "rf-3"
            )


class TestEmptyCharges:
    def test_a_zero_kwh_record_in_no_time_is_billed_at_zero(self):
        world = World()
        account, session = a_billed_session(world)
        instant = EPOCH + timedelta(minutes=1)
        record = ChargeRecord(
            session.id,
            "CDR-0",
            instant,
            instant,
            Decimal("0.00"),
            (ChargePeriod(instant, instant, Decimal("0.00")),),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            Decimal(0),
            "tcec",
        )
        world.charging.handle(RAPIDGRID, record)
        receipt = world.charging.get_receipt(account.id, session.id)
        assert receipt.driver_total == Money.zero()
        balance = world.wallet.balance(account.id)
        assert (balance.available, balance.held) == (Money.of(200), Money.zero())


class TestTargets:
    def charging_with(self, world: World, **target):
        account = world.driver()
        session = world.charging.start_charging(
            account.id, world.pile, f"t-{len(world.remote.starts)}", **target
        )
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-9", EPOCH))
        return account, session

    def progress(
        self, session, kwh: str, soc: str | None = None, fen: int | None = None
    ):
        return SessionProgress(
            session.id,
            Decimal(kwh),
            Decimal(60),
            None if soc is None else Decimal(soc),
            fen,
            EPOCH + timedelta(minutes=float(kwh)),
        )

    def test_the_hub_stops_the_session_at_its_energy_target(self):
        world = World()
        _, session = self.charging_with(world, target_kwh=Decimal(10))
        world.charging.handle(RAPIDGRID, self.progress(session, "9.5"))
        assert world.remote.stops == []
        stopped = world.charging.handle(RAPIDGRID, self.progress(session, "10.1"))
        assert stopped.status is SessionStatus.STOPPING
        assert world.remote.stops == [session.id]

    def test_a_soc_target_and_a_money_target_stop_it_too(self):
        world = World()
        _, by_soc = self.charging_with(world, target_soc=Decimal(80))
        world.charging.handle(RAPIDGRID, self.progress(by_soc, "20", soc="80.2"))
        _, by_money = self.charging_with(world, target_amount=Money.of(30))
        world.charging.handle(RAPIDGRID, self.progress(by_money, "16", fen=3000))
        assert world.remote.stops == [by_soc.id, by_money.id]

    def test_a_money_target_is_the_amount_held(self):
        world = World()
        account, session = self.charging_with(world, target_amount=Money.of("55.50"))
        assert session.hold_amount == Money.of(56)
        assert world.wallet.balance(account.id).held == Money.of(56)

    @pytest.mark.parametrize(
        ("target", "field"),
        [
            ({"target_kwh": Decimal(0)}, "target_kwh"),
            ({"target_soc": Decimal(101)}, "target_soc"),
            ({"target_amount": Money.of(0)}, "target_amount"),
        ],
    )
    def test_an_impossible_target_names_its_field(self, target, field):
        world = World()
        account = world.driver()
        with pytest.raises(InvalidSessionRequestError, match=field):
            world.charging.start_charging(account.id, world.pile, "bad", **target)

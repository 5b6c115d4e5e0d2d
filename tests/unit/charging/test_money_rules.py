"""What a driver and a partner see of the charging money rules (issue 10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from evroam.catalogue.model import PileStatus
from evroam.charging.errors import IdempotencyKeyReusedError, InvalidChargeRecordError
from evroam.charging.model import DisputeReason, SessionStatus
from evroam.charging.receipt import CAP_LINE
from evroam.charging.remote import SessionStarted
from evroam.shared.money import Money
from evroam.wallet.ledger import TransferKind
from tests.builders import EPOCH
from tests.unit.charging.test_charging_service import RAPIDGRID, World


def pile_turns(world: World, status: PileStatus) -> None:
    station = world.station
    piles = (replace(station.piles[0], status=status), *station.piles[1:])
    world.stations.save_stations([replace(station, piles=piles)])


class TestIdempotencyFirst:
    def test_a_retry_gets_its_session_back_once_the_pile_is_busy(self):
        world = World()
        account = world.driver()
        first = world.charging.start_charging(account.id, world.pile, "k-1")
        world.charging.handle(RAPIDGRID, SessionStarted(first.id, "S-1", EPOCH))
        pile_turns(world, PileStatus.CHARGING)  # the partner says it charges
        again = world.charging.start_charging(account.id, world.pile, "k-1")
        assert again.id == first.id
        assert again.status is SessionStatus.CHARGING
        assert world.remote.starts == [first.id]

    def test_the_same_key_for_another_request_is_refused_naming_the_key(self):
        world = World()
        account = world.driver()
        world.charging.start_charging(account.id, world.pile, "k-2")
        pile_turns(world, PileStatus.CHARGING)
        with pytest.raises(IdempotencyKeyReusedError, match="'k-2'"):
            world.charging.start_charging(
                account.id, world.pile, "k-2", target_kwh=Decimal(5)
            )


class TestRecordsAreCheckedBeforeBilling:
    def started(self, world: World):
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k")
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S", EPOCH))
        return account, session

    def test_a_negative_record_is_refused_and_nothing_is_stored(self):
        world = World()
        account, session = self.started(world)
        record = replace(world.record(session.id), kwh=Decimal(-50))
        with pytest.raises(InvalidChargeRecordError, match="kwh"):
            world.charging.handle(RAPIDGRID, record)
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )
        assert world.sessions.disputes == {}

    def test_an_impossible_record_is_disputed_and_not_billed(self):
        world = World()
        account, session = self.started(world)
        record = world.record(session.id, kwh="100000")  # in 35 minutes
        world.charging.handle(RAPIDGRID, record)
        disputed = world.charging.get_session(account.id, session.id)
        assert disputed.status is SessionStatus.DISPUTED
        [dispute] = world.charging.list_disputes(account.id, session.id)
        assert dispute.reason is DisputeReason.IMPLAUSIBLE
        assert "120" in dispute.detail  # the pile's power
        assert dispute.figure("partner") == Money.of("182000.00")
        balance = world.wallet.balance(account.id)
        assert (balance.available, balance.held) == (
            Money.of(200) - session.hold_amount,
            session.hold_amount,
        )


class TestOverrunCap:
    def test_the_driver_pays_at_most_the_hold_plus_the_cap(self):
        world = World()
        account = world.driver(money="300", brand="Other")
        session = world.charging.start_charging(
            account.id, world.pile, "k-cap", target_amount=Money.of(20)
        )
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S", EPOCH))
        world.charging.handle(RAPIDGRID, world.record(session.id, kwh="60"))
        receipt = world.charging.get_receipt(account.id, session.id)
        # hold ¥20 + cap max(¥20, 20 % of ¥20) = ¥40; the bill was ¥109.20
        assert receipt.driver_total == Money.of(40)
        [cap] = [line for line in receipt.lines if line.kind == CAP_LINE]
        assert cap.amount == Money.of("69.20")
        [dispute] = world.charging.list_disputes(account.id, session.id)
        assert dispute.reason is DisputeReason.OVERRUN
        assert world.wallet.balance(account.id).available == Money.of(260)


class TestAStartTheHubGaveUpOn:
    def test_is_stopped_when_it_starts_and_its_record_is_still_billed(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-l")
        world.clock.set(EPOCH + timedelta(minutes=4))
        world.charging.chase_starts()  # failed: the hold is released
        world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S", EPOCH))
        assert world.remote.stops == [session.id]
        world.charging.handle(RAPIDGRID, world.record(session.id, kwh="5"))
        receipt = world.charging.get_receipt(account.id, session.id)
        assert world.wallet.balance(account.id).available == (
            Money.of(200) - receipt.driver_total
        )
        kinds = [t.kind for t in world.ledger.transfers()]
        assert kinds.count(TransferKind.RELEASE) == 1
        assert kinds.count(TransferKind.SETTLEMENT) == 1

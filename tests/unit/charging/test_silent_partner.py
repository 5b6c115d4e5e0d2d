"""A partner gone silent on a session: the hub asks, the driver may close (ADR 0021)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from evroam.charging.errors import SessionStateError
from evroam.charging.model import SessionStatus
from evroam.charging.remote import SessionEnded, SessionProgress, SessionStarted
from evroam.charging.silence import CLOSE_AFTER, SILENT_AFTER
from evroam.shared.money import Money
from tests.builders import EPOCH
from tests.unit.charging.test_charging_service import RAPIDGRID, World


def a_charging_session(world: World, money: str = "200"):
    account = world.driver(money)
    session = world.charging.start_charging(account.id, world.pile, "k-silent")
    world.charging.handle(RAPIDGRID, SessionStarted(session.id, "S-1", EPOCH))
    progress = SessionProgress(session.id, Decimal(5), Decimal(60), None, 910, EPOCH)
    world.charging.handle(RAPIDGRID, progress)
    return account, world.charging.get_session(account.id, session.id)


def later(world: World, delta: timedelta) -> None:
    world.clock.set(world.clock.now() + delta)


class TestChasingASilentPartner:
    def test_a_session_is_not_asked_about_while_its_partner_speaks(self):
        world = World()
        a_charging_session(world)
        later(world, SILENT_AFTER - timedelta(seconds=1))
        assert world.charging.chase_silent() == []
        assert world.remote.queries == []

    def test_the_partner_is_asked_once_silent_and_its_answer_is_heard(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, SILENT_AFTER)
        at = world.clock.now()
        world.remote.answers[session.id] = [
            SessionProgress(session.id, Decimal(9), Decimal(58), None, 1638, at)
        ]
        [heard] = world.charging.chase_silent()
        assert world.remote.queries == [session.id]
        assert heard.kwh == Decimal(9)
        assert heard.cost_so_far == Money.from_fen(1638)
        assert heard.last_heard_at == at
        assert world.wallet.balance(account.id).held == session.hold_amount

    def test_a_partner_that_does_not_answer_is_asked_again_only_later(self):
        world = World()
        _, session = a_charging_session(world)
        later(world, SILENT_AFTER)
        assert world.charging.chase_silent() == []
        later(world, timedelta(seconds=5))
        world.charging.chase_silent()  # the next maintenance round
        assert world.remote.queries == [session.id]
        later(world, timedelta(minutes=2))
        world.charging.chase_silent()
        assert world.remote.queries == [session.id, session.id]

    def test_an_answer_that_the_session_ended_ends_it_and_keeps_the_hold(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, SILENT_AFTER)
        at = world.clock.now()
        world.remote.answers[session.id] = [
            SessionProgress(session.id, Decimal(12), None, None, 2184, at),
            SessionEnded(session.id, at),
        ]
        [heard] = world.charging.chase_silent()
        assert heard.status is SessionStatus.ENDED
        assert world.wallet.balance(account.id).held == session.hold_amount
        # its record then bills it as usual
        world.charging.handle(RAPIDGRID, world.record(session.id, "12"))
        billed = world.charging.get_session(account.id, session.id)
        assert billed.status is SessionStatus.BILLED


class TestAStartTheOutboxWouldGiveUp:
    def test_the_partner_is_asked_first_and_a_started_charge_keeps_its_hold(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-lost")
        # the partner took the start; its start result never reached the hub
        later(world, timedelta(minutes=4))
        at = world.clock.now()
        world.remote.answers[session.id] = [
            SessionProgress(session.id, Decimal(3), Decimal(60), None, 546, at)
        ]
        world.charging.chase_starts()
        charging = world.charging.get_session(account.id, session.id)
        assert charging.status is SessionStatus.CHARGING
        assert world.wallet.balance(account.id).held == session.hold_amount

    def test_without_an_answer_the_start_fails_as_before(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-none")
        later(world, timedelta(minutes=4))
        [failed] = world.charging.chase_starts()
        assert world.remote.queries == [session.id]
        assert failed.status is SessionStatus.FAILED
        assert world.wallet.balance(account.id).held == Money.zero()


class TestTheDriverClosing:
    def test_a_session_whose_partner_speaks_cannot_be_closed(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, CLOSE_AFTER - timedelta(seconds=1))
        with pytest.raises(SessionStateError, match="stays silent"):
            world.charging.close_session(account.id, session.id)
        assert world.charging.get_session(account.id, session.id).status is (
            SessionStatus.CHARGING
        )

    def test_a_partner_that_answers_when_asked_is_not_silent(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, CLOSE_AFTER)
        at = world.clock.now()
        world.remote.answers[session.id] = [
            SessionProgress(session.id, Decimal(20), None, None, 3640, at)
        ]
        with pytest.raises(SessionStateError, match="answered"):
            world.charging.close_session(account.id, session.id)
        assert world.wallet.balance(account.id).held == session.hold_amount

    def test_closing_releases_the_hold_at_once_and_sends_a_stop(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, CLOSE_AFTER)
        closed = world.charging.close_session(account.id, session.id)
        assert closed.status is SessionStatus.CLOSED
        assert closed.closed_at == world.clock.now()
        assert world.remote.stops == [session.id]
        balance = world.wallet.balance(account.id)
        assert balance.held == Money.zero()
        assert balance.available == Money.of(200)
        # closing twice changes nothing
        again = world.charging.close_session(account.id, session.id)
        assert again.version == closed.version
        assert world.remote.stops == [session.id]

    def test_a_record_that_comes_after_closing_is_billed_once_from_the_wallet(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, CLOSE_AFTER)
        world.charging.close_session(account.id, session.id)
        record = world.record(session.id, "12")
        world.charging.handle(RAPIDGRID, record)
        world.charging.handle(RAPIDGRID, record)  # repeated: billed once
        billed = world.charging.get_session(account.id, session.id)
        assert billed.status is SessionStatus.BILLED
        receipt = world.charging.get_receipt(account.id, session.id)
        balance = world.wallet.balance(account.id)
        assert balance.available == Money.of(200) - receipt.driver_total
        assert balance.held == Money.zero()

    def test_a_late_record_beyond_the_wallet_is_owed_never_below_zero(self):
        world = World()
        account, session = a_charging_session(world, money="100")
        later(world, CLOSE_AFTER)
        world.charging.close_session(account.id, session.id)
        # the driver spends the released money elsewhere meanwhile
        other = world.charging.start_charging(
            account.id, world.pile, "k-next", target_amount=Money.of(98)
        )
        assert other.hold_amount == Money.of(98)
        world.charging.handle(RAPIDGRID, world.record(session.id, "12"))
        receipt = world.charging.get_receipt(account.id, session.id)
        balance = world.wallet.balance(account.id)
        assert balance.available == Money.zero()
        assert balance.owed == receipt.driver_total - Money.of(2)

    def test_a_car_still_charging_after_closing_is_sent_a_stop(self):
        world = World()
        account, session = a_charging_session(world)
        later(world, CLOSE_AFTER)
        world.charging.close_session(account.id, session.id)
        world.remote.stops.clear()
        at = world.clock.now()
        progress = SessionProgress(session.id, Decimal(30), None, None, 5460, at)
        world.charging.handle(RAPIDGRID, progress)
        assert world.remote.stops == [session.id]
        still = world.charging.get_session(account.id, session.id)
        assert still.status is SessionStatus.CLOSED

    def test_only_a_session_waiting_on_its_partner_is_closed(self):
        world = World()
        account = world.driver()
        session = world.charging.start_charging(account.id, world.pile, "k-req")
        later(world, CLOSE_AFTER)
        with pytest.raises(SessionStateError, match="requested"):
            world.charging.close_session(account.id, session.id)

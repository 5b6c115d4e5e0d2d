"""A hypothesis state machine driving random interleavings through ChargingService.

Drivers start (and retry) and stop charges; the partner starts, rejects,
reports progress, ends and sends its charge record whenever it likes, and the
hub hears those messages duplicated, late and out of order; start and stop
commands stay in flight while everything else happens (the service awaits the
partner there); the clock jumps and the start outbox runs; the hub restarts,
dropping whatever it was awaiting. After every step the money rules hold:

- every transfer sums to zero and balances equal the replay of the postings;
- each hold is resolved (settled, released, expired) at most once;
- each session is billed at most once, and exactly once once its plausible
  record was taken (an implausible one is disputed, never billed);
- the hold of a car the hub heard charging is never released (unless the
  driver closed the session, its partner silent: ADR 0021);
- nothing is lost: per driver, available + held - owed + what receipts charged
  equals what was topped up; no one pays above hold + overrun cap;
- a session never goes back (to an earlier state or version).

Subclasses give ``make_stores`` (sessions and ledger on one engine) and may
give ``make_writer`` (the ledger's plan writer).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from evroam.accounts.model import Vehicle
from evroam.accounts.service import AccountService
from evroam.catalogue.model import OperatorProfile, PileStatus, Protocol
from evroam.catalogue.service import CatalogueService
from evroam.charging.errors import (
    IdempotencyKeyReusedError,
    SessionNotFoundError,
    SessionStateError,
)
from evroam.charging.model import SessionStatus
from evroam.charging.ports import SessionStore
from evroam.charging.receipt import overrun_cap
from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    RemoteEvent,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    StartResult,
    StopRejected,
    StopResult,
)
from evroam.charging.service import ChargingService
from evroam.charging.silence import CLOSE_AFTER
from evroam.partners.errors import PartnerUnreachableError
from evroam.partners.model import Partner
from evroam.partners.service import PartnersService
from evroam.payments.sandbox import SandboxPaymentProvider
from evroam.pricing.discount import brand_first_year
from evroam.shared.ids import AccountId, OperatorId, SessionId
from evroam.shared.money import Money
from evroam.status.service import StatusService
from evroam.wallet.errors import InsufficientFunds
from evroam.wallet.ledger import TransferKind
from evroam.wallet.plan import PlanWriter
from evroam.wallet.ports import LedgerStore
from evroam.wallet.service import WalletService
from tests.builders import EPOCH, a_station, a_tariff, an_operator
from tests.fakes import (
    FakeGateway,
    FixedClock,
    InMemoryAccountRepository,
    InMemoryPartnerRepository,
    InMemoryStationRepository,
    InMemoryStatusStore,
    RecordingEventBus,
)

PARTNER = OperatorId("rapidgrid")
TOP_UP = Money.of(300)
DRIVERS = 2
RESOLUTIONS = {TransferKind.SETTLEMENT, TransferKind.RELEASE, TransferKind.EXPIRY}
# Errors a driver or the outbox may meet; anything else fails the run.
EXPECTED = (
    InsufficientFunds,
    PartnerUnreachableError,
    SessionStateError,
    IdempotencyKeyReusedError,
)
_LATER = {  # the states a session may move to from each state
    SessionStatus.REQUESTED: set(SessionStatus),
    SessionStatus.CHARGING: {
        SessionStatus.CHARGING,
        SessionStatus.STOPPING,
        SessionStatus.ENDED,
        SessionStatus.CLOSED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.STOPPING: {
        SessionStatus.STOPPING,
        SessionStatus.CHARGING,  # the partner refused the stop
        SessionStatus.ENDED,
        SessionStatus.CLOSED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.ENDED: {
        SessionStatus.ENDED,
        SessionStatus.CLOSED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.CLOSED: {
        SessionStatus.CLOSED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.REJECTED: {
        SessionStatus.REJECTED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.FAILED: {
        SessionStatus.FAILED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    },
    SessionStatus.BILLED: {SessionStatus.BILLED},
    SessionStatus.DISPUTED: {SessionStatus.DISPUTED},
}
_HEARD_CHARGING = {
    SessionStatus.REQUESTED,
    SessionStatus.CHARGING,
    SessionStatus.STOPPING,
    SessionStatus.ENDED,
}


class HubStopped(Exception):  # noqa: N818 - the process dies, not an error
    """Raised in a call the hub was waiting on when the hub restarts."""


class Gate:
    """One command waiting for the partner's answer (a result or an error)."""

    def __init__(self) -> None:
        self._answered = threading.Event()
        self._result: Any = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._answered.is_set()

    def answer(self, result: Any = None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._answered.set()

    def wait(self) -> Any:
        self._answered.wait()
        if self._error is not None:
            raise self._error
        return self._result


class Conductor:
    """Runs the hub's calls in threads, one at a time: a call runs until it
    ends or waits on a gate; then the machine goes on (deterministic)."""

    def __init__(self) -> None:
        self._moves = threading.Condition()
        self._count = 0
        self.threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    def moved(self) -> None:
        with self._moves:
            self._count += 1
            self._moves.notify_all()

    def until_moved(self, act: Callable[[], None]) -> None:
        with self._moves:
            before = self._count
        act()
        with self._moves:
            if not self._moves.wait_for(lambda: self._count > before, timeout=60):
                raise AssertionError("the hub neither finished nor waited")

    def spawn(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        """``fn(*args)`` until it ends or waits; ``[result]`` when it ended
        without error, ``[]`` otherwise."""
        outcome: list[Any] = []

        def call() -> None:
            try:
                outcome.append(fn(*args, **kwargs))
            except HubStopped:
                pass
            except BaseException as exc:
                outcome.append(exc)
                if not isinstance(exc, EXPECTED):
                    self.errors.append(exc)
            finally:
                self.moved()

        thread = threading.Thread(target=call, daemon=True)
        self.threads.append(thread)
        self.until_moved(thread.start)
        if self.errors:
            raise self.errors.pop()
        return outcome


class GatedRemote:
    """The partner's command endpoints: each start and stop waits for the
    machine to answer it, so anything can happen while the hub waits."""

    def __init__(self, can_resend_start: bool, conductor: Conductor) -> None:
        self.can_resend_start = can_resend_start
        self.starts: dict[str, Gate] = {}
        self.stops: dict[str, Gate] = {}
        self.sent: list[str] = []  # every start sent, in order (refs)
        self._conductor = conductor
        self._every: list[Gate] = []  # a re-sent start replaces its ref's gate

    def _wait(self, gates: dict[str, Gate], ref: str) -> Any:
        gate = gates[ref] = Gate()
        self._every.append(gate)
        self._conductor.moved()
        return gate.wait()

    def start(self, partner, pile, session_ref, token_uid) -> StartResult:
        self.sent.append(session_ref)
        return self._wait(self.starts, session_ref)

    def stop(self, partner, pile, session_ref, partner_session_id) -> StopResult:
        return self._wait(self.stops, session_ref)

    def stop_all(self) -> None:
        for gate in self._every:
            if not gate.done():
                gate.answer(error=HubStopped())


@dataclass
class PartnerSide:
    """What the partner really did with one session, and what it has sent."""

    ref: str
    state: str = "idle"  # idle | charging | ended | rejected
    kwh: Decimal = Decimal(0)
    minute: int = 0
    sent: list[RemoteEvent] = field(default_factory=list)


@dataclass
class Hub:
    """The hub's process: a service over the stores (rebuilt on restart)."""

    charging: ChargingService
    remote: GatedRemote


class ChargingMachine(RuleBasedStateMachine):
    make_stores: Callable[[], tuple[SessionStore, LedgerStore]]
    make_writer: Callable[[], PlanWriter | None] = staticmethod(lambda: None)

    def __init__(self) -> None:
        super().__init__()
        self.conductor = Conductor()
        self.clock = FixedClock(EPOCH)
        self.sessions, self.ledger = type(self).make_stores()
        self.writer = type(self).make_writer()
        self.keys = 0
        self.refs = 0
        self.partner: dict[str, PartnerSide] = {}
        self.recorded: dict[str, bool] = {}  # ref -> its record was plausible
        self.billable: set[str] = set()  # refs whose plausible record was taken
        self.must_keep_hold: set[str] = set()
        self.seen: dict[str, tuple[SessionStatus, int]] = {}
        self.starts_by_driver: list[tuple[int, str, dict[str, Any]]] = []
        self._build()
        self.hub = self._new_hub(can_resend_start=False)

    # -- wiring --------------------------------------------------------------

    def _build(self) -> None:
        stations = InMemoryStationRepository()
        stations.save_operator(an_operator())
        stations.save_tariffs([a_tariff()])
        self.station = a_station(statuses=(PileStatus.AVAILABLE,) * 2)
        stations.save_stations([self.station])
        self.catalogue = CatalogueService(stations, self.clock)
        records = InMemoryPartnerRepository()
        records.save(
            Partner(PARTNER, "Rapid Grid", Protocol.OCPI, OperatorProfile.FAST, "x")
        )
        status = StatusService(
            InMemoryStatusStore(stations), RecordingEventBus(), self.clock
        )
        self.partners = PartnersService(
            records,
            stations,
            self.catalogue,
            status,
            {Protocol.OCPI: FakeGateway()},
            self.clock,
        )
        self.provider = SandboxPaymentProvider(b"secret-for-tests", self.clock)
        self.wallet = WalletService(
            self.ledger, self.provider, self.clock, writer=self.writer
        )
        self.accounts = AccountService(
            InMemoryAccountRepository(), self.clock, self.wallet.open_wallet
        )

    def _new_hub(self, can_resend_start: bool) -> Hub:
        remote = GatedRemote(can_resend_start, self.conductor)
        charging = ChargingService(
            self.sessions,
            self.wallet,
            self.catalogue,
            self.partners,
            self.accounts,
            {Protocol.OCPI: remote},
            self.clock,
            [brand_first_year("Xiaomi", 10)],
            new_ref=self._next_ref,
        )
        return Hub(charging, remote)

    def _next_ref(self) -> str:
        self.refs += 1
        return f"R{self.refs:017d}"

    def teardown(self) -> None:
        self._stop_hub()
        close = getattr(self.writer, "close", None)
        if close is not None:
            close()

    def _stop_hub(self) -> None:
        self.hub.remote.stop_all()
        for thread in self.conductor.threads:
            thread.join(timeout=60)
        self.conductor.threads = []

    # -- running the hub's calls -------------------------------------------------

    def _spawn(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        done = self.conductor.spawn(fn, *args, **kwargs)
        self._sides()  # the partner knows every start it was sent
        return done

    def _answer(self, gate: Gate, result: Any = None, error: Any = None) -> None:
        self.conductor.until_moved(lambda: gate.answer(result, error))
        if self.conductor.errors:
            raise self.conductor.errors.pop()
        self._sides()

    # -- drivers ---------------------------------------------------------------

    @initialize(
        can_resend=st.booleans(),
        starts=st.lists(
            st.tuples(st.booleans(), st.integers(0, 1)), min_size=1, max_size=3
        ),
    )
    def open_accounts(self, can_resend: bool, starts: list[tuple[bool, int]]) -> None:
        """Two drivers with money, and the first starts (rules may be switched
        off in a run, so every run has sessions to race on)."""
        self.hub = self._new_hub(can_resend)
        self.drivers: list[AccountId] = []
        for n in range(DRIVERS):
            account = self.accounts.open_account(f"driver {n}").account
            brand = "Xiaomi" if n == 0 else "Other"
            self.accounts.register_vehicle(
                account.id,
                Vehicle(f"LXMSU7A12R000000{n}", brand, "SU7", date(2026, 6, 1)),
            )
            intent = self.wallet.top_up(account.id, TOP_UP, f"top-{account.id}")
            webhook = self.provider.confirm(intent.intent_id)
            self.wallet.confirm_top_up(webhook.body, webhook.signature_header)
            self.drivers.append(account.id)
        for n, (capped, pile) in enumerate(starts):
            self.start(n % DRIVERS, capped, pile)

    @rule(
        driver=st.integers(0, DRIVERS - 1),
        capped=st.booleans(),
        pile=st.integers(0, 1),
    )
    def start(self, driver: int, capped: bool, pile: int) -> None:
        self.keys += 1
        key = f"k{self.keys}"
        request = {
            "pile_id": self.station.piles[pile].id,
            "target_amount": Money.of(20) if capped else None,
        }
        self.starts_by_driver.append((driver, key, request))
        self._spawn(
            self.hub.charging.start_charging,
            self.drivers[driver],
            **request,
            idempotency_key=key,
        )

    @rule(data=st.data())
    def retry_start(self, data: st.DataObject) -> None:
        if not self.starts_by_driver:
            return
        driver, key, request = data.draw(st.sampled_from(self.starts_by_driver))
        self._spawn(
            self.hub.charging.start_charging,
            self.drivers[driver],
            **request,
            idempotency_key=key,
        )

    @rule(data=st.data())
    def driver_stops(self, data: st.DataObject) -> None:
        if not self._sides():
            return
        ref = data.draw(st.sampled_from(list(self.partner)))
        session = self.sessions.find(SessionId(ref))
        assert session is not None
        self._spawn(self.hub.charging.stop_charging, session.account_id, session.id)

    @rule(data=st.data())
    def driver_closes(self, data: st.DataObject) -> None:
        """The partner says nothing for ``CLOSE_AFTER``; the driver closes the
        session (refused unless it waits on its partner)."""
        if not self._sides():
            return
        ref = data.draw(st.sampled_from(list(self.partner)))
        session = self.sessions.find(SessionId(ref))
        assert session is not None
        self.clock.set(self.clock.now() + CLOSE_AFTER)
        self._spawn(self.hub.charging.close_session, session.account_id, session.id)

    # -- the partner's command answers -------------------------------------------

    @rule(data=st.data(), answer=st.sampled_from(["accept", "refuse", "unreachable"]))
    def answer_start(self, data: st.DataObject, answer: str) -> None:
        waiting = [r for r, g in self.hub.remote.starts.items() if not g.done()]
        if not waiting:
            return
        ref = data.draw(st.sampled_from(waiting))
        gate = self.hub.remote.starts[ref]
        if answer == "unreachable":
            self._answer(gate, error=PartnerUnreachableError("connection reset"))
        else:
            is_accepted = answer == "accept"
            reason = None if is_accepted else "busy"
            self._answer(gate, StartResult(ref, is_accepted, None, reason, 90))

    @rule(data=st.data(), accept=st.booleans())
    def answer_stop(self, data: st.DataObject, accept: bool) -> None:
        waiting = [r for r, g in self.hub.remote.stops.items() if not g.done()]
        if not waiting:
            return
        ref = data.draw(st.sampled_from(waiting))
        if accept and ref in self.partner and self.partner[ref].state == "charging":
            self._end(self.partner[ref], plausible=True)
        answer = StopResult(ref, accept, None if accept else "not now")
        self._answer(self.hub.remote.stops[ref], answer)

    # -- what the partner does ---------------------------------------------------

    def _sides(self) -> dict[str, PartnerSide]:
        for ref in self.hub.remote.sent:
            self.partner.setdefault(ref, PartnerSide(ref))
        return self.partner

    @rule(
        data=st.data(),
        act=st.sampled_from(
            ["start", "start", "reject", "report", "report", "end", "late_reject"]
        ),
        kwh=st.integers(1, 12),
        plausible=st.integers(0, 3),
    )
    def partner_acts(
        self, data: st.DataObject, act: str, kwh: int, plausible: int
    ) -> None:
        """The partner does what its side of one session allows: start or refuse
        it; report progress, end it (its record is implausible one time in
        four) or send a stale rejection of a session that started all the same
        (an OCPI CommandResult TIMEOUT after the Session)."""
        live = [r for r, p in self._sides().items() if p.state in ("idle", "charging")]
        if not live:
            return
        side = self.partner[data.draw(st.sampled_from(live))]
        if side.state == "idle":
            if act == "reject":
                side.state = "rejected"
                side.sent.append(SessionRejected(side.ref, "EVSE occupied"))
            else:
                side.state = "charging"
                side.sent.append(
                    SessionStarted(side.ref, f"P-{side.ref}", self.clock.now())
                )
        elif act == "late_reject":
            side.sent.append(SessionRejected(side.ref, "TIMEOUT"))
        elif act == "end":
            if plausible == 0:
                side.sent.append(StopRejected(side.ref, "busy"))
            self._end(side, plausible=plausible > 0)
        else:
            side.kwh += kwh
            side.minute += 5
            at = EPOCH + timedelta(minutes=side.minute)
            fen = int(side.kwh * 182)
            side.sent.append(
                SessionProgress(side.ref, side.kwh, Decimal(60), None, fen, at)
            )

    def _end(self, side: PartnerSide, plausible: bool) -> None:
        side.state = "ended"
        start = EPOCH + timedelta(minutes=1)
        end = start + timedelta(minutes=max(side.minute, 30))
        kwh = side.kwh if plausible else Decimal(100_000)
        side.sent.append(SessionEnded(side.ref, end))
        side.sent.append(
            ChargeRecord(
                side.ref,
                f"CDR-{side.ref}",
                start,
                end,
                kwh,
                (ChargePeriod(start, end, kwh),),
                kwh * Decimal("1.02"),
                kwh * Decimal("0.8"),
                Decimal(0),
                kwh * Decimal("1.82"),
                "ocpi",
            )
        )

    @rule(data=st.data())
    def hub_hears(self, data: st.DataObject) -> None:
        """One message the partner sent, heard now (again, or out of order)."""
        sides = [r for r, p in self.partner.items() if p.sent]
        if not sides:
            return
        side = self.partner[data.draw(st.sampled_from(sides))]
        latest = data.draw(st.booleans())  # else any: again, or out of order
        event = side.sent[-1] if latest else data.draw(st.sampled_from(side.sent))
        before = self.sessions.find(SessionId(side.ref))
        assert before is not None
        done = self._spawn(self.hub.charging.handle, PARTNER, event)
        if done and isinstance(done[0], BaseException):
            return  # refused: nothing was stored
        # Done, or awaiting the stop it asked for: the event itself is stored.
        if isinstance(event, ChargeRecord):
            plausible = event.kwh < 1000
            self.recorded[side.ref] = plausible
            if plausible:
                self.billable.add(side.ref)
        elif (
            isinstance(event, SessionStarted | SessionProgress | SessionEnded)
            and before.status in _HEARD_CHARGING
        ):
            self.must_keep_hold.add(side.ref)

    # -- time and restarts ---------------------------------------------------------

    @rule(seconds=st.sampled_from([5, 40, 70, 200]))
    def time_passes(self, seconds: int) -> None:
        self.clock.set(self.clock.now() + timedelta(seconds=seconds))
        self._spawn(self.hub.charging.chase_starts)
        self._spawn(self.hub.charging.chase_silent)

    @rule()
    def hub_restarts(self) -> None:
        """The process dies: whatever it awaited is dropped; the stores remain."""
        self._stop_hub()
        self.hub = self._new_hub(self.hub.remote.can_resend_start)
        self.hub.remote.sent = []  # the partner still knows them (self.partner)

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def every_money_rule_holds(self) -> None:
        """The rules of the module docstring, from one read of the stores."""
        if not hasattr(self, "drivers"):
            return
        sessions = {
            s.id: s
            for account_id in self.drivers
            for s in self.sessions.list_for_account(account_id, 10_000)
        }
        receipts = {
            r.session_id: r
            for account_id in self.drivers
            for r in self.sessions.list_receipts(account_id, 10_000)
        }
        self._the_books_balance()
        self._each_hold_resolves_once(sessions)
        for session in sessions.values():
            self._billed_once_and_never_back(session, receipts.get(session.id))
        self._nothing_is_lost(receipts)

    def _the_books_balance(self) -> None:
        trial = self.ledger.trial_balance()
        assert trial.is_consistent, "a cached balance differs from its replay"
        assert trial.total_fen == 0
        for key, amount in trial.cached_fen.items():
            if key.startswith(("wallet:", "holds:")):
                assert amount >= 0, f"{key} went negative"

    def _each_hold_resolves_once(self, sessions: dict[SessionId, Any]) -> None:
        resolved: dict[str, list[TransferKind]] = {}
        for transfer in self.ledger.transfers():
            assert sum(p.amount_fen for p in transfer.postings) == 0
            if transfer.kind in RESOLUTIONS:
                resolved.setdefault(transfer.reference, []).append(transfer.kind)
        assert all(len(kinds) == 1 for kinds in resolved.values()), resolved
        for ref in self.must_keep_hold:  # a charging car's hold is never released
            session = sessions[SessionId(ref)]
            if session.closed_at is not None:
                continue  # but the driver closed it, its partner silent
            assert session.status not in (SessionStatus.REJECTED, SessionStatus.FAILED)
            assert resolved.get(session.hold_id, [TransferKind.SETTLEMENT]) == [
                TransferKind.SETTLEMENT
            ], (ref, resolved.get(session.hold_id))

    def _billed_once_and_never_back(self, session: Any, receipt: Any) -> None:
        ref = session.id
        assert (receipt is not None) == (session.status is SessionStatus.BILLED)
        if ref in self.billable:
            assert session.status is SessionStatus.BILLED, (ref, session.status)
        if self.recorded.get(ref) is False and ref not in self.billable:
            assert session.status in (SessionStatus.DISPUTED, SessionStatus.BILLED)
        if receipt is not None:
            ceiling = session.hold_amount + overrun_cap(session.hold_amount)
            assert receipt.driver_total <= ceiling
        status, version = self.seen.get(ref, (session.status, session.version))
        assert session.version >= version
        assert session.status in _LATER[status], (status, session.status)
        self.seen[ref] = (session.status, session.version)

    def _nothing_is_lost(self, receipts: dict[SessionId, Any]) -> None:
        for account_id in self.drivers:
            balance = self.wallet.balance(account_id)
            paid = sum(
                (
                    r.driver_total
                    for r in receipts.values()
                    if r.account_id == account_id
                ),
                Money.zero(),
            )
            assert balance.available + balance.held - balance.owed + paid == TOP_UP

    # -- helpers for named examples ---------------------------------------------------

    def session_of(self, n: int) -> str:
        """The ref of the ``n``-th session whose start reached the partner."""
        for ref in self.hub.remote.sent:
            self.partner.setdefault(ref, PartnerSide(ref))
        return list(self.partner)[n]

    def status_of(self, ref: str) -> SessionStatus:
        session = self.sessions.find(SessionId(ref))
        if session is None:
            raise SessionNotFoundError(ref)
        return session.status


class Draws:
    """Scripted draws, to run the machine's rules as a named example."""

    def __init__(self, *values: Any) -> None:
        self._values = list(values)

    def draw(self, _strategy: Any) -> Any:
        return self._values.pop(0)


def check_invariants(machine: ChargingMachine) -> None:
    machine.every_money_rule_holds()


def the_lost_charge_of_issue_10(machine: ChargingMachine) -> None:
    """Issue 10, item 1: the partner reports the session started while
    ``start_charging`` still awaits the remote start; the start's answer then
    wrote back the copy read before the await (status ``requested``), the
    start timeout failed the session and released the hold while the car
    charged, and the record was refused: the driver never paid, the partner was
    never paid. Now: billed once, from the hold."""
    machine.open_accounts(can_resend=False, starts=[(False, 0)])
    ref = machine.session_of(0)
    machine.partner_acts(Draws(ref), "start", 1, 1)
    machine.hub_hears(Draws(ref, True))  # SessionStarted, the start in flight
    check_invariants(machine)
    machine.answer_start(Draws(ref), "accept")  # start_charging carries on
    check_invariants(machine)
    machine.time_passes(200)  # past every start timeout; the outbox runs
    check_invariants(machine)
    machine.partner_acts(Draws(ref), "report", 9, 1)
    machine.hub_hears(Draws(ref, True))
    machine.partner_acts(Draws(ref), "end", 1, 1)
    machine.hub_hears(Draws(ref, True))  # the charge record
    check_invariants(machine)
    assert machine.status_of(ref) is SessionStatus.BILLED


def a_stop_answered_after_the_session_ended(machine: ChargingMachine) -> None:
    """Issue 10, item 1 (``_stop``): the driver's stop is in flight when the
    partner ends the session and sends its record; the stop's answer then
    wrote ``stopping`` over the ended session. Now: it stays billed."""
    machine.open_accounts(can_resend=False, starts=[(False, 0)])
    ref = machine.session_of(0)
    machine.answer_start(Draws(ref), "accept")
    machine.partner_acts(Draws(ref), "start", 1, 1)
    machine.hub_hears(Draws(ref, True))
    machine.driver_stops(Draws(ref))  # awaits the partner's answer
    machine.partner_acts(Draws(ref), "report", 5, 1)
    machine.partner_acts(Draws(ref), "end", 1, 1)
    machine.hub_hears(Draws(ref, True))  # the record: billed
    machine.answer_stop(Draws(ref), True)
    check_invariants(machine)
    assert machine.status_of(ref) is SessionStatus.BILLED


def a_record_after_the_driver_closed_a_silent_session(machine: ChargingMachine) -> None:
    """Issue 10, item 7: a partner went silent mid-charge (its platform was
    killed); the driver closes the session and gets the hold back; the partner
    comes back, reports progress (the hub sends a STOP) and sends its record:
    billed once, from the wallet."""
    machine.open_accounts(can_resend=False, starts=[(False, 0)])
    ref = machine.session_of(0)
    machine.answer_start(Draws(ref), "accept")
    machine.partner_acts(Draws(ref), "start", 1, 1)
    machine.hub_hears(Draws(ref, True))
    machine.partner_acts(Draws(ref), "report", 4, 1)
    machine.driver_closes(Draws(ref))
    check_invariants(machine)
    assert machine.status_of(ref) is SessionStatus.CLOSED
    machine.hub_hears(Draws(ref, True))  # the progress: a STOP is sent
    machine.answer_stop(Draws(ref), True)  # the partner ends it: its record
    machine.hub_hears(Draws(ref, True))
    check_invariants(machine)
    assert machine.status_of(ref) is SessionStatus.BILLED


NAMED_EXAMPLES = [
    the_lost_charge_of_issue_10,
    a_stop_answered_after_the_session_ended,
    a_record_after_the_driver_closed_a_silent_session,
]

"""Charging use-cases: start at any partner's pile, follow, stop, bill exactly once."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from evroam.accounts.service import AccountService
from evroam.catalogue.model import Pile, PileStatus, Protocol, Station
from evroam.catalogue.service import CatalogueService
from evroam.charging import outbox, plausibility
from evroam.charging.errors import (
    IdempotencyKeyReusedError,
    InvalidSessionRequestError,
    PileNotFoundError,
    PileUnavailableError,
    SessionConflictError,
    SessionNotFoundError,
    SessionStateError,
)
from evroam.charging.lifecycle import (
    Event,
    HoldPlaced,
    OpenDispute,
    RecordImplausible,
    RecordPriced,
    ReleaseHold,
    SendStart,
    SendStop,
    SettleHold,
    StartAccepted,
    StartRefused,
    StartUndeliverable,
    StopAccepted,
    Transition,
    apply,
)
from evroam.charging.model import (
    ChargeDispute,
    ChargingSession,
    Receipt,
    SessionStatus,
)
from evroam.charging.ports import (
    HoldRecord,
    SessionStore,
    SessionTransaction,
    Wallet,
)
from evroam.charging.receipt import (
    bill_for_record,
    quote_for_session,
    rerating_dispute,
)
from evroam.charging.remote import (
    ChargeRecord,
    PileAddress,
    RemoteCharging,
    RemoteEvent,
    UnknownSessionError,
    new_session_ref,
)
from evroam.charging.rerate import CDR_TARIFF, Rerating, rerate
from evroam.charging.target import ChargeTarget, is_reached
from evroam.partners.service import PartnersService
from evroam.pricing.bill import Bill
from evroam.pricing.discount import DiscountRule
from evroam.pricing.elements import ElementTariff
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, OperatorId, PileId, SessionId
from evroam.shared.money import Money
from evroam.wallet.errors import LedgerContentionError
from evroam.wallet.ledger import Refund, RefundSource

DEFAULT_TARGET_KWH = Decimal(40)
_log = logging.getLogger(__name__)
MIN_HOLD = Money.of(20)
TRANSITION_ATTEMPTS = 16  # compare-and-set retries before SessionConflictError
OUTBOX_BATCH = 500
_STOPPED = frozenset(
    {
        SessionStatus.STOPPING,
        SessionStatus.ENDED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    }
)


class ChargingService:
    def __init__(
        self,
        sessions: SessionStore,
        wallet: Wallet,
        catalogue: CatalogueService,
        partners: PartnersService,
        accounts: AccountService,
        remotes: Mapping[Protocol, RemoteCharging],
        clock: Clock,
        discounts: Sequence[DiscountRule] = (),
        new_ref: Callable[[], str] = new_session_ref,
    ) -> None:
        """``new_ref`` makes session refs (tests pass a deterministic one)."""
        self._sessions = sessions
        self._wallet = wallet
        self._catalogue = catalogue
        self._partners = partners
        self._accounts = accounts
        self._remotes = remotes
        self._clock = clock
        self._discounts = tuple(discounts)
        self._new_ref = new_ref

    # -- driver actions ---------------------------------------------------------------
    def start_charging(
        self,
        account_id: AccountId,
        pile_id: PileId,
        idempotency_key: str,
        target_kwh: Decimal | None = None,
        target_soc: Decimal | None = None,
        target_amount: Money | None = None,
        occurred_at: datetime | None = None,
    ) -> ChargingSession:
        """Hold the expected amount, then ask the partner to start; retries with the
        same key return the same session (whatever the pile's state now) and
        never hold or start twice; the same key with another request is
        ``IdempotencyKeyReusedError``. The hub stops the session when a target
        is reached (``charging.target``).

        ``occurred_at`` books a charge that happened in the past (the demo's
        backfill, ADR 0025): the hold is priced at the tariff of that moment and
        the pile's live status, which says nothing of the past, is not checked.
        The ledger still books every transfer at now."""
        if occurred_at is not None and (
            occurred_at.tzinfo is None or occurred_at > self._clock.now()
        ):
            raise InvalidSessionRequestError(
                "occurred_at", "must be an aware time not after now"
            )
        goal = ChargeTarget(target_kwh, target_soc, target_amount)
        fingerprint = _fingerprint({"pile_id": pile_id, **goal.fingerprint()})
        known = self._sessions.find_by_key(account_id, idempotency_key)
        if known is not None:  # idempotency first: a retry
            return self._resume(known, fingerprint, idempotency_key)
        station, pile = self._locate(pile_id)
        # Who we would ask, checked before any money moves.
        self._remote(self._partners.get_partner(station.operator_id).protocol)
        if occurred_at is None and pile.status is not PileStatus.AVAILABLE:
            # Busy, perhaps with this very key's session, stored meanwhile by
            # a concurrent first call: that one is the answer.
            known = self._sessions.find_by_key(account_id, idempotency_key)
            if known is not None:
                return self._resume(known, fingerprint, idempotency_key)
            raise PileUnavailableError(f"pile {pile_id} is {pile.status}")
        target = target_kwh or DEFAULT_TARGET_KWH
        draft = ChargingSession(
            id=SessionId(self._new_ref()),
            account_id=account_id,
            operator_id=station.operator_id,
            station_id=station.id,
            pile_id=pile_id,
            status=SessionStatus.REQUESTED,
            hold_id="",
            hold_amount=self._hold_for(
                station, pile_id, target, target_amount, occurred_at
            ),
            created_at=self._clock.now(),
            target_kwh=target_kwh,
            target_soc=target_soc,
            target_amount=target_amount,
            tariff_id=station.tariff_id,
        )
        session = self._sessions.add(draft, idempotency_key, fingerprint)
        if session.id != draft.id:
            return self._resume((session, fingerprint), fingerprint, "")
        return self._hold_and_send(session)

    def _resume(
        self, known: tuple[ChargingSession, str], fingerprint: str, key: str
    ) -> ChargingSession:
        """A retried start: the stored session; one whose hold the first call
        did not get to place (it crashed, or is at it now) is carried on."""
        session, stored = known
        if stored != fingerprint:
            raise IdempotencyKeyReusedError(key)
        if session.hold_id or session.status is not SessionStatus.REQUESTED:
            return session
        return self._hold_and_send(session)

    def _hold_and_send(self, session: ChargingSession) -> ChargingSession:
        """Place the hold (idempotent per session), then send the start: only
        the call whose ``HoldPlaced`` changed the session sends it."""
        try:
            hold = self._place_hold(session)
        except EvroamError:
            # e.g. InsufficientFunds: nothing was held, so nothing is kept and a
            # retry with the same key is a fresh attempt.
            self._sessions.discard_unheld(session.id)
            raise
        placed = self._transition(session.id, HoldPlaced(hold.id))
        if any(isinstance(e, SendStart) for e in placed.effects):
            return self._send_start(placed.session)
        return placed.session

    def stop_charging(
        self, account_id: AccountId, session_id: SessionId
    ) -> ChargingSession:
        """Ask the partner to stop; stopping twice is harmless."""
        session = self.get_session(account_id, session_id)
        if session.status in _STOPPED:
            return session
        if session.status is not SessionStatus.CHARGING:
            raise SessionStateError(f"a {session.status} session cannot be stopped")
        return self._stop(session)

    def _stop(self, session: ChargingSession) -> ChargingSession:
        station, pile = self._locate(session.pile_id)
        partner = self._partners.get_partner(session.operator_id)
        result = self._remote(partner.protocol).stop(
            partner,
            _address(station, pile.external_uid),
            session.id,
            session.partner_session_id,
        )
        if not result.is_accepted:
            # Stopped meanwhile (the hub at the driver's target, another
            # worker): the partner has nothing left to stop; that is no error.
            current = self._sessions.find(session.id)
            if current is not None and current.status in _STOPPED:
                return current
            raise SessionStateError(f"the partner refused to stop: {result.reason}")
        return self._transition(session.id, StopAccepted()).session

    def refund(
        self,
        session_id: SessionId,
        amount: Money,
        source: RefundSource,
        idempotency_key: str,
    ) -> Refund:
        """A credit note for a billed session (e.g. a disputed charge): money back
        to the driver, paid by the partner (we owe it less) or the platform."""
        session = self._sessions.find(session_id)
        if session is None:
            raise SessionNotFoundError(session_id)
        if session.status is not SessionStatus.BILLED:
            raise SessionStateError(
                f"only a billed session is refunded, not {session.status}"
            )
        return self._wallet.refund(session.hold_id, amount, source, idempotency_key)

    # -- partner events ---------------------------------------------------------------
    def handle(
        self, partner_id: OperatorId, event: RemoteEvent
    ) -> ChargingSession | None:
        """Apply one event from a partner; events are idempotent and may repeat.

        A partner speaks only for sessions at its own piles; others are unknown.
        A malformed charge record is ``InvalidChargeRecordError`` (nothing
        stored); an implausible one is disputed, not billed.
        """
        session = self._sessions.find(SessionId(event.ref))
        if session is None or session.operator_id != partner_id:
            raise UnknownSessionError(event.ref)
        change: Event
        if isinstance(event, ChargeRecord):
            plausibility.check_form(event)
            if session.status in (SessionStatus.BILLED, SessionStatus.DISPUTED):
                return session  # billed once; a repeated record changes nothing
            change = self._assess(session, event)
        else:
            change = event
        done = self._transition(session.id, change)
        session = done.session
        wants_stop = any(isinstance(e, SendStop) for e in done.effects) or (
            done.is_change
            and session.status is SessionStatus.CHARGING
            and is_reached(session)
        )
        if wants_stop:
            try:
                return self._stop(session)
            except EvroamError as exc:  # the next progress report tries again
                _log.warning("stopping %s failed: %s", session.id, exc)
        return session

    def chase_starts(self) -> list[ChargingSession]:
        """The start commands' outbox (``charging.outbox``): re-send an
        interrupted start where the protocol allows it, fail the others and the
        starts the partner took but never began, releasing their holds."""
        changed = []
        now = self._clock.now()
        for session in self._sessions.list_requested(OUTBOX_BATCH):
            event = outbox.due(session, now, self._can_resend(session))
            if event is None:
                continue
            try:
                done = self._transition(session.id, event)
                if not done.session.hold_id:
                    done = self._recover_hold(done.session)
                if any(isinstance(e, SendStart) for e in done.effects):
                    self._send_start(done.session)
            except EvroamError as exc:  # the next round tries again
                _log.warning("the outbox could not settle %s: %s", session.id, exc)
                continue
            changed.append(self._sessions.find(session.id) or done.session)
        return changed

    def _recover_hold(self, session: ChargingSession) -> Transition:
        """A session given up before its hold was recorded: a hold placed under
        its key (the first call crashed after placing it) is released."""
        try:
            hold = self._place_hold(session)
        except EvroamError:
            return Transition(session, session)  # nothing was or can be held
        return self._transition(session.id, HoldPlaced(hold.id))

    def _place_hold(self, session: ChargingSession) -> HoldRecord:
        """The session's hold: placed once per session (its key), so placing
        it again answers the hold placed before."""
        return self._wallet.place_hold(
            session.account_id, session.hold_amount, session.id, f"hold:{session.id}"
        )

    def _can_resend(self, session: ChargingSession) -> bool:
        try:
            partner = self._partners.get_partner(session.operator_id)
            return self._remote(partner.protocol).can_resend_start
        except EvroamError:
            return False

    def quote(
        self,
        pile_id: PileId,
        start_at: datetime,
        kwh: Decimal | None = None,
        minutes: int | None = None,
        parking_minutes: int = 0,
        account_id: AccountId | None = None,
    ) -> Bill:
        """Price a planned or finished charge at a pile, line by line; with an
        account, its brand discounts apply."""
        if (kwh is None) == (minutes is None):
            raise InvalidSessionRequestError("kwh", "give either kwh or minutes")
        if start_at.tzinfo is None:
            raise InvalidSessionRequestError("start_at", "must carry a time zone")
        station, pile = self._locate(pile_id)
        power_kw = Decimal(str(pile.max_power_kw or 7.0))
        if kwh is None:
            assert minutes is not None
            kwh = (power_kw * minutes / 60).quantize(Decimal("0.001"))
            duration = timedelta(minutes=minutes)
        else:
            duration = timedelta(hours=float(kwh / power_kw))
        session = ChargeSession.flat(
            start_at, start_at + duration, kwh, parking_minutes
        )
        priced = self._catalogue.priced_tariff(station)
        vehicles = (
            [
                (v.brand, v.delivery_date)
                for v in self._accounts.list_vehicles(account_id)
            ]
            if account_id
            else []
        )
        return quote_for_session(
            priced.tariff,
            station.parking,
            session,
            station.time_zone,
            station.operator_id,
            vehicles,
            self._discounts,
        )

    def expected_hold(self, pile_id: PileId, target_kwh: Decimal | None) -> Money:
        """What starting a charge for ``target_kwh`` (else the default) would hold
        on the wallet: the same figure ``start_charging`` holds now."""
        station, _ = self._locate(pile_id)
        target = target_kwh or DEFAULT_TARGET_KWH
        return self._hold_for(station, pile_id, target, None, None)

    # -- queries ----------------------------------------------------------------------
    def get_session(
        self, account_id: AccountId, session_id: SessionId
    ) -> ChargingSession:
        session = self._sessions.find(session_id)
        if session is None or session.account_id != account_id:
            raise SessionNotFoundError(session_id)  # another's is as good as none
        return session

    def list_sessions(
        self, account_id: AccountId, limit: int = 50
    ) -> Sequence[ChargingSession]:
        return self._sessions.list_for_account(account_id, limit)

    def get_receipt(self, account_id: AccountId, session_id: SessionId) -> Receipt:
        self.get_session(account_id, session_id)
        receipt = self._sessions.find_receipt(session_id)
        if receipt is None:
            raise SessionNotFoundError(f"{session_id} (no receipt yet)")
        return receipt

    def list_receipts(
        self, account_id: AccountId, limit: int = 50
    ) -> Sequence[Receipt]:
        return self._sessions.list_receipts(account_id, limit)

    def list_disputes(
        self, account_id: AccountId, session_id: SessionId
    ) -> Sequence[ChargeDispute]:
        self.get_session(account_id, session_id)
        return self._sessions.list_disputes(session_id)

    # -- internals --------------------------------------------------------------------
    def _transition(self, session_id: SessionId, event: Event) -> Transition:
        """Apply ``event`` with a compare-and-set: read, work out the transition,
        then store it with its money effects in one unit of work; when another
        change was stored first, start again from a fresh read (ADR 0018)."""
        for _ in range(TRANSITION_ATTEMPTS):
            current = self._sessions.find(session_id)
            if current is None:
                raise SessionNotFoundError(session_id)
            done = apply(current, event, self._clock.now())
            if not done.is_change:
                return done
            try:
                with self._sessions.transaction() as tx:
                    stored = self._money_within(tx, done)
                    if tx.save(stored):
                        tx.commit()
                        return Transition(current, stored, done.effects)
            except LedgerContentionError:
                continue
        raise SessionConflictError(f"session {session_id} is changing too fast")

    def _money_within(
        self, tx: SessionTransaction, done: Transition
    ) -> ChargingSession:
        """Run the transition's money effects in ``tx``; the session to store."""
        session = done.session
        for effect in done.effects:
            if isinstance(effect, ReleaseHold):
                self._wallet.release_within(
                    tx.ledger, effect.hold_id, f"release:{session.id}"
                )
            elif isinstance(effect, SettleHold):
                hold = self._wallet.settle_within(
                    tx.ledger,
                    effect.hold_id,
                    effect.partner,
                    effect.discount,
                    session.operator_id,
                    f"settle:{session.id}",
                )
                session = replace(session, hold_id=hold.id)  # a late charge's own
                tx.add_receipt(effect.receipt, effect.charge)
            elif isinstance(effect, OpenDispute):
                tx.open_dispute(effect.dispute)
        return session

    def _send_start(self, session: ChargingSession) -> ChargingSession:
        station, pile = self._locate(session.pile_id)
        partner = self._partners.get_partner(session.operator_id)
        remote = self._remote(partner.protocol)
        try:
            result = remote.start(
                partner,
                _address(station, pile.external_uid),
                session.id,
                session.account_id,
            )
        except EvroamError as exc:  # unreachable partner: nobody will charge
            self._transition(session.id, StartUndeliverable(str(exc)))
            raise
        answer: Event = (
            StartAccepted(result.partner_session_id, result.timeout_s)
            if result.is_accepted
            else StartRefused(result.reason or "refused")
        )
        return self._transition(session.id, answer).session

    def _assess(
        self, session: ChargingSession, record: ChargeRecord
    ) -> RecordPriced | RecordImplausible:
        """A well-formed record re-rated (ADR 0023: the lowest figure is billed,
        a spread above one fen is disputed), or why we will not bill it."""
        station = self._catalogue.find_station(session.station_id)
        if station is None:
            raise SessionStateError(f"station {session.station_id} is gone")
        power = next(
            (p.max_power_kw for p in station.piles if p.id == session.pile_id), None
        )
        found = plausibility.problems(
            record, None if power is None else Decimal(str(power))
        )
        try:
            rating, tariff_ref = self._rerate(session, record, station)
        except EvroamError as exc:
            return RecordImplausible(
                record, (*found, f"cannot price: {exc}"), Money.zero()
            )
        if found:
            return RecordImplausible(record, found, rating.bill.partner_total)
        now = self._clock.now()
        rerated = (
            (rerating_dispute(session, record, rating, tariff_ref, now),)
            if rating.is_disputed
            else ()
        )
        return RecordPriced(record, rating.bill, rerated)

    def _rerate(
        self, session: ChargingSession, record: ChargeRecord, station: Station
    ) -> tuple[Rerating, str]:
        """Every figure of the record (ADR 0023): ours under the tariff version
        in force at the session's start, the CDR's own tariff's, the partner's
        total; the lowest is billed. Also the version's ref, for the dispute."""
        started = session.started_at or record.started_at
        version = self._catalogue.priced_tariff(station, started, session.tariff_id)
        vehicles = [
            (v.brand, v.delivery_date)
            for v in self._accounts.list_vehicles(session.account_id)
        ]

        def priced(tariff: ElementTariff) -> Bill:
            return bill_for_record(
                tariff,
                station.parking,
                record,
                station.time_zone,
                session.operator_id,
                vehicles,
                self._discounts,
            )

        others = [(CDR_TARIFF, priced(t)) for t in record.tariffs[:1]]
        partner_total = Money(record.total_money)
        return rerate(priced(version.tariff), partner_total, others), version.ref

    def _hold_for(
        self,
        station: Station,
        pile_id: PileId,
        kwh: Decimal,
        amount: Money | None,
        at: datetime | None,
    ) -> Money:
        """A money target is the driver's cap: hold exactly that (at least the
        minimum); otherwise the expected price of the energy target."""
        if amount is not None:
            return max(Money(Decimal(math.ceil(amount.amount))), MIN_HOLD)
        return self._estimate(station, pile_id, kwh, at)

    def _estimate(
        self, station: Station, pile_id: PileId, target: Decimal, at: datetime | None
    ) -> Money:
        """What to hold: the target energy at the tariff from ``at`` (None:
        now), whole yuan up."""
        priced = self._catalogue.priced_tariff(station, at)
        start = at or self._clock.now()
        power = next((p.max_power_kw for p in station.piles if p.id == pile_id), 7.0)
        hours = float(target) / max(power, 1.0)
        session = ChargeSession.flat(start, start + timedelta(hours=hours), target)
        bill = quote_charge(priced.tariff, station.parking, session, station.time_zone)
        whole = Money(Decimal(math.ceil(bill.partner_total.amount)))
        return max(whole, MIN_HOLD)

    def _locate(self, pile_id: PileId) -> tuple[Station, Pile]:
        station = self._catalogue.find_station_of_pile(pile_id)
        if station is not None:
            for pile in station.piles:
                if pile.id == pile_id:
                    return station, pile
        raise PileNotFoundError(pile_id)

    def _remote(self, protocol: Protocol) -> RemoteCharging:
        remote = self._remotes.get(protocol)
        if remote is None:
            raise PileUnavailableError(f"remote start is not available over {protocol}")
        return remote


def _address(station: Station, pile_uid: str) -> PileAddress:
    return PileAddress(station.external_id, pile_uid)


def _fingerprint(request: Mapping[str, object]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()

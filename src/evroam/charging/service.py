"""Charging use-cases: start at any partner's pile, follow, stop, bill exactly once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from evroam.accounts.service import AccountService
from evroam.catalogue.model import PileStatus, Protocol
from evroam.catalogue.service import CatalogueService
from evroam.charging import plausibility
from evroam.charging.chase import SessionChaser
from evroam.charging.command import STOPPED, PartnerCommands
from evroam.charging.errors import (
    IdempotencyKeyReusedError,
    InvalidSessionRequestError,
    PileUnavailableError,
    SessionNotFoundError,
    SessionStateError,
)
from evroam.charging.lifecycle import (
    Event,
    HoldPlaced,
    SendStart,
    StartedAtPile,
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
    Wallet,
)
from evroam.charging.pricer import DEFAULT_TARGET_KWH, ChargePricer
from evroam.charging.remote import (
    ChargeRecord,
    RemoteCharging,
    RemoteEvent,
    SessionQuery,
    UnknownSessionError,
    new_session_ref,
)
from evroam.charging.target import ChargeTarget
from evroam.charging.transition import TransitionWriter
from evroam.partners.service import PartnersService
from evroam.pricing.bill import Bill
from evroam.pricing.discount import DiscountRule
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, OperatorId, PileId, SessionId
from evroam.shared.money import Money
from evroam.wallet.ledger import Refund, RefundSource


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
        queries: Mapping[Protocol, SessionQuery] | None = None,
    ) -> None:
        """``new_ref`` makes session refs (tests pass a deterministic one);
        ``queries`` ask partners about a session (those protocols that can)."""
        self._sessions = sessions
        self._wallet = wallet
        self._partners = partners
        self._clock = clock
        self._pricer = ChargePricer(catalogue, accounts, clock, discounts)
        self._locate = self._pricer.locate
        self._transition = TransitionWriter(sessions, wallet, clock)
        self._commands = PartnerCommands(
            sessions, partners, remotes, self._locate, self._transition, queries or {}
        )
        self._chaser = SessionChaser(
            sessions,
            self._commands,
            self._transition,
            self._place_hold,
            self.handle,
            clock,
        )
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
        self._commands.remote(self._partners.get_partner(station.operator_id).protocol)
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
            hold_amount=self._pricer.hold_for(
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
            return self._commands.send_start(placed.session)
        return placed.session

    def stop_charging(
        self, account_id: AccountId, session_id: SessionId
    ) -> ChargingSession:
        """Ask the partner to stop; stopping twice is harmless."""
        session = self.get_session(account_id, session_id)
        if session.status in STOPPED:
            return session
        if session.status is not SessionStatus.CHARGING:
            raise SessionStateError(f"a {session.status} session cannot be stopped")
        return self._commands.stop(session)

    def close_session(
        self, account_id: AccountId, session_id: SessionId
    ) -> ChargingSession:
        """Close a session whose partner went silent (``charging.silence``): its
        hold is released, a STOP sent; its record, if it comes, is billed as a
        late charge (ADR 0021). Closing twice is harmless."""
        return self._chaser.close(self.get_session(account_id, session_id))

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

    def adopt_started_session(
        self,
        partner_id: OperatorId,
        ref: SessionId,
        account_id: AccountId,
        pile_id: PileId,
        partner_session_id: str,
        started_at: datetime,
    ) -> ChargingSession:
        """A session the partner started itself for a token the hub authorized
        (ADR 0043; ``ref`` is the authorization reference the hub issued): the
        hub's session is made CHARGING with the hold a remote start would place,
        and no start command goes out. Repeated calls answer the same session.
        A hold the wallet cannot place is refused (``InsufficientFunds``),
        nothing kept."""
        known = self._sessions.find(ref)
        if known is not None and known.operator_id != partner_id:
            raise UnknownSessionError(ref)
        if known is None:
            station, _ = self._locate(pile_id)
            if station.operator_id != partner_id:
                raise UnknownSessionError(ref)
            draft = ChargingSession(
                id=ref,
                account_id=account_id,
                operator_id=partner_id,
                station_id=station.id,
                pile_id=pile_id,
                status=SessionStatus.REQUESTED,
                hold_id="",
                hold_amount=self._pricer.hold_for(
                    station, pile_id, DEFAULT_TARGET_KWH, None, None
                ),
                created_at=self._clock.now(),
                tariff_id=station.tariff_id,
            )
            fingerprint = _fingerprint({"pile_id": pile_id, "adopted": ref})
            known = self._sessions.add(draft, f"adopted:{ref}", fingerprint)
        if known.hold_id or known.status is not SessionStatus.REQUESTED:
            return known
        try:
            hold = self._place_hold(known)
        except EvroamError:
            self._sessions.discard_unheld(known.id)
            raise
        started = StartedAtPile(hold.id, partner_session_id, started_at)
        return self._transition(known.id, started).session

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
            change = self._pricer.assess(session, event)
        else:
            change = event
        return self._commands.follow_up(self._transition(session.id, change))

    def chase_starts(self) -> list[ChargingSession]:
        """The start commands' outbox (``charging.chase``), each maintenance round."""
        return self._chaser.chase_starts()

    def chase_silent(self) -> list[ChargingSession]:
        """Ask partners about the sessions they went silent on (``charging.chase``)."""
        return self._chaser.chase_silent()

    def _place_hold(self, session: ChargingSession) -> HoldRecord:
        """The session's hold: placed once per session (its key), so placing
        it again answers the hold placed before."""
        return self._wallet.place_hold(
            session.account_id, session.hold_amount, session.id, f"hold:{session.id}"
        )

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
        return self._pricer.quote(
            pile_id, start_at, kwh, minutes, parking_minutes, account_id
        )

    def expected_hold(self, pile_id: PileId, target_kwh: Decimal | None) -> Money:
        """What starting a charge for ``target_kwh`` (else the default) would hold
        on the wallet: the same figure ``start_charging`` holds now."""
        return self._pricer.expected_hold(pile_id, target_kwh)

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


def _fingerprint(request: Mapping[str, object]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()

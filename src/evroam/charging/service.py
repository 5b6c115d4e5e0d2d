"""Charging use-cases: start at any partner's pile, follow, stop, bill exactly once."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from evroam.accounts.service import AccountService
from evroam.catalogue.model import Pile, PileStatus, Protocol, Station
from evroam.catalogue.service import CatalogueService
from evroam.charging.errors import (
    InvalidSessionRequestError,
    PileNotFoundError,
    PileUnavailableError,
    SessionNotFoundError,
    SessionStateError,
)
from evroam.charging.model import (
    ChargingSession,
    Receipt,
    SessionStatus,
)
from evroam.charging.ports import DisputeStore, SessionStore, Wallet
from evroam.charging.receipt import (
    bill_for_record,
    billed_charge,
    quote_for_session,
    receipt_for,
    rerating_dispute,
)
from evroam.charging.remote import (
    ChargeRecord,
    PileAddress,
    RemoteCharging,
    RemoteEvent,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    StopRejected,
    UnknownSessionError,
    new_session_ref,
)
from evroam.charging.rerate import CDR_TARIFF, Rerating, rerate
from evroam.charging.target import ChargeTarget, is_reached
from evroam.partners.model import Partner
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
from evroam.wallet.ledger import Refund, RefundSource

DEFAULT_TARGET_KWH = Decimal(40)
_log = logging.getLogger(__name__)
MIN_HOLD = Money.of(20)
_STOPPED = (SessionStatus.STOPPING, SessionStatus.ENDED, SessionStatus.BILLED)


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
        start_timeout: timedelta = timedelta(minutes=3),
        disputes: DisputeStore | None = None,
    ) -> None:
        self._sessions = sessions
        self._wallet = wallet
        self._catalogue = catalogue
        self._partners = partners
        self._accounts = accounts
        self._remotes = remotes
        self._clock = clock
        self._discounts = tuple(discounts)
        self._start_timeout = start_timeout
        self._disputes = disputes

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
        same key return the same session and never hold or start twice. The hub
        stops the session when a target is reached (``charging.target``).

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
        target = target_kwh or DEFAULT_TARGET_KWH
        station, pile = self._locate(pile_id)
        pile_uid = pile.external_uid
        # Who we would ask, checked before any money moves.
        partner = self._partners.get_partner(station.operator_id)
        remote = self._remote(partner.protocol)
        fingerprint = _fingerprint({"pile_id": pile_id, **goal.fingerprint()})
        draft = ChargingSession(
            id=SessionId(new_session_ref()),
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
        if session.id != draft.id or session.hold_id:
            return session  # a retry: the first call did (or is doing) the work
        if occurred_at is None and pile.status is not PileStatus.AVAILABLE:
            # Checked after the key: a retry finds its session whatever the
            # pile does now (the car may be charging on it).
            self._sessions.discard_unheld(session.id)
            raise PileUnavailableError(f"pile {pile_id} is {pile.status}")
        try:
            hold = self._wallet.place_hold(
                account_id, session.hold_amount, session.id, f"hold:{session.id}"
            )
        except EvroamError:
            # e.g. InsufficientFunds: nothing was held, so nothing is kept and a
            # retry with the same key is a fresh attempt.
            self._sessions.discard_unheld(session.id)
            raise
        session = replace(session, hold_id=hold.id)
        self._sessions.update(session)
        return self._send_start(session, remote, partner, station, pile_uid)

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
        pile_uid = pile.external_uid
        partner = self._partners.get_partner(session.operator_id)
        result = self._remote(partner.protocol).stop(
            partner, _address(station, pile_uid), session.id, session.partner_session_id
        )
        if not result.is_accepted:
            # Stopped meanwhile (the hub at the driver's target, another
            # worker): the partner has nothing left to stop; that is no error.
            current = self._sessions.find(session.id)
            if current is not None and current.status in _STOPPED:
                return current
            raise SessionStateError(f"the partner refused to stop: {result.reason}")
        stopping = replace(session, status=SessionStatus.STOPPING)
        self._sessions.update(stopping)
        return stopping

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
        """
        session = self._sessions.find(SessionId(event.ref))
        if session is None or session.operator_id != partner_id:
            raise UnknownSessionError(event.ref)
        if isinstance(event, ChargeRecord):
            return self._bill(session, event)
        updated = _after(session, event)
        if updated is None:
            return session
        if updated.status is SessionStatus.REJECTED:
            self._release(updated)
        self._sessions.update(updated)
        if updated.status is SessionStatus.CHARGING and is_reached(updated):
            try:
                return self._stop(updated)
            except EvroamError as exc:  # the next progress report tries again
                _log.warning("stopping %s at its target failed: %s", updated.id, exc)
        return updated

    def fail_abandoned(self) -> list[ChargingSession]:
        """Sessions the partner never started in time: release their holds."""
        failed = []
        cutoff = self._clock.now() - self._start_timeout
        for session in self._sessions.open_created_before(cutoff):
            if session.status is not SessionStatus.REQUESTED:
                continue
            gone = replace(
                session, status=SessionStatus.FAILED, reason="the partner never started"
            )
            self._release(gone)
            self._sessions.update(gone)
            failed.append(gone)
        return failed

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

    # -- internals --------------------------------------------------------------------
    def _send_start(
        self,
        session: ChargingSession,
        remote: RemoteCharging,
        partner: Partner,
        station: Station,
        pile_uid: str,
    ) -> ChargingSession:
        try:
            result = remote.start(
                partner, _address(station, pile_uid), session.id, session.account_id
            )
        except EvroamError as exc:  # unreachable partner: nobody will charge
            failed = replace(session, status=SessionStatus.FAILED, reason=str(exc))
            self._release(failed)
            self._sessions.update(failed)
            raise
        if result.is_accepted:
            updated = replace(session, partner_session_id=result.partner_session_id)
        else:
            updated = replace(
                session,
                status=SessionStatus.REJECTED,
                reason=result.reason or "refused",
            )
            self._release(updated)
        self._sessions.update(updated)
        return updated

    def _bill(self, session: ChargingSession, record: ChargeRecord) -> ChargingSession:
        if session.status is SessionStatus.BILLED:
            return session
        rating, tariff_ref = self._rerate(session, record)
        bill = rating.bill
        self._wallet.settle_hold(
            session.hold_id,
            bill.partner_total,
            bill.discount_total,
            session.operator_id,
            f"settle:{session.id}",
        )
        now = self._clock.now()
        billed = replace(
            session,
            status=SessionStatus.BILLED,
            kwh=record.kwh,
            started_at=session.started_at or record.started_at,
            ended_at=session.ended_at or record.ended_at,
        )
        receipt = receipt_for(billed, record, bill, now)
        self._sessions.bill(billed, receipt, billed_charge(billed, record, bill, now))
        if rating.is_disputed and self._disputes is not None:
            self._disputes.open(
                rerating_dispute(billed, record, rating, tariff_ref, now)
            )
        return billed

    def _rerate(
        self, session: ChargingSession, record: ChargeRecord
    ) -> tuple[Rerating, str]:
        """Every figure of the record (ADR 0023): ours under the tariff version
        in force at the session's start, the CDR's own tariff's, the partner's
        total; the lowest is billed. Also the version's ref, for the dispute."""
        station = self._catalogue.find_station(session.station_id)
        if station is None:
            raise SessionStateError(f"station {session.station_id} is gone")
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

    def _release(self, session: ChargingSession) -> None:
        if session.hold_id:
            self._wallet.release_hold(session.hold_id, f"release:{session.id}")

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


def _after(session: ChargingSession, event: RemoteEvent) -> ChargingSession | None:
    """The session after a status event, or None when it changes nothing."""
    status = session.status
    if isinstance(event, SessionStarted) and status is SessionStatus.REQUESTED:
        return replace(
            session,
            status=SessionStatus.CHARGING,
            started_at=event.started_at,
            partner_session_id=event.partner_session_id,
        )
    if isinstance(event, SessionRejected) and status is SessionStatus.REQUESTED:
        return replace(session, status=SessionStatus.REJECTED, reason=event.reason)
    if isinstance(event, SessionProgress) and status in (
        SessionStatus.CHARGING,
        SessionStatus.STOPPING,
    ):
        if session.progress_at is not None and event.at <= session.progress_at:
            return None  # an older report arrived late
        cost = (
            None
            if event.cost_so_far_fen is None
            else Money.from_fen(event.cost_so_far_fen)
        )
        return replace(
            session,
            kwh=event.kwh,
            power_kw=event.power_kw,
            soc=event.soc,
            cost_so_far=cost,
            progress_at=event.at,
        )
    if isinstance(event, SessionEnded) and status.is_open:
        return replace(session, status=SessionStatus.ENDED, ended_at=event.ended_at)
    if isinstance(event, StopRejected) and status is SessionStatus.STOPPING:
        return replace(session, status=SessionStatus.CHARGING)
    return None


def _address(station: Station, pile_uid: str) -> PileAddress:
    return PileAddress(station.external_id, pile_uid)


def _fingerprint(request: Mapping[str, object]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()

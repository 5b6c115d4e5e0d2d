"""The charging session as an aggregate: every change is one pure transition.

``apply(session, event, now)`` answers the session after the event and the
effects the change asks for. The charging service stores the new session with
a compare-and-set on ``version`` in the same unit of work as the money effects
(settle, release), and retries from a fresh read when another change won; so
no interleaving of driver actions, partner messages (duplicated, late, out of
order), timeouts and restarts can take a session back or move its money twice
(ADR 0018)::

    REQUESTED ──started / progress──> CHARGING ──stop accepted──> STOPPING
      │                                  │ ended                      │ ended
      │                                  └─────────> ENDED <──────────┘
      ├── refused / rejected ──> REJECTED   (hold released)
      ├── undeliverable / timed out ──> FAILED   (hold released)
      └── any state but BILLED / DISPUTED ──record──> BILLED | DISPUTED

    CHARGING | STOPPING | ENDED ──the driver closes (partner silent)──> CLOSED
                                                         (hold released)

Rules that keep money safe:

- once the partner said the car charges (started, progress, ended), nothing
  releases its hold: a late rejection or a start timeout changes nothing;
- a session whose hold was released (rejected, failed, closed by the driver
  while its partner was silent) and that starts or charges after all is
  stopped, and its record is still billed, from the wallet (the overrun cap
  bounds it; ADR 0021);
- a record is billed once: BILLED and DISPUTED take no other record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from evroam.charging.model import (
    BilledCharge,
    ChargeDispute,
    ChargingSession,
    DisputeReason,
    Receipt,
    SessionStatus,
)
from evroam.charging.receipt import billed_charge, overrun_cap, receipt_for
from evroam.charging.remote import (
    ChargeRecord,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    StopRejected,
)
from evroam.pricing.bill import Bill
from evroam.shared.money import Money

# --- events the hub itself causes ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldPlaced:
    """The wallet holds the estimate: the start command leaves the outbox now."""

    hold_id: str


@dataclass(frozen=True, slots=True)
class StartedAtPile:
    """The partner started the session itself, for a token the hub authorized
    (ADR 0043): the hold is placed, no start command goes out."""

    hold_id: str
    partner_session_id: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class StartAccepted:
    """The partner took the start command (it has not started yet)."""

    partner_session_id: str | None
    timeout_s: int | None


@dataclass(frozen=True, slots=True)
class StartRefused:
    """The partner answered the start command with a refusal."""

    reason: str


@dataclass(frozen=True, slots=True)
class StartUndeliverable:
    """The start command cannot be delivered (partner unreachable, or the hub
    stopped while sending it and the protocol cannot safely send it again)."""

    reason: str


@dataclass(frozen=True, slots=True)
class StartResent:
    """The outbox sends the start command again (T/CEC: same StartChargeSeq)."""


@dataclass(frozen=True, slots=True)
class StartTimedOut:
    """The partner took the start but never started within its time."""

    reason: str


@dataclass(frozen=True, slots=True)
class StopAccepted:
    """The partner took a stop command."""


@dataclass(frozen=True, slots=True)
class PartnerAnswered:
    """The partner answered the hub's status query (``charging.silence``)."""


@dataclass(frozen=True, slots=True)
class ClosedByDriver:
    """The driver closed a session its partner went silent on (ADR 0021)."""


@dataclass(frozen=True, slots=True)
class RecordPriced:
    """A plausible charge record with the bill to charge (re-rated, ADR 0023)
    and the disputes re-rating opened, stored with the bill."""

    record: ChargeRecord
    bill: Bill
    disputes: tuple[ChargeDispute, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordImplausible:
    """A well-formed record we do not bill (``charging.plausibility``)."""

    record: ChargeRecord
    problems: tuple[str, ...]
    ours: Money  # what our tariff makes of it (zero when it cannot be priced)


PartnerEvent = (
    SessionStarted | SessionRejected | SessionProgress | SessionEnded | StopRejected
)
Event = (
    PartnerEvent
    | HoldPlaced
    | StartedAtPile
    | StartAccepted
    | StartRefused
    | StartUndeliverable
    | StartResent
    | StartTimedOut
    | StopAccepted
    | PartnerAnswered
    | ClosedByDriver
    | RecordPriced
    | RecordImplausible
)


# --- effects ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseHold:
    hold_id: str


@dataclass(frozen=True, slots=True)
class SettleHold:
    """Charge the driver from the hold (or the wallet if the hold is gone):
    the partner is owed ``partner``, the platform pays ``discount``."""

    hold_id: str
    partner: Money
    discount: Money
    receipt: Receipt
    charge: BilledCharge


@dataclass(frozen=True, slots=True)
class OpenDispute:
    dispute: ChargeDispute


@dataclass(frozen=True, slots=True)
class SendStart:
    """Send (or re-send) the start command; its answer is the next event."""


@dataclass(frozen=True, slots=True)
class SendStop:
    """Ask the partner to stop (a car charging on a session we gave up)."""


Effect = ReleaseHold | SettleHold | OpenDispute | SendStart | SendStop
MONEY_EFFECTS = (ReleaseHold, SettleHold, OpenDispute)


@dataclass(frozen=True, slots=True)
class Transition:
    """The session after an event (``version`` bumped when it changed)."""

    before: ChargingSession
    session: ChargingSession
    effects: tuple[Effect, ...] = ()

    @property
    def is_change(self) -> bool:
        return self.session is not self.before


_STARTED = {
    SessionStatus.CHARGING,
    SessionStatus.STOPPING,
    SessionStatus.ENDED,
}
_FINAL = {SessionStatus.BILLED, SessionStatus.DISPUTED}
_GAVE_UP = {SessionStatus.REJECTED, SessionStatus.FAILED, SessionStatus.CLOSED}
_CLOSABLE = {SessionStatus.CHARGING, SessionStatus.STOPPING, SessionStatus.ENDED}


def dispute_id(session: ChargingSession, reason: DisputeReason) -> str:
    """A session's record is judged once, so one dispute of a reason per session."""
    return f"dsp_{session.id}_{reason.value}"


def apply(session: ChargingSession, event: Event, now: datetime) -> Transition:
    """The transition ``event`` makes; no change (``is_change`` False) when the
    event is a duplicate, stale, or comes too late to matter."""
    if isinstance(event, RecordPriced | RecordImplausible):
        return _record(session, event, now)
    if isinstance(event, PartnerEvent):
        changed = _partner(session, event)
        if changed is None:
            return Transition(session, session)
        updated, effects = changed
        return _changed(session, replace(updated, last_heard_at=now), effects)
    return _hub(session, event, now)


def _changed(
    before: ChargingSession, after: ChargingSession, effects: tuple[Effect, ...] = ()
) -> Transition:
    return Transition(before, replace(after, version=before.version + 1), effects)


def _release(session: ChargingSession) -> tuple[Effect, ...]:
    return (ReleaseHold(session.hold_id),) if session.hold_id else ()


def _hub(session: ChargingSession, event: Event, now: datetime) -> Transition:
    status = session.status
    requested = status is SessionStatus.REQUESTED
    if isinstance(event, HoldPlaced):
        return _hold_placed(session, event, now)
    if isinstance(event, StartedAtPile):
        return _started_at_pile(session, event, now)
    if isinstance(event, StartAccepted) and requested:
        if session.start_acknowledged_at is not None:
            return Transition(session, session)
        return _changed(
            session,
            replace(
                session,
                partner_session_id=session.partner_session_id
                or event.partner_session_id,
                start_acknowledged_at=now,
                start_timeout_s=event.timeout_s,
            ),
        )
    if isinstance(event, StartRefused) and requested:
        gone = replace(session, status=SessionStatus.REJECTED, reason=event.reason)
        return _changed(session, gone, _release(session))
    if isinstance(event, StartUndeliverable | StartTimedOut) and requested:
        gone = replace(session, status=SessionStatus.FAILED, reason=event.reason)
        return _changed(session, gone, _release(session))
    if isinstance(event, StartResent) and requested and session.hold_id:
        if session.start_acknowledged_at is not None:
            return Transition(session, session)
        again = replace(
            session, start_sent_at=now, start_attempts=session.start_attempts + 1
        )
        return _changed(session, again, (SendStart(),))
    if isinstance(event, StopAccepted) and status is SessionStatus.CHARGING:
        return _changed(session, replace(session, status=SessionStatus.STOPPING))
    return _silence(session, event, now)


def _silence(session: ChargingSession, event: Event, now: datetime) -> Transition:
    """The hub chasing a silent partner, and the driver closing (ADR 0021)."""
    status = session.status
    if isinstance(event, PartnerAnswered) and status not in _FINAL:
        return _changed(session, replace(session, last_heard_at=now))
    if isinstance(event, ClosedByDriver) and status in _CLOSABLE:
        closed = replace(session, status=SessionStatus.CLOSED, closed_at=now)
        return _changed(session, closed, _release(session))
    return Transition(session, session)


def _started_at_pile(
    session: ChargingSession, event: StartedAtPile, now: datetime
) -> Transition:
    if session.status is not SessionStatus.REQUESTED or session.hold_id:
        return Transition(session, session)  # adopted before (a repeated PUT)
    charging = replace(
        session,
        status=SessionStatus.CHARGING,
        hold_id=event.hold_id,
        partner_session_id=event.partner_session_id,
        started_at=event.started_at,
        start_acknowledged_at=now,
    )
    return _changed(session, charging)


def _hold_placed(
    session: ChargingSession, event: HoldPlaced, now: datetime
) -> Transition:
    if session.hold_id:
        return Transition(session, session)  # placed before (a retry)
    held = replace(session, hold_id=event.hold_id)
    if session.status is not SessionStatus.REQUESTED:
        # It was given up while its hold was being placed: give the hold back.
        return _changed(session, held, (ReleaseHold(event.hold_id),))
    sending = replace(held, start_sent_at=now, start_attempts=1)
    return _changed(session, sending, (SendStart(),))


def _partner(
    session: ChargingSession, event: PartnerEvent
) -> tuple[ChargingSession, tuple[Effect, ...]] | None:
    """The session after a partner's status message, or None for no change."""
    status = session.status
    if status in _FINAL:
        return None
    if isinstance(event, SessionStarted):
        return _started(session, event)
    if isinstance(event, SessionRejected):
        if status is not SessionStatus.REQUESTED:
            return None  # it charges (or was given up): a late rejection
        gone = replace(session, status=SessionStatus.REJECTED, reason=event.reason)
        return gone, _release(session)
    if isinstance(event, SessionProgress):
        return _progress(session, event)
    if isinstance(event, SessionEnded):
        if status in _GAVE_UP or status is SessionStatus.ENDED:
            return None
        return replace(session, status=SessionStatus.ENDED, ended_at=event.ended_at), ()
    if status is SessionStatus.STOPPING:  # StopRejected: it goes on charging
        return replace(session, status=SessionStatus.CHARGING), ()
    return None


def _started(
    session: ChargingSession, event: SessionStarted
) -> tuple[ChargingSession, tuple[Effect, ...]] | None:
    status = session.status
    known = replace(
        session,
        started_at=session.started_at or event.started_at,
        partner_session_id=session.partner_session_id or event.partner_session_id,
    )
    if status is SessionStatus.REQUESTED:
        return replace(known, status=SessionStatus.CHARGING), ()
    if known == session:
        return None  # a repeated push
    if status in _GAVE_UP:
        # Started after we released its hold: stop the car (its record is
        # still billed, within the overrun cap).
        return known, (SendStop(),)
    return known, ()


def _progress(
    session: ChargingSession, event: SessionProgress
) -> tuple[ChargingSession, tuple[Effect, ...]] | None:
    status = session.status
    if status in _GAVE_UP - {SessionStatus.CLOSED} or status is SessionStatus.ENDED:
        return None
    if session.progress_at is not None and event.at <= session.progress_at:
        return None  # an older report arrived late
    # Charging on after the driver closed it: its hold is gone, stop the car.
    stop: tuple[Effect, ...] = (SendStop(),) if status is SessionStatus.CLOSED else ()
    cost = (
        None if event.cost_so_far_fen is None else Money.from_fen(event.cost_so_far_fen)
    )
    moved = replace(
        session,
        # progress before the start result: the car charges
        status=SessionStatus.CHARGING if status is SessionStatus.REQUESTED else status,
        kwh=event.kwh,
        power_kw=event.power_kw,
        soc=event.soc,
        cost_so_far=cost,
        progress_at=event.at,
    )
    return moved, stop


def _record(
    session: ChargingSession, event: RecordPriced | RecordImplausible, now: datetime
) -> Transition:
    if session.status in _FINAL:
        return Transition(session, session)  # billed (or disputed) once
    record = event.record
    ended = replace(
        session,
        kwh=record.kwh,
        started_at=session.started_at or record.started_at,
        ended_at=session.ended_at or record.ended_at,
        last_heard_at=now,
    )
    if isinstance(event, RecordImplausible):
        dispute = ChargeDispute(
            id=dispute_id(session, DisputeReason.IMPLAUSIBLE),
            operator_id=session.operator_id,
            session_id=session.id,
            partner_record_id=record.partner_record_id,
            reason=DisputeReason.IMPLAUSIBLE,
            figures=(("ours", event.ours), ("partner", Money(record.total_money))),
            billed=None,
            opened_at=now,
            detail="; ".join(event.problems),
        )
        disputed = replace(ended, status=SessionStatus.DISPUTED)
        return _changed(session, disputed, (OpenDispute(dispute),))
    return _billed(session, replace(ended, status=SessionStatus.BILLED), event, now)


def _billed(
    session: ChargingSession,
    billed: ChargingSession,
    event: RecordPriced,
    now: datetime,
) -> Transition:
    bill, record = event.bill, event.record
    ceiling = session.hold_amount + overrun_cap(session.hold_amount)
    excess = max(Money.zero(bill.currency), bill.driver_total - ceiling)
    receipt = receipt_for(billed, record, bill, now, excess)
    effects: list[Effect] = [
        SettleHold(
            session.hold_id,
            bill.partner_total - excess,
            bill.discount_total,
            receipt,
            billed_charge(billed, record, bill, now, excess),
        ),
        *(OpenDispute(d) for d in event.disputes),
    ]
    if excess.amount > 0:
        dispute = ChargeDispute(
            id=dispute_id(session, DisputeReason.OVERRUN),
            operator_id=session.operator_id,
            session_id=session.id,
            partner_record_id=record.partner_record_id,
            reason=DisputeReason.OVERRUN,
            figures=(
                ("ours", bill.partner_total),
                ("partner", Money(record.total_money)),
                ("hold_plus_cap", ceiling),
            ),
            billed=receipt.driver_total,
            opened_at=now,
            detail=f"the driver's price {bill.driver_total.amount} is above the hold"
            f" {session.hold_amount.amount} plus the overrun cap"
            f" {overrun_cap(session.hold_amount).amount}: {excess.amount} not charged",
        )
        effects.append(OpenDispute(dispute))
    return _changed(session, billed, tuple(effects))


__all__ = [
    "MONEY_EFFECTS",
    "ClosedByDriver",
    "Effect",
    "Event",
    "HoldPlaced",
    "OpenDispute",
    "PartnerAnswered",
    "PartnerEvent",
    "RecordImplausible",
    "RecordPriced",
    "ReleaseHold",
    "SendStart",
    "SendStop",
    "SettleHold",
    "StartAccepted",
    "StartRefused",
    "StartResent",
    "StartTimedOut",
    "StartUndeliverable",
    "StartedAtPile",
    "StopAccepted",
    "Transition",
    "apply",
    "dispute_id",
]

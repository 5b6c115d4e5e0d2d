"""The start command's outbox: what is due for a session still waiting to start.

A session in REQUESTED with its hold placed has a start command in the outbox
(``start_sent_at``). The answer settles it (``StartAccepted`` / ``StartRefused``
/ ``StartUndeliverable``); when the hub stopped before hearing one, or the
partner took the start and never started, the outbox decides (ADR 0018):

- never acknowledged and no longer in flight (``IN_FLIGHT``, longer than a
  partner call may take): sent again where the protocol makes that safe
  (T/CEC: the same StartChargeSeq), else failed with the hold released;
- acknowledged: the partner has max(its own timeout, ``MIN_START_WAIT``) to
  start, then the session fails with the hold released.

Run every few seconds (the maintenance loop), this fails or re-sends an
interrupted start within a minute of a restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from evroam.charging.lifecycle import (
    Event,
    StartResent,
    StartTimedOut,
    StartUndeliverable,
)
from evroam.charging.model import ChargingSession, SessionStatus

IN_FLIGHT = timedelta(seconds=30)  # > the partner call timeout (20 s)
MIN_START_WAIT = timedelta(seconds=60)
MAX_START_SENDS = 3


def start_wait(session: ChargingSession) -> timedelta:
    """How long a partner that took the start may take to start it."""
    return max(timedelta(seconds=session.start_timeout_s or 0), MIN_START_WAIT)


def due(session: ChargingSession, now: datetime, can_resend: bool) -> Event | None:
    """What the outbox does now for ``session`` (None: wait)."""
    if session.status is not SessionStatus.REQUESTED:
        return None
    acknowledged = session.start_acknowledged_at
    if acknowledged is not None:
        if now < acknowledged + start_wait(session):
            return None
        seconds = int(start_wait(session).total_seconds())
        return StartTimedOut(
            f"the partner took the start but did not start in {seconds} s"
        )
    sent = session.start_sent_at or session.created_at
    if now < sent + IN_FLIGHT:
        return None  # maybe still being sent
    if not session.hold_id:
        return StartUndeliverable("the hub stopped before the hold was placed")
    if can_resend and session.start_attempts < MAX_START_SENDS:
        return StartResent()
    return StartUndeliverable("the start was interrupted and cannot be sent again")


__all__ = ["IN_FLIGHT", "MAX_START_SENDS", "MIN_START_WAIT", "due", "start_wait"]

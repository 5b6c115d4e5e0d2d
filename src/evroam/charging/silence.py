"""A partner gone silent on a session: when the hub asks, when the driver may close.

A partner tells the hub how a session goes: T/CEC pushes
notification_equip_charge_status every 15-60 s while a car charges, OCPI CPOs
PATCH the Session as energy flows. When nothing has come for ``SILENT_AFTER``
(the partner's platform restarted, a network between us broke) the hub chases
the session every ``CHASE_EVERY``: T/CEC asks query_equip_charge_status; OCPI
2.2.1 gives an eMSP no GET of one session at the CPO (the Sessions sender
interface only lists by date), so an OCPI session is only waited for.

After ``CLOSE_AFTER`` of silence the driver may close the session
(``ChargingService.close_session``): the hub sends a STOP (best effort),
releases the hold, and the session is CLOSED; a record that arrives later is
still billed, from the wallet as a late charge within the overrun cap
(ADR 0007, ADR 0021).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from evroam.charging.model import ChargingSession, SessionStatus

SILENT_AFTER = timedelta(minutes=5)
CHASE_EVERY = timedelta(minutes=2)
CLOSE_AFTER = timedelta(minutes=15)
WAITING = frozenset(
    {SessionStatus.CHARGING, SessionStatus.STOPPING, SessionStatus.ENDED}
)
"""States in which the hub waits on the partner: progress, the end, the record."""


def heard_at(session: ChargingSession) -> datetime:
    """When the partner last spoke of ``session`` (its start, if never since)."""
    return session.last_heard_at or session.started_at or session.created_at


def is_silent(session: ChargingSession, now: datetime) -> bool:
    return session.status in WAITING and now - heard_at(session) >= SILENT_AFTER


def closable_at(session: ChargingSession) -> datetime:
    """From when the driver may close ``session``, if its partner stays silent."""
    return heard_at(session) + CLOSE_AFTER


__all__ = [
    "CHASE_EVERY",
    "CLOSE_AFTER",
    "SILENT_AFTER",
    "WAITING",
    "closable_at",
    "heard_at",
    "is_silent",
]

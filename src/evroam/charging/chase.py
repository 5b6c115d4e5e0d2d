"""Chasing what a partner left unsaid: the start commands' outbox, silent partners.

Run each maintenance round (the feed watcher's chores, on the lease holder):
``chase_starts`` settles starts never answered (``charging.outbox``),
``chase_silent`` asks partners about sessions they went silent on
(``charging.silence``); ``close`` is the driver's way out of one (ADR 0021).
Where the protocol can ask (T/CEC query_equip_charge_status) the partner is
asked before a start is re-sent or failed, and before a session is closed: its
answer is heard like a notification.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from evroam.charging import outbox, silence
from evroam.charging.command import PartnerCommands
from evroam.charging.errors import SessionStateError
from evroam.charging.lifecycle import (
    ClosedByDriver,
    Event,
    HoldPlaced,
    PartnerAnswered,
    SendStart,
    Transition,
)
from evroam.charging.model import ChargingSession, SessionStatus
from evroam.charging.ports import HoldRecord, SessionStore
from evroam.charging.remote import RemoteEvent
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import OperatorId, SessionId

_log = logging.getLogger(__name__)
OUTBOX_BATCH = 500
Hear = Callable[[OperatorId, RemoteEvent], ChargingSession | None]


class SessionChaser:
    """The outbox and the silent-partner chase (state: when each session was
    last asked, in memory: a restart only asks sooner)."""

    def __init__(
        self,
        sessions: SessionStore,
        commands: PartnerCommands,
        transition: Callable[[SessionId, Event], Transition],
        place_hold: Callable[[ChargingSession], HoldRecord],
        hear: Hear,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._commands = commands
        self._transition = transition
        self._place_hold = place_hold
        self._hear = hear
        self._clock = clock
        self._asked: dict[SessionId, datetime] = {}

    def chase_starts(self) -> list[ChargingSession]:
        """The start commands' outbox (``charging.outbox``): re-send an
        interrupted start where the protocol allows it, fail the others and the
        starts the partner took but never began, releasing their holds; the
        partner is asked first where it can be (it may have started)."""
        changed = []
        now = self._clock.now()
        for session in self._sessions.list_requested(OUTBOX_BATCH):
            event = outbox.due(session, now, self._commands.can_resend(session))
            if event is None:
                continue
            try:
                self.ask(session)  # a start it began is no longer in the outbox
                done = self._transition(session.id, event)
                if not done.session.hold_id:
                    done = self._recover_hold(done.session)
                if any(isinstance(e, SendStart) for e in done.effects):
                    self._commands.send_start(done.session)
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

    def chase_silent(self) -> list[ChargingSession]:
        """Ask the partner about each session it has been silent on for
        ``SILENT_AFTER``, at most every ``CHASE_EVERY``; the sessions whose
        partner answered."""
        now = self._clock.now()
        self._asked = {
            ref: at for ref, at in self._asked.items() if now - at < silence.CHASE_EVERY
        }
        answered = []
        heard_before = now - silence.SILENT_AFTER
        for session in self._sessions.list_silent(heard_before, OUTBOX_BATCH):
            if session.id in self._asked:
                continue
            self._asked[session.id] = now
            try:
                if self.ask(session):
                    answered.append(self._sessions.find(session.id) or session)
            except EvroamError as exc:  # the next round tries again
                _log.warning("chasing %s failed: %s", session.id, exc)
        return answered

    def ask(self, session: ChargingSession) -> bool:
        """Ask the partner about ``session`` and hear its answer; False when it
        could not be asked or did not answer."""
        events = self._commands.ask(session)
        if not events:
            return False
        for event in events:
            self._hear(session.operator_id, event)
        self._transition(session.id, PartnerAnswered())
        return True

    def close(self, session: ChargingSession) -> ChargingSession:
        """The driver closes a session its partner went silent on (ADR 0021):
        asked once more, then CLOSED with its hold released, and the car sent
        a STOP; a record that comes later is billed as a late charge."""
        if session.status is SessionStatus.CLOSED:
            return session
        if session.status not in silence.WAITING:
            raise SessionStateError(
                f"a {session.status} session is not waiting on its partner;"
                " only one whose partner went silent is closed"
            )
        now = self._clock.now()
        if now < silence.closable_at(session):
            raise SessionStateError(
                "the partner last spoke of this session at"
                f" {silence.heard_at(session):%Y-%m-%d %H:%M:%S} UTC; it may be"
                f" closed from {silence.closable_at(session):%H:%M:%S} UTC if it"
                " stays silent (stop it instead)"
            )
        if self.ask(session):
            raise SessionStateError(
                "the partner answered for this session now: it is not silent"
                " (stop it instead; its record follows)"
            )
        done = self._transition(session.id, ClosedByDriver())
        if done.is_change and done.before.status is not SessionStatus.ENDED:
            try:  # best effort: the partner has not been answering
                self._commands.stop(done.session)
            except EvroamError as exc:
                _log.info("the stop of closed %s was not taken: %s", session.id, exc)
        return self._sessions.find(session.id) or done.session


__all__ = ["OUTBOX_BATCH", "SessionChaser"]

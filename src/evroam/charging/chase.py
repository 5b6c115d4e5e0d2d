"""Chasing what a partner left unsaid: the start commands' outbox."""

from __future__ import annotations

import logging
from collections.abc import Callable

from evroam.charging import outbox
from evroam.charging.command import PartnerCommands
from evroam.charging.lifecycle import Event, HoldPlaced, SendStart, Transition
from evroam.charging.model import ChargingSession
from evroam.charging.ports import HoldRecord, SessionStore
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import SessionId

_log = logging.getLogger(__name__)
OUTBOX_BATCH = 500


class SessionChaser:
    """Runs each maintenance round (the feed watcher's chores)."""

    def __init__(
        self,
        sessions: SessionStore,
        commands: PartnerCommands,
        transition: Callable[[SessionId, Event], Transition],
        place_hold: Callable[[ChargingSession], HoldRecord],
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._commands = commands
        self._transition = transition
        self._place_hold = place_hold
        self._clock = clock

    def chase_starts(self) -> list[ChargingSession]:
        """The start commands' outbox (``charging.outbox``): re-send an
        interrupted start where the protocol allows it, fail the others and the
        starts the partner took but never began, releasing their holds."""
        changed = []
        now = self._clock.now()
        for session in self._sessions.list_requested(OUTBOX_BATCH):
            event = outbox.due(session, now, self._commands.can_resend(session))
            if event is None:
                continue
            try:
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


__all__ = ["OUTBOX_BATCH", "SessionChaser"]

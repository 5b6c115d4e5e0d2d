"""Commands to a session's partner: send the start, stop, and act on what follows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from evroam.catalogue.model import Pile, Protocol, Station
from evroam.charging.errors import PileUnavailableError, SessionStateError
from evroam.charging.lifecycle import (
    Event,
    SendStop,
    StartAccepted,
    StartRefused,
    StartUndeliverable,
    StopAccepted,
    Transition,
)
from evroam.charging.model import ChargingSession, SessionStatus
from evroam.charging.ports import SessionStore
from evroam.charging.remote import (
    PileAddress,
    RemoteCharging,
    RemoteEvent,
    SessionQuery,
)
from evroam.charging.target import is_reached
from evroam.partners.service import PartnersService
from evroam.shared.errors import EvroamError
from evroam.shared.ids import PileId, SessionId

_log = logging.getLogger(__name__)
STOPPED = frozenset(
    {
        SessionStatus.STOPPING,
        SessionStatus.ENDED,
        SessionStatus.BILLED,
        SessionStatus.DISPUTED,
    }
)
"""States a stop has nothing left to do in."""


class PartnerCommands:
    """Sends a session's commands to its partner over the partner's protocol;
    each answer is stored as the session's next event."""

    def __init__(
        self,
        sessions: SessionStore,
        partners: PartnersService,
        remotes: Mapping[Protocol, RemoteCharging],
        locate: Callable[[PileId], tuple[Station, Pile]],
        transition: Callable[[SessionId, Event], Transition],
        queries: Mapping[Protocol, SessionQuery],
    ) -> None:
        self._sessions = sessions
        self._partners = partners
        self._remotes = remotes
        self._queries = queries
        self._locate = locate
        self._transition = transition

    def remote(self, protocol: Protocol) -> RemoteCharging:
        remote = self._remotes.get(protocol)
        if remote is None:
            raise PileUnavailableError(f"remote start is not available over {protocol}")
        return remote

    def can_resend(self, session: ChargingSession) -> bool:
        try:
            partner = self._partners.get_partner(session.operator_id)
            return self.remote(partner.protocol).can_resend_start
        except EvroamError:
            return False

    def ask(self, session: ChargingSession) -> list[RemoteEvent] | None:
        """What the partner says of ``session`` now, asked (``charging.silence``);
        None when its protocol cannot ask or the partner does not answer."""
        try:
            partner = self._partners.get_partner(session.operator_id)
            query = self._queries.get(partner.protocol)
            if query is None:
                return None
            return query.query_session(partner, session.id)
        except EvroamError as exc:
            _log.info("asking about %s: no answer (%s)", session.id, exc)
            return None

    def send_start(self, session: ChargingSession) -> ChargingSession:
        station, pile = self._locate(session.pile_id)
        partner = self._partners.get_partner(session.operator_id)
        remote = self.remote(partner.protocol)
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

    def stop(self, session: ChargingSession) -> ChargingSession:
        station, pile = self._locate(session.pile_id)
        partner = self._partners.get_partner(session.operator_id)
        result = self.remote(partner.protocol).stop(
            partner,
            _address(station, pile.external_uid),
            session.id,
            session.partner_session_id,
        )
        if not result.is_accepted:
            # Stopped meanwhile (the hub at the driver's target, another
            # worker): the partner has nothing left to stop; that is no error.
            current = self._sessions.find(session.id)
            if current is not None and current.status in STOPPED:
                return current
            raise SessionStateError(f"the partner refused to stop: {result.reason}")
        return self._transition(session.id, StopAccepted()).session

    def follow_up(self, done: Transition) -> ChargingSession:
        """After a partner's event: stop the car when the transition asks for it
        or the driver's target is reached (the next report tries again when the
        stop fails)."""
        session = done.session
        wants_stop = any(isinstance(e, SendStop) for e in done.effects) or (
            done.is_change
            and session.status is SessionStatus.CHARGING
            and is_reached(session)
        )
        if wants_stop:
            try:
                return self.stop(session)
            except EvroamError as exc:  # the next progress report tries again
                _log.warning("stopping %s failed: %s", session.id, exc)
        return session


def _address(station: Station, pile_uid: str) -> PileAddress:
    return PileAddress(station.external_id, pile_uid)


__all__ = ["STOPPED", "PartnerCommands"]

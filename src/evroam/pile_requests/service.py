"""Pile requests: reserve a pile, cancel, report a stuck cable, unlock (operator)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from evroam.catalogue.model import PileStatus, Protocol, Station
from evroam.partners.model import Partner
from evroam.pile_requests.errors import (
    InvalidRequestError,
    NotReservableError,
    RequestNotFoundError,
)
from evroam.pile_requests.model import (
    CableReport,
    Outcome,
    ReportStatus,
    Reservation,
    ReservationStatus,
    expiry,
    new_request_ref,
    reservation_minutes,
)
from evroam.pile_requests.ports import (
    CommandAnswer,
    PileCommands,
    PileRequestStore,
    PileTarget,
)
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, OperatorId, PileId
from evroam.shared.offload import Offload, inline

# How long we wait for a result a partner did not promise a time for.
DEFAULT_ANSWER_S = 60
_AFTER_REQUEST = {
    Outcome.ACCEPTED: ReservationStatus.RESERVED,
    Outcome.REJECTED: ReservationStatus.REJECTED,
    Outcome.TIMEOUT: ReservationStatus.TIMEOUT,
    Outcome.FAILED: ReservationStatus.FAILED,
}


class PileRequestService:
    def __init__(
        self,
        store: PileRequestStore,
        commands: Mapping[Protocol, PileCommands],
        find_station_of_pile: Callable[[PileId], Station | None],
        get_partner: Callable[[OperatorId], Partner],
        clock: Clock,
        offload: Offload = inline,
    ) -> None:
        """``offload`` runs the store and catalogue steps of the async use cases
        (the composition root: off the event loop)."""
        self._run = offload
        self._store = store
        self._commands = commands
        self._station_of = find_station_of_pile
        self._partner = get_partner
        self._clock = clock

    # -- reservations -------------------------------------------------------------

    async def reserve(
        self, account_id: AccountId, pile_id: PileId, minutes: int
    ) -> Reservation:
        """Ask the pile's partner to hold it for ``minutes`` (5-30). The answer
        may come later: the reservation says where it stands."""
        minutes = reservation_minutes(minutes)
        reservation, partner, commands, target = await self._run(
            self._new_reservation, account_id, pile_id, minutes
        )
        try:
            answer = await commands.reserve(
                partner, target, reservation.id, account_id, reservation.expires_at
            )
        except EvroamError as exc:
            answer = CommandAnswer(Outcome.FAILED, reason=str(exc))
        return await self._run(
            self._answered, reservation, answer, ReservationStatus.REQUESTED
        )

    def _new_reservation(
        self, account_id: AccountId, pile_id: PileId, minutes: int
    ) -> tuple[Reservation, Partner, PileCommands, PileTarget]:
        station, target = self._target(pile_id, None)
        pile = next(p for p in station.piles if p.id == pile_id)
        if not pile.is_reservable:
            raise NotReservableError(f"pile {pile_id} takes no reservations")
        if pile.status is not PileStatus.AVAILABLE:
            raise NotReservableError(f"pile {pile_id} is {pile.status}")
        partner, commands = self._commands_for(station)
        now = self._clock.now()
        reservation = Reservation(
            id=new_request_ref("R"),
            account_id=account_id,
            operator_id=station.operator_id,
            station_id=station.id,
            pile_id=pile_id,
            minutes=minutes,
            created_at=now,
            expires_at=expiry(now, minutes),
            status=ReservationStatus.REQUESTED,
            updated_at=now,
            answer_by=now + timedelta(seconds=DEFAULT_ANSWER_S),
        )
        self._store.add_reservation(reservation)
        return reservation, partner, commands, target

    async def cancel(self, account_id: AccountId, reservation_id: str) -> Reservation:
        cancelling, partner, commands = await self._run(
            self._cancelling, account_id, reservation_id
        )
        try:
            answer = await commands.cancel(partner, cancelling.id)
        except EvroamError as exc:
            answer = CommandAnswer(Outcome.FAILED, reason=str(exc))
        return await self._run(
            self._answered, cancelling, answer, ReservationStatus.CANCELLING
        )

    def _cancelling(
        self, account_id: AccountId, reservation_id: str
    ) -> tuple[Reservation, Partner, PileCommands]:
        reservation = self.get_reservation(account_id, reservation_id)
        if reservation.status is not ReservationStatus.RESERVED:
            raise InvalidRequestError(
                "reservation", f"is {reservation.status}, not reserved"
            )
        station = self._station_of(reservation.pile_id)
        if station is None:
            raise RequestNotFoundError(reservation.pile_id)
        partner, commands = self._commands_for(station)
        now = self._clock.now()
        cancelling = reservation.moved(ReservationStatus.CANCELLING, now)
        self._store.save_reservation(cancelling)
        return cancelling, partner, commands

    def get_reservation(
        self, account_id: AccountId, reservation_id: str
    ) -> Reservation:
        found = self._store.find_reservation(reservation_id)
        if found is None or found.account_id != account_id:
            raise RequestNotFoundError(reservation_id)
        return found

    def list_reservations(
        self, account_id: AccountId, limit: int = 50
    ) -> Sequence[Reservation]:
        return self._store.reservations_of(account_id, limit)

    def _answered(
        self,
        reservation: Reservation,
        answer: CommandAnswer,
        pending: ReservationStatus,
    ) -> Reservation:
        now = self._clock.now()
        # The pile's result may have come while we waited for the answer.
        held = self._store.find_reservation(reservation.id) or reservation
        if held.status is not pending:
            return held
        if answer.outcome is Outcome.REQUESTED:
            wait = answer.timeout_s or DEFAULT_ANSWER_S
            updated = replace(held, answer_by=now + timedelta(seconds=wait))
        elif pending is ReservationStatus.CANCELLING:
            # The partner would not cancel: the pile stays held for the driver.
            updated = held.moved(ReservationStatus.RESERVED, now, answer.reason)
        else:
            updated = held.moved(_AFTER_REQUEST[answer.outcome], now, answer.reason)
        self._store.save_reservation(updated)
        return updated

    # -- stuck cables --------------------------------------------------------------

    def report_stuck_cable(
        self, account_id: AccountId, pile_id: PileId, connector_id: str, note: str
    ) -> CableReport:
        """The driver cannot unplug: an operator sees it and may unlock."""
        station, _ = self._target(pile_id, connector_id)
        if len(note) > 500:
            raise InvalidRequestError("note", "at most 500 characters")
        now = self._clock.now()
        report = CableReport(
            id=new_request_ref("U"),
            account_id=account_id,
            operator_id=station.operator_id,
            station_id=station.id,
            pile_id=pile_id,
            connector_id=connector_id or "1",
            note=note.strip(),
            status=ReportStatus.OPEN,
            created_at=now,
            updated_at=now,
        )
        self._store.add_report(report)
        return report

    def my_report(self, account_id: AccountId, report_id: str) -> CableReport:
        found = self._store.find_report(report_id)
        if found is None or found.account_id != account_id:
            raise RequestNotFoundError(report_id)
        return found

    def list_reports(self, limit: int = 100) -> Sequence[CableReport]:
        return self._store.list_reports(limit)

    async def unlock(self, report_id: str) -> CableReport:
        """An operator unlocks the connector of a report (OCPI UNLOCK_CONNECTOR)."""
        started = await self._run(self._unlocking, report_id)
        if isinstance(started, CableReport):
            return started
        unlocking, partner, commands, target, now = started
        try:
            answer = await commands.unlock(partner, target, unlocking.id)
        except EvroamError as exc:
            answer = CommandAnswer(Outcome.FAILED, reason=str(exc))
        return await self._run(self._unlock_answered, unlocking, answer, now)

    def _unlocking(
        self, report_id: str
    ) -> CableReport | tuple[CableReport, Partner, PileCommands, PileTarget, datetime]:
        """The report moved to UNLOCKING (and how to ask), or as it stands."""
        report = self._store.find_report(report_id)
        if report is None:
            raise RequestNotFoundError(report_id)
        if report.status in (ReportStatus.UNLOCKING, ReportStatus.UNLOCKED):
            return report
        station, target = self._target(report.pile_id, report.connector_id)
        partner, commands = self._commands_for(station)
        now = self._clock.now()
        wait = timedelta(seconds=DEFAULT_ANSWER_S)
        unlocking = report.moved(ReportStatus.UNLOCKING, now, answer_by=now + wait)
        self._store.save_report(unlocking)
        return unlocking, partner, commands, target, now

    def _unlock_answered(
        self, unlocking: CableReport, answer: CommandAnswer, now: datetime
    ) -> CableReport:
        held = self._store.find_report(unlocking.id) or unlocking
        if held.status is not ReportStatus.UNLOCKING:
            return held  # the pile's result came first
        if answer.outcome is Outcome.REQUESTED:
            wait = timedelta(seconds=answer.timeout_s or DEFAULT_ANSWER_S)
            updated = replace(held, answer_by=now + wait)
        else:
            updated = held.moved(ReportStatus.UNLOCK_FAILED, now, answer.reason)
        self._store.save_report(updated)
        return updated

    # -- results and time ------------------------------------------------------------

    def on_result(
        self, operator_id: OperatorId, ref: str, outcome: Outcome, reason: str | None
    ) -> bool:
        """A partner's CommandResult for one of our requests; False if unknown."""
        reservation = self._store.find_reservation(ref)
        if reservation is not None and reservation.operator_id == operator_id:
            self._reservation_result(reservation, outcome, reason)
            return True
        report = self._store.find_report(ref)
        if report is not None and report.operator_id == operator_id:
            if report.status is ReportStatus.UNLOCKING:
                done = (
                    ReportStatus.UNLOCKED
                    if outcome is Outcome.ACCEPTED
                    else ReportStatus.UNLOCK_FAILED
                )
                self._store.save_report(report.moved(done, self._clock.now(), reason))
            return True
        return False

    def _reservation_result(
        self, reservation: Reservation, outcome: Outcome, reason: str | None
    ) -> None:
        now = self._clock.now()
        status = reservation.status
        if status is ReservationStatus.REQUESTED:
            self._store.save_reservation(
                reservation.moved(_AFTER_REQUEST.get(outcome, status), now, reason)
            )
        elif status is ReservationStatus.CANCELLING:
            done = (
                ReservationStatus.CANCELLED
                if outcome is Outcome.ACCEPTED
                else ReservationStatus.RESERVED
            )
            self._store.save_reservation(reservation.moved(done, now, reason))
        elif status is ReservationStatus.RESERVED and outcome is not Outcome.ACCEPTED:
            # OCPI: the CPO may end a reservation itself (CANCELED_RESERVATION).
            self._store.save_reservation(
                reservation.moved(ReservationStatus.CANCELLED, now, reason)
            )

    def expire(self) -> int:
        """Chore: results that never came are TIMEOUT; held piles past their
        time are EXPIRED. Returns how many requests moved."""
        now = self._clock.now()
        moved = 0
        for r in self._store.open_reservations():
            if r.status is ReservationStatus.REQUESTED and now >= r.answer_by:
                self._store.save_reservation(
                    r.moved(ReservationStatus.TIMEOUT, now, "no answer from the pile")
                )
            elif r.status is ReservationStatus.RESERVED and now >= r.expires_at:
                self._store.save_reservation(r.moved(ReservationStatus.EXPIRED, now))
            elif r.status is ReservationStatus.CANCELLING and now >= r.answer_by:
                self._store.save_reservation(
                    r.moved(ReservationStatus.RESERVED, now, "cancel not confirmed")
                )
            else:
                continue
            moved += 1
        for report in self._store.list_reports(1000):
            late = report.answer_by is not None and now >= report.answer_by
            if report.status is ReportStatus.UNLOCKING and late:
                self._store.save_report(
                    report.moved(ReportStatus.UNLOCK_FAILED, now, "no answer (TIMEOUT)")
                )
                moved += 1
        return moved

    # -- helpers -------------------------------------------------------------------

    def _target(
        self, pile_id: PileId, connector_id: str | None
    ) -> tuple[Station, PileTarget]:
        station = self._station_of(pile_id)
        pile = (
            next((p for p in station.piles if p.id == pile_id), None)
            if station
            else None
        )
        if station is None or pile is None:
            raise RequestNotFoundError(pile_id)
        return station, PileTarget(station.external_id, pile.external_uid, connector_id)

    def _commands_for(self, station: Station) -> tuple[Partner, PileCommands]:
        partner = self._partner(station.operator_id)
        commands = self._commands.get(partner.protocol)
        if commands is None:
            raise NotReservableError(
                f"{partner.name} takes no pile commands over {partner.protocol.value}"
            )
        return partner, commands

"""The hub over OCPI 2.2.1 Sessions and CDRs: pushes become ``charging.remote`` events.

A Session PUT or PATCH tells the hub that a session started, progressed or
ended; a CDR becomes a ``ChargeRecord``. The receivers
(``protocols.ocpi_2_2_1.sessions``) hand them on keyed by our session ref; the
callbacks here turn them into events for the charging service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    RemoteEvent,
    SessionEnded,
    SessionProgress,
    SessionRejected,
    SessionStarted,
    UnknownSessionError,
)
from evroam.gateways.ocpi.commands import EventSink
from evroam.gateways.ocpi.pricing_mapping import element_tariff_from_ocpi
from evroam.pricing.elements import ElementTariff
from evroam.protocols.ocpi_2_2_1 import models as wire
from evroam.protocols.ocpi_2_2_1.datatypes import Price
from evroam.protocols.ocpi_2_2_1.enums import CdrDimensionType
from evroam.protocols.ocpi_2_2_1.errors import InvalidParametersError
from evroam.protocols.ocpi_2_2_1.sessions import (
    CDR,
    CdrSink,
    Session,
    SessionPatch,
    SessionSink,
    SessionStatus,
)
from evroam.shared.errors import EvroamError, InvalidInputError
from evroam.shared.money import Money

# --- wire -> events (pure) ----------------------------------------------------------


def _dimension(
    periods: Sequence[wire.ChargingPeriod] | None, kind: CdrDimensionType
) -> Decimal | None:
    for period in reversed(periods or ()):
        for dim in period.dimensions:
            if dim.type is kind:
                return Decimal(dim.volume)
    return None


def _fen(price: Price | None) -> int | None:
    if price is None:
        return None
    return Money.of(
        price.incl_vat if price.incl_vat is not None else price.excl_vat
    ).fen


def events_from_session(
    ref: str, session_id: str, update: Session | SessionPatch
) -> list[RemoteEvent]:
    """What a Session PUT or PATCH tells the hub. Pushes repeat: consumers must
    treat the events idempotently (a second SessionStarted changes nothing)."""
    events: list[RemoteEvent] = []
    status = update.status
    if status is SessionStatus.INVALID:
        return [SessionRejected(ref, "the CPO marked the session INVALID")]
    if status is SessionStatus.ACTIVE and isinstance(update, Session):
        events.append(SessionStarted(ref, session_id, update.start_date_time))
    if update.kwh is not None and status is not SessionStatus.COMPLETED:
        periods = update.charging_periods
        events.append(
            SessionProgress(
                ref,
                Decimal(update.kwh),
                _dimension(periods, CdrDimensionType.POWER),
                _dimension(periods, CdrDimensionType.STATE_OF_CHARGE),
                _fen(update.total_cost),
                update.last_updated,
            )
        )
    if status is SessionStatus.COMPLETED:
        events.append(SessionEnded(ref, update.end_date_time or update.last_updated))
    return events


def _is_parking(period: wire.ChargingPeriod) -> bool:
    kinds = {d.type for d in period.dimensions}
    return CdrDimensionType.PARKING_TIME in kinds and (
        CdrDimensionType.ENERGY not in kinds
    )


def _periods(cdr: wire.CDR) -> tuple[ChargePeriod, ...]:
    """The charging periods, each ending where the next one starts. A period of
    PARKING_TIME without energy (OCPI 2.2.1, CDRs module, CdrDimensionType: the
    EV plugged in, not charging) is left out: the charge ended where it began,
    and the time from there to ``end_date_time`` is parking time. A CDR that
    gives only ``total_parking_time`` has its charge end that long before
    ``end_date_time`` (never before the last period starts)."""
    ordered = sorted(cdr.charging_periods, key=lambda p: p.start_date_time)
    charged_until = cdr.end_date_time
    if ordered and not any(_is_parking(p) for p in ordered):
        parked = Decimal(cdr.total_parking_time or 0)
        if parked > 0:
            charged_until = max(
                ordered[-1].start_date_time,
                cdr.end_date_time - timedelta(seconds=float(parked * 3600)),
            )
    ends = [p.start_date_time for p in ordered[1:]] + [charged_until]
    return tuple(
        ChargePeriod(
            period.start_date_time,
            end,
            _dimension([period], CdrDimensionType.ENERGY) or Decimal(0),
        )
        for period, end in zip(ordered, ends, strict=True)
        if not _is_parking(period)
    )


def _amount(price: Price | None) -> Decimal:
    if price is None:
        return Decimal(0)
    return Decimal(price.incl_vat if price.incl_vat is not None else price.excl_vat)


def charge_record_from_cdr(ref: str, cdr: CDR) -> ChargeRecord:
    """The CPO's record; without the evroam split, all energy cost is electricity."""
    energy = _amount(cdr.total_energy_cost)
    if cdr.evroam is not None:
        electricity = Decimal(cdr.evroam.electricity_cost)
        service = Decimal(cdr.evroam.service_cost)
    else:
        electricity, service = energy, Decimal(0)
    return ChargeRecord(
        ref=ref,
        partner_record_id=cdr.id,
        started_at=cdr.start_date_time,
        ended_at=cdr.end_date_time,
        kwh=Decimal(cdr.total_energy),
        periods=_periods(cdr),
        electricity_money=electricity,
        service_money=service,
        parking_money=_amount(cdr.total_parking_cost),
        total_money=_amount(cdr.total_cost),
        protocol="ocpi",
        tariffs=_tariffs(cdr),
    )


def _tariffs(cdr: CDR) -> tuple[ElementTariff, ...]:
    """The tariffs the CDR carries, as the engine reads them (one it cannot
    read is left out: the record is still re-rated with ours)."""
    read = []
    for tariff in cdr.tariffs or ():
        try:
            read.append(element_tariff_from_ocpi(tariff))
        except InvalidInputError:
            continue
    return tuple(read)


# --- hub side: the receivers' callbacks --------------------------------------------


SessionAdopter = Callable[[str, str, Session], Awaitable[None]]
"""``await adopt(operator_key, ref, session)``: make the hub's session of a
Session the CPO started itself (ADR 0043); ``UnknownSessionError`` when ``ref``
is no reference the hub issued for its token."""


def session_sink(
    on_event: EventSink, adopt: SessionAdopter | None = None
) -> SessionSink:
    """The callback for ``build_sessions_receiver_router``: each event of the
    update goes to ``on_event``. A Session PUT the hub holds no session for is
    adopted when ``adopt`` knows its reference (a CPO-started session after
    the hub authorized the token); otherwise it is refused."""

    async def apply(
        key: str, ref: str, session_id: str, update: Session | SessionPatch
    ) -> None:
        for event in events_from_session(ref, session_id, update):
            await on_event(key, event)

    async def on_session(
        key: str, ref: str, session_id: str, update: Session | SessionPatch
    ) -> None:
        try:
            await apply(key, ref, session_id, update)
            return
        except UnknownSessionError as exc:
            is_new = isinstance(update, Session) and update.status is not (
                SessionStatus.INVALID
            )
            if adopt is None or not is_new:
                raise InvalidParametersError(f"unknown session {ref}") from exc
        assert isinstance(update, Session)
        try:
            await adopt(key, ref, update)
        except UnknownSessionError as exc:
            raise InvalidParametersError(f"unknown session {ref}") from exc
        except EvroamError as exc:
            raise InvalidParametersError(f"session {ref} refused: {exc}") from exc
        await apply(key, ref, session_id, update)

    return on_session


class BilledRecordView(Protocol):
    @property
    def session_ref(self) -> str: ...

    @property
    def record_id(self) -> str: ...

    @property
    def kwh(self) -> Decimal: ...

    @property
    def total_fen(self) -> int: ...


class ReceivedRecords(Protocol):
    """The partner records the hub billed (storage.session_lookup)."""

    def find_billed(
        self, operator_id: str, record_id: str
    ) -> BilledRecordView | None: ...

    def billed_for(self, session_ref: str) -> BilledRecordView | None: ...


def _is_repeat(
    records: ReceivedRecords, key: str, ref: str, cdr: CDR, record: ChargeRecord
) -> bool:
    """True for a CDR billed before, sent again unchanged (answered, no effect).

    OCPI 2.2.1, CDRs module: a CDR is never updated; a correction is a credit
    CDR (``credit``, ``credit_reference_id``). A changed CDR under a known id,
    or a second CDR for a billed session, is refused with the reason.
    """
    known = records.find_billed(key, cdr.id)
    if known is not None:
        same = (known.session_ref, known.kwh, known.total_fen) == (
            ref,
            record.kwh,
            Money.of(record.total_money).fen,
        )
        if same:
            return True
        raise InvalidParametersError(
            f"CDR {cdr.id} was received before with other figures: CDRs are "
            "never updated; send a credit CDR to correct it"
        )
    billed = records.billed_for(ref)
    if billed is not None and not cdr.credit:
        raise InvalidParametersError(
            f"session {ref} was billed with CDR {billed.record_id}: CDRs are "
            "never updated; send a credit CDR to correct it"
        )
    return False


def cdr_sink(on_event: EventSink, records: ReceivedRecords | None = None) -> CdrSink:
    """The callback for ``build_cdrs_receiver_router``: a CDR becomes a
    ``ChargeRecord``; a session the hub does not know, or a malformed record
    (negative energy or money, an end before its start), is refused (2001); an
    implausible record is taken (1000) and disputed by the hub. With
    ``records``, a CDR sent again unchanged is answered without effect and one
    that would change a billed record is refused (see ``_is_repeat``)."""

    async def on_cdr(key: str, ref: str, cdr: CDR) -> None:
        record = charge_record_from_cdr(ref, cdr)
        if records is not None and _is_repeat(records, key, ref, cdr, record):
            return
        try:
            await on_event(key, record)
        except UnknownSessionError as exc:
            raise InvalidParametersError(f"unknown session {ref}") from exc
        except InvalidInputError as exc:
            raise InvalidParametersError(f"CDR {cdr.id}: {exc}") from exc

    return on_cdr


__all__ = [
    "BilledRecordView",
    "ReceivedRecords",
    "cdr_sink",
    "charge_record_from_cdr",
    "events_from_session",
    "session_sink",
]

"""Remote charging through a partner: the port the hub calls and the events it receives.

Pure: frozen dataclasses and a ``typing.Protocol``, no I/O. A session is known
on both sides by the hub's **session ref**: 18 characters ``[0-9A-Z]``, so it
fits OCPI's ``authorization_reference`` (≤ 36) and makes a T/CEC
``StartChargeSeq`` as the standard asks (27 characters: our OperatorID, 9,
then 18 unique ones). Every event the partner causes carries that ref, so the
hub needs no partner-side id to find its session.

Flow (both protocols)::

    hub --start--> partner          StartResult (sync: request accepted or not)
    partner ----> hub               SessionStarted | SessionRejected
    partner ----> hub (repeatedly)  SessionProgress
    hub --stop---> partner          StopResult (sync)
    partner ----> hub               SessionEnded | StopRejected, then ChargeRecord
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, Protocol

from evroam.partners.model import Partner
from evroam.pricing.elements import ElementTariff
from evroam.shared.errors import EvroamError, InvalidInputError

SESSION_REF_LENGTH = 18
_REF = re.compile(r"[0-9A-Z]{18}")
_REF_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

RemoteProtocol = Literal["ocpi", "tcec"]


class UnknownSessionError(EvroamError):
    """A partner reported on a session ref the hub does not hold (callbacks raise
    it; the protocol answers with a refusal)."""


def new_session_ref() -> str:
    """A fresh random session ref (18 characters, about 93 bits)."""
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(SESSION_REF_LENGTH))


def check_session_ref(ref: str) -> str:
    """``ref`` if it is a valid session ref, else ``InvalidInputError``."""
    if not _REF.fullmatch(ref):
        raise InvalidInputError("session_ref", "must be 18 characters 0-9 A-Z")
    return ref


@dataclass(frozen=True, slots=True)
class PileAddress:
    """Where to charge, in the partner's own ids (as the catalogue keeps them).

    OCPI: ``station_external_id`` is the Location id and ``pile_external_uid``
    the EVSE uid. T/CEC: ``pile_external_uid`` is the ConnectorID.
    """

    station_external_id: str
    pile_external_uid: str
    connector_id: str | None = None  # OCPI connector id, when the CPO needs one


@dataclass(frozen=True, slots=True)
class StartResult:
    """The partner's synchronous answer to a start request.

    ``is_accepted`` only means the request was taken: the session starts (or
    not) later, as ``SessionStarted`` / ``SessionRejected``.
    ``partner_session_id`` is known at once for T/CEC (StartChargeSeq), later
    for OCPI (the CPO's Session id, in ``SessionStarted``).
    """

    ref: str
    is_accepted: bool
    partner_session_id: str | None = None
    reason: str | None = None
    timeout_s: int | None = None


@dataclass(frozen=True, slots=True)
class StopResult:
    ref: str
    is_accepted: bool
    reason: str | None = None


class RemoteCharging(Protocol):
    """Starts and stops sessions at a partner's pile (one adapter per protocol).

    Called by the charging use cases in their worker thread; the composition
    root bridges the protocols' async clients to it (``evroam.bridges``).
    ``can_resend_start``: sending the same start twice starts one session
    (T/CEC: the same StartChargeSeq), so an interrupted start may be re-sent.
    """

    @property
    def can_resend_start(self) -> bool: ...

    def start(
        self, partner: Partner, pile: PileAddress, session_ref: str, token_uid: str
    ) -> StartResult:
        """Ask the partner to start; ``token_uid`` names the driver's account."""
        ...

    def stop(
        self,
        partner: Partner,
        pile: PileAddress,
        session_ref: str,
        partner_session_id: str | None,
    ) -> StopResult:
        """Ask the partner to stop; OCPI needs ``partner_session_id``."""
        ...


class SessionQuery(Protocol):
    """Asks a partner how one session goes now, to chase a partner gone silent
    (``charging.silence``); one adapter per protocol that can ask (T/CEC:
    query_equip_charge_status; OCPI 2.2.1 has no GET of one session at the CPO).
    """

    def query_session(self, partner: Partner, session_ref: str) -> list[RemoteEvent]:
        """The events the partner's answer tells (none: nothing to tell, e.g.
        still starting); raises an ``EvroamError`` when the partner does not
        answer or knows no such session."""
        ...


# --- events the partner causes ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionStarted:
    ref: str
    partner_session_id: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRejected:
    """The partner will not start (pile offline, occupied, token refused ...)."""

    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class SessionProgress:
    """Energy so far; ``soc`` in percent; ``cost_so_far_fen`` as the partner
    counts it (None when it does not say)."""

    ref: str
    kwh: Decimal
    power_kw: Decimal | None
    soc: Decimal | None
    cost_so_far_fen: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SessionEnded:
    ref: str
    ended_at: datetime


@dataclass(frozen=True, slots=True)
class StopRejected:
    """The partner refused a stop; the session goes on."""

    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChargePeriod:
    """Energy delivered between ``started_at`` and ``ended_at`` (one price period)."""

    started_at: datetime
    ended_at: datetime
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class ChargeRecord:
    """The partner's final record of a session (OCPI CDR, T/CEC charge order).

    Money is the partner's own pricing in yuan (CNY), as sent: the hub prices
    the periods itself and reconciles.
    """

    ref: str
    partner_record_id: str
    started_at: datetime
    ended_at: datetime
    kwh: Decimal
    periods: tuple[ChargePeriod, ...]
    electricity_money: Decimal
    service_money: Decimal
    parking_money: Decimal
    total_money: Decimal
    protocol: RemoteProtocol
    tariffs: tuple[ElementTariff, ...] = ()  # an OCPI CDR's own (re-rating)


RemoteEvent = (
    SessionStarted
    | SessionRejected
    | SessionProgress
    | SessionEnded
    | StopRejected
    | ChargeRecord
)


# --- reconciliation (T/CEC check_charge_orders) -----------------------------------


class DisputeReason(enum.IntEnum):
    """T/CEC 102.4 check_charge_orders DisputeReason."""

    NOT_FOUND = 1  # 交易不存在
    MONEY = 2  # 交易金额错误
    ENERGY = 3  # 交易电量错误


@dataclass(frozen=True, slots=True)
class OrderTotals:
    """One order's totals as a party holds them."""

    ref: str
    kwh: Decimal
    total_money: Decimal


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """A partner's reconciliation request: its orders of a time range."""

    check_id: str
    starts_at: datetime
    ends_at: datetime
    orders: tuple[OrderTotals, ...]


@dataclass(frozen=True, slots=True)
class OrderDispute:
    """An order we disagree with, with the partner's figures."""

    ref: str
    kwh: Decimal
    total_money: Decimal
    reason: DisputeReason


def find_disputes(
    theirs: Sequence[OrderTotals], ours: Iterable[OrderTotals]
) -> tuple[OrderDispute, ...]:
    """Orders of ``theirs`` we do not hold, or hold with other money or kWh.

    Money is compared to the fen and energy to 0.01 kWh (T/CEC's precision).
    """
    held = {o.ref: o for o in ours}
    disputes = []
    for order in theirs:
        mine = held.get(order.ref)
        reason = None
        if mine is None:
            reason = DisputeReason.NOT_FOUND
        elif _cents(mine.total_money) != _cents(order.total_money):
            reason = DisputeReason.MONEY
        elif _cents(mine.kwh) != _cents(order.kwh):
            reason = DisputeReason.ENERGY
        if reason is not None:
            disputes.append(
                OrderDispute(order.ref, order.kwh, order.total_money, reason)
            )
    return tuple(disputes)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


__all__ = [
    "SESSION_REF_LENGTH",
    "ChargePeriod",
    "ChargeRecord",
    "DisputeReason",
    "OrderCheck",
    "OrderDispute",
    "OrderTotals",
    "PileAddress",
    "RemoteCharging",
    "RemoteEvent",
    "RemoteProtocol",
    "SessionEnded",
    "SessionProgress",
    "SessionQuery",
    "SessionRejected",
    "SessionStarted",
    "StartResult",
    "StopRejected",
    "StopResult",
    "UnknownSessionError",
    "check_session_ref",
    "find_disputes",
    "new_session_ref",
]

"""Is a partner's charge record fit to bill? Its form first, then physics (ADR 0019).

A malformed record (negative energy or money, an end before its start) is
refused with the protocol's error and nothing is stored: the partner has a bug
to fix. A well-formed record that no pile could have delivered is stored, not
billed, and disputed: an error reply would make the partner send it forever.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from evroam.charging.errors import InvalidChargeRecordError
from evroam.charging.remote import ChargeRecord

MAX_SESSION_KWH = Decimal(1000)  # more than any vehicle battery (trucks ~600 kWh)
MAX_SESSION_DURATION = timedelta(hours=72)  # plugged in, parking included
ENERGY_TOLERANCE = Decimal("0.10")  # meter error and a pile above its rating
ENERGY_SLACK_KWH = Decimal("0.5")  # short sessions: whole-second times, rounding
DEFAULT_POWER_KW = Decimal(7)  # a pile the catalogue knows no power for


def check_form(record: ChargeRecord) -> None:
    """Raise ``InvalidChargeRecordError`` naming the field of a malformed record."""
    numbers = {
        "kwh": record.kwh,
        "electricity_money": record.electricity_money,
        "service_money": record.service_money,
        "parking_money": record.parking_money,
        "total_money": record.total_money,
    }
    for field, value in numbers.items():
        if not value.is_finite() or value < 0:
            raise InvalidChargeRecordError(field, f"must be a number ≥ 0, not {value}")
    if record.ended_at < record.started_at:
        raise InvalidChargeRecordError("ended_at", "is before started_at")
    for n, period in enumerate(record.periods):
        if not period.kwh.is_finite() or period.kwh < 0:
            raise InvalidChargeRecordError(
                f"periods[{n}].kwh", f"must be a number ≥ 0, not {period.kwh}"
            )
        if period.ended_at < period.started_at:
            raise InvalidChargeRecordError(f"periods[{n}]", "ends before it starts")


def problems(record: ChargeRecord, pile_power_kw: Decimal | None) -> tuple[str, ...]:
    """Why a well-formed record cannot be true (empty: it is plausible).

    Energy must fit the pile's power over the time plugged in, with
    ``ENERGY_TOLERANCE`` and ``ENERGY_SLACK_KWH``; energy and duration must be
    within ``MAX_SESSION_KWH`` and ``MAX_SESSION_DURATION``.
    """
    found = []
    duration = record.ended_at - record.started_at
    if duration > MAX_SESSION_DURATION:
        found.append(f"plugged in {duration}, more than {MAX_SESSION_DURATION}")
    if record.kwh > MAX_SESSION_KWH:
        found.append(f"{record.kwh} kWh is more than any battery ({MAX_SESSION_KWH})")
    power = pile_power_kw if pile_power_kw and pile_power_kw > 0 else DEFAULT_POWER_KW
    hours = Decimal(duration.total_seconds()) / 3600
    most = power * hours * (1 + ENERGY_TOLERANCE) + ENERGY_SLACK_KWH
    if record.kwh > most:
        minutes = (hours * 60).quantize(Decimal("0.1"))
        found.append(
            f"{record.kwh} kWh in {minutes} min is more than a {power} kW pile"
            f" delivers ({most.quantize(Decimal('0.01'))} kWh with tolerance)"
        )
    return tuple(found)


__all__ = [
    "ENERGY_SLACK_KWH",
    "ENERGY_TOLERANCE",
    "MAX_SESSION_DURATION",
    "MAX_SESSION_KWH",
    "check_form",
    "problems",
]

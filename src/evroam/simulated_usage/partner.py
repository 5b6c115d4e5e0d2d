"""The partners of past charges, played in process for the demo's backfill.

Live charges go through the partners' protocols; the past cannot (T/CEC
envelopes must be within five minutes of now, ADR 0025). So the backfill asks
this stand-in: it accepts every start and stop, and the charge record it sends
is made as the partner simulators make theirs (``simulator.charge``: energy by
the car's curve, split where the tariff changes period, then the time plugged
in priced with the station's parking and idle fees, by the partner's own
price list: ``simulator.prices``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evroam.catalogue.model import ParkingRule
from evroam.charging.remote import (
    ChargePeriod,
    ChargeRecord,
    PileAddress,
    RemoteProtocol,
    StartResult,
    StopResult,
)
from evroam.partners.model import Partner
from evroam.pricing.tariff import Tariff
from evroam.simulator.charge import Charge, charge_record
from evroam.simulator.prices import car_park_of, price_list_of

MAX_STEPS = 50


class PastPartner:
    """``charging.remote.RemoteCharging`` for charges that already happened."""

    can_resend_start = False  # nothing to re-send: every start is taken at once

    def start(
        self,
        partner: Partner,  # noqa: ARG002 - the port's parameters; all accepted
        pile: PileAddress,  # noqa: ARG002
        session_ref: str,
        token_uid: str,  # noqa: ARG002
    ) -> StartResult:
        return StartResult(session_ref, True, partner_session_id=f"P{session_ref}")

    def stop(
        self,
        partner: Partner,  # noqa: ARG002 - the port's parameters; all accepted
        pile: PileAddress,  # noqa: ARG002
        session_ref: str,
        partner_session_id: str | None,  # noqa: ARG002
    ) -> StopResult:
        return StopResult(session_ref, True)


@dataclass(frozen=True, slots=True)
class PastCharge:
    """A charge as the car and the pile made it: the partner's record, and
    when the car left the bay."""

    record: ChargeRecord
    charged_until: datetime
    left_at: datetime


def past_charge(
    ref: str,
    tariff: Tariff,
    zone: ZoneInfo,
    parking: ParkingRule,
    power_kw: float,
    started_at: datetime,
    target_kwh: float,
    car: tuple[float, float],
    linger_s: float,
    protocol: RemoteProtocol,
) -> PastCharge:
    """Charge ``target_kwh`` (or to full) from ``started_at``; the car of
    ``car`` = (battery kWh, state of charge 0-1) stays ``linger_s`` after."""
    battery_kwh, soc = car
    charge = Charge(
        ref=ref,
        session_id=f"P{ref}",
        pile=ref,
        tariff=price_list_of(tariff),
        zone=zone,
        max_power_kw=power_kw,
        battery_kwh=battery_kwh,
        soc=soc,
        started_at=started_at,
        now=started_at,
        parking=car_park_of(parking),
    )
    for _ in range(MAX_STEPS):
        missing = target_kwh - charge.kwh
        if missing <= 0.01 or charge.is_full:
            break
        charge.advance(max(30.0, missing / max(charge.power_kw, 0.1) * 3600))
    charged_until = charge.now
    charge.now = charged_until + timedelta(seconds=linger_s)
    sent = charge_record(charge)
    record = ChargeRecord(
        ref=ref,
        partner_record_id=sent.record_id,
        started_at=sent.started_at,
        ended_at=sent.ended_at,
        kwh=sent.kwh,
        periods=tuple(
            ChargePeriod(p.started_at, p.ended_at, p.kwh) for p in sent.periods
        ),
        electricity_money=sent.electricity_money,
        service_money=sent.service_money,
        parking_money=sent.parking_money + sent.idle_money,
        total_money=sent.total_money,
        protocol=protocol,
    )
    return PastCharge(record, charged_until, sent.ended_at)

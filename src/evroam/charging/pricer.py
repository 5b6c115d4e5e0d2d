"""What a charge at a pile costs: the hold, a quote, a partner's record re-rated."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from evroam.accounts.service import AccountService
from evroam.catalogue.model import Pile, Station
from evroam.catalogue.service import CatalogueService
from evroam.charging import plausibility
from evroam.charging.errors import (
    InvalidSessionRequestError,
    PileNotFoundError,
    SessionStateError,
)
from evroam.charging.lifecycle import RecordImplausible, RecordPriced
from evroam.charging.model import ChargingSession
from evroam.charging.receipt import (
    bill_for_record,
    quote_for_session,
    rerating_dispute,
)
from evroam.charging.remote import ChargeRecord
from evroam.charging.rerate import CDR_TARIFF, Rerating, rerate
from evroam.pricing.bill import Bill
from evroam.pricing.discount import DiscountRule
from evroam.pricing.elements import ElementTariff
from evroam.pricing.quote import quote_charge
from evroam.pricing.session import ChargeSession
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, PileId
from evroam.shared.money import Money

DEFAULT_TARGET_KWH = Decimal(40)
MIN_HOLD = Money.of(20)


class ChargePricer:
    """Prices charges with the one tariff engine (ADR 0022): what to hold at a
    start, a driver's quote, and a partner's record re-rated (ADR 0023)."""

    def __init__(
        self,
        catalogue: CatalogueService,
        accounts: AccountService,
        clock: Clock,
        discounts: Sequence[DiscountRule] = (),
    ) -> None:
        self._catalogue = catalogue
        self._accounts = accounts
        self._clock = clock
        self._discounts = tuple(discounts)

    def locate(self, pile_id: PileId) -> tuple[Station, Pile]:
        station = self._catalogue.find_station_of_pile(pile_id)
        if station is not None:
            for pile in station.piles:
                if pile.id == pile_id:
                    return station, pile
        raise PileNotFoundError(pile_id)

    def quote(
        self,
        pile_id: PileId,
        start_at: datetime,
        kwh: Decimal | None = None,
        minutes: int | None = None,
        parking_minutes: int = 0,
        account_id: AccountId | None = None,
    ) -> Bill:
        """Price a planned or finished charge at a pile, line by line; with an
        account, its brand discounts apply."""
        if (kwh is None) == (minutes is None):
            raise InvalidSessionRequestError("kwh", "give either kwh or minutes")
        if start_at.tzinfo is None:
            raise InvalidSessionRequestError("start_at", "must carry a time zone")
        station, pile = self.locate(pile_id)
        power_kw = Decimal(str(pile.max_power_kw or 7.0))
        if kwh is None:
            assert minutes is not None
            kwh = (power_kw * minutes / 60).quantize(Decimal("0.001"))
            duration = timedelta(minutes=minutes)
        else:
            duration = timedelta(hours=float(kwh / power_kw))
        session = ChargeSession.flat(
            start_at, start_at + duration, kwh, parking_minutes
        )
        priced = self._catalogue.priced_tariff(station)
        vehicles = (
            [
                (v.brand, v.delivery_date)
                for v in self._accounts.list_vehicles(account_id)
            ]
            if account_id
            else []
        )
        return quote_for_session(
            priced.tariff,
            station.parking,
            session,
            station.time_zone,
            station.operator_id,
            vehicles,
            self._discounts,
        )

    def expected_hold(self, pile_id: PileId, target_kwh: Decimal | None) -> Money:
        """What starting a charge for ``target_kwh`` (else the default) would hold
        on the wallet: the same figure ``start_charging`` holds now."""
        station, _ = self.locate(pile_id)
        target = target_kwh or DEFAULT_TARGET_KWH
        return self.hold_for(station, pile_id, target, None, None)

    def hold_for(
        self,
        station: Station,
        pile_id: PileId,
        kwh: Decimal,
        amount: Money | None,
        at: datetime | None,
    ) -> Money:
        """A money target is the driver's cap: hold exactly that (at least the
        minimum); otherwise the expected price of the energy target."""
        if amount is not None:
            return max(Money(Decimal(math.ceil(amount.amount))), MIN_HOLD)
        return self._estimate(station, pile_id, kwh, at)

    def _estimate(
        self, station: Station, pile_id: PileId, target: Decimal, at: datetime | None
    ) -> Money:
        """What to hold: the target energy at the tariff from ``at`` (None:
        now), whole yuan up."""
        priced = self._catalogue.priced_tariff(station, at)
        start = at or self._clock.now()
        power = next((p.max_power_kw for p in station.piles if p.id == pile_id), 7.0)
        hours = float(target) / max(power, 1.0)
        session = ChargeSession.flat(start, start + timedelta(hours=hours), target)
        bill = quote_charge(priced.tariff, station.parking, session, station.time_zone)
        whole = Money(Decimal(math.ceil(bill.partner_total.amount)))
        return max(whole, MIN_HOLD)

    def assess(
        self, session: ChargingSession, record: ChargeRecord
    ) -> RecordPriced | RecordImplausible:
        """A well-formed record re-rated (ADR 0023: the lowest figure is billed,
        a spread above one fen is disputed), or why we will not bill it."""
        station = self._catalogue.find_station(session.station_id)
        if station is None:
            raise SessionStateError(f"station {session.station_id} is gone")
        power = next(
            (p.max_power_kw for p in station.piles if p.id == session.pile_id), None
        )
        found = plausibility.problems(
            record, None if power is None else Decimal(str(power))
        )
        try:
            rating, tariff_ref = self._rerate(session, record, station)
        except EvroamError as exc:
            return RecordImplausible(
                record, (*found, f"cannot price: {exc}"), Money.zero()
            )
        if found:
            return RecordImplausible(record, found, rating.bill.partner_total)
        now = self._clock.now()
        rerated = (
            (rerating_dispute(session, record, rating, tariff_ref, now),)
            if rating.is_disputed
            else ()
        )
        return RecordPriced(record, rating.bill, rerated)

    def _rerate(
        self, session: ChargingSession, record: ChargeRecord, station: Station
    ) -> tuple[Rerating, str]:
        """Every figure of the record (ADR 0023): ours under the tariff version
        in force at the session's start, the CDR's own tariff's, the partner's
        total; the lowest is billed. Also the version's ref, for the dispute."""
        started = session.started_at or record.started_at
        version = self._catalogue.priced_tariff(station, started, session.tariff_id)
        vehicles = [
            (v.brand, v.delivery_date)
            for v in self._accounts.list_vehicles(session.account_id)
        ]

        def priced(tariff: ElementTariff) -> Bill:
            return bill_for_record(
                tariff,
                station.parking,
                record,
                station.time_zone,
                session.operator_id,
                vehicles,
                self._discounts,
            )

        others = [(CDR_TARIFF, priced(t)) for t in record.tariffs[:1]]
        partner_total = Money(record.total_money)
        return rerate(priced(version.tariff), partner_total, others), version.ref


__all__ = ["DEFAULT_TARGET_KWH", "MIN_HOLD", "ChargePricer"]

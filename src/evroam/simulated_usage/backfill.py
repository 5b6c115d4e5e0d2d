"""The demo's backfill: past days of pile status and of drivers' charges (ADR 0025).

The status history of days the hub did not see comes from the occupancy
process (``occupancy``) and is imported through ``StatusService.import_history``
(rows before each pile's first recorded change, never its live status). The
simulated drivers' charges of those days run through the hub's own use cases
in process, with an explicit ``occurred_at``: accounts, top-ups and consent as
the API makes them, then ``ChargingService.start_charging`` and the partner's
events and charge record (``partner.PastPartner``). Every ledger transfer is
booked now, as the ledger's clock says; sessions, receipts and settlement rows
carry the times the charges happened.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np

from evroam.accounts.errors import VinTakenError
from evroam.accounts.model import Vehicle
from evroam.accounts.service import AccountService
from evroam.analytics.personal import PersonalDataService
from evroam.catalogue.model import PileStatus
from evroam.catalogue.service import CatalogueService
from evroam.charging.model import SessionStatus
from evroam.charging.remote import RemoteProtocol, SessionEnded, SessionStarted
from evroam.charging.service import ChargingService
from evroam.partners.service import PartnersService
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, OperatorId, PileId
from evroam.shared.money import Money
from evroam.simulated_usage.drivers import (
    CENTRE,
    DriverPlan,
    PlannedCharge,
    plan_charges,
    plan_driver,
)
from evroam.simulated_usage.occupancy import (
    Occupancy,
    PileKind,
    PileSpec,
    Segment,
    simulate,
)
from evroam.simulated_usage.partner import past_charge
from evroam.status.service import StatusService
from evroam.wallet.service import WalletService

IMPORT_CHUNK = 2_000  # piles per import transaction
SEARCH_RADIUS_M = 5_000.0
TOP_UP = Money.of(2_000)
BATTERY_KWH = {"BYD": 82.5, "NIO": 75.0, "XPeng": 78.0, "Tesla": 60.0}


@dataclass(frozen=True, slots=True)
class PilePlace:
    """A partner's pile and where it is (what the backfill reads of the catalogue)."""

    spec: PileSpec
    operator_id: OperatorId
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class BackfillReport:
    days: int
    piles: int
    status_rows: int
    drivers: int
    planned: int  # charges the drivers planned in the days
    placed: int  # of them, at a pile free for them within 5 km
    billed: int
    kwh: Decimal
    paid: Money
    seconds: float


@dataclass(frozen=True, slots=True)
class _Placed:
    """A planned charge put at a pile that was free for it."""

    charge: PlannedCharge
    place: PilePlace
    target_kwh: float
    car: tuple[float, float]
    linger_s: float


class Backfill:
    def __init__(
        self,
        *,
        status: StatusService,
        charging: ChargingService,
        catalogue: CatalogueService,
        partners: PartnersService,
        accounts: AccountService,
        wallet: WalletService,
        personal: PersonalDataService,
        confirm_top_up: Callable[[str, str], object],
        piles: Callable[[], Sequence[PilePlace]],
        clock: Clock,
    ) -> None:
        self._status = status
        self._charging = charging
        self._catalogue = catalogue
        self._partners = partners
        self._accounts = accounts
        self._wallet = wallet
        self._personal = personal
        self._confirm_top_up = confirm_top_up
        self._piles = piles
        self._clock = clock

    def run(
        self,
        days: int,
        drivers: int,
        seed: int,
        on_step: Callable[[str], None] = lambda _: None,
    ) -> BackfillReport:
        """Fill the last ``days`` days; piles whose history already reaches
        back that far are left as they are (a second run adds nothing)."""
        started = time.perf_counter()
        now = self._clock.now()
        start = (now - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        places, until = self._to_fill(start, now)
        on_step(f"simulating {days} days of {len(places):,} piles")
        span_days = (now - start) / timedelta(days=1)
        occupancy = simulate([p.spec for p in places], start, span_days, seed)
        placed: list[_Placed] = []
        plans: list[DriverPlan] = []
        charges: list[PlannedCharge] = []
        if places and drivers:
            rng = random.Random(f"{seed}:drivers")
            plans = [
                plan_driver(rng, i, _home_town(places, rng)) for i in range(drivers)
            ]
            charges = plan_charges(rng, plans, _local_day(start), days)
            placed = self._place(charges, plans, places, occupancy, until, rng)
        on_step(f"importing the status history of {len(places):,} piles")
        rows = self._import(occupancy, now)
        on_step(f"{len(plans)} drivers charging {len(placed)} times")
        accounts = self._open_accounts(plans, seed)
        kwh, paid, billed = Decimal(0), Money.zero(), 0
        for i, one in enumerate(placed):
            billed_kwh, charged = self._charge(one, accounts, seed, i)
            if charged is not None:
                kwh, paid, billed = kwh + billed_kwh, paid + charged, billed + 1
        return BackfillReport(
            days, len(places), rows, len(plans), len(charges), len(placed), billed,
            kwh, paid, time.perf_counter() - started,
        )  # fmt: skip

    # -- the network ---------------------------------------------------------------
    def _to_fill(
        self, start: datetime, now: datetime
    ) -> tuple[list[PilePlace], dict[PileId, datetime]]:
        """Partners' piles whose history does not reach back to ``start``, and
        until when each may be filled (the hub's own records start there)."""
        places = [p for p in self._piles() if p.operator_id in self._partner_ids()]
        first = self._status.history_starts([p.spec.pile_id for p in places])
        fill = [p for p in places if first.get(p.spec.pile_id, now) > start]
        return fill, {p.spec.pile_id: first.get(p.spec.pile_id, now) for p in fill}

    def _partner_ids(self) -> set[OperatorId]:
        return {p.id for p in self._partners.list_partners()}

    def _import(self, occupancy: Occupancy, now: datetime) -> int:
        timelines = list(occupancy.timelines().items())
        rows = 0
        for i in range(0, len(timelines), IMPORT_CHUNK):
            chunk = dict(timelines[i : i + IMPORT_CHUNK])
            rows += self._status.import_history(chunk, ends_at=now)
        return rows

    # -- the drivers ---------------------------------------------------------------
    def _place(
        self,
        charges: Sequence[PlannedCharge],
        plans: Sequence[DriverPlan],
        places: Sequence[PilePlace],
        occupancy: Occupancy,
        until: dict[PileId, datetime],
        rng: random.Random,
    ) -> list[_Placed]:
        """Each planned charge at the nearest pile free for it, if any within
        5 km, and over before the hub's own records of the pile start; its time
        at the pile joins the occupancy."""
        chargeable = [p for p in places if p.spec.kind is not PileKind.SWAP]
        lat = np.array([p.lat for p in chargeable])
        lon = np.array([p.lon for p in chargeable])
        placed = []
        for charge in charges:
            plan = plans[charge.driver]
            where = plan.work if charge.place == "work" and plan.work else plan.home
            car = (BATTERY_KWH.get(plan.brand, 70.0), rng.uniform(0.15, 0.45))
            target = min(float(charge.target_kwh), car[0] * (0.95 - car[1]))
            linger_s = rng.uniform(0, 600)
            for index in _nearest(lat, lon, where):
                place = chargeable[index]
                hours = target / min(place.spec.power_kw, 120.0) * 1.3
                begin = occupancy.seconds(charge.at)
                end = begin + hours * 3600 + linger_s
                pile_id = place.spec.pile_id
                if begin < 0 or occupancy.at(end) >= until[pile_id]:
                    continue
                if not occupancy.is_free(pile_id, begin, end):
                    continue
                occupancy.occupy(pile_id, [Segment(begin, end, PileStatus.CHARGING)])
                placed.append(_Placed(charge, place, target, car, linger_s))
                break
        return placed

    def _open_accounts(self, plans: Sequence[DriverPlan], seed: int) -> list[AccountId]:
        """Each driver signs up, registers the car, tops up and consents, as
        through the API."""
        accounts = []
        for i, plan in enumerate(plans):
            account = self._accounts.open_account(plan.name).account
            # An earlier run's driver of the same seed may hold the VIN: this
            # one then charges without a registered car.
            with contextlib.suppress(VinTakenError):
                self._accounts.register_vehicle(
                    account.id,
                    Vehicle(plan.vin, plan.brand, plan.model, date(2026, 1, 15)),
                )
            intent = self._wallet.top_up(account.id, TOP_UP, f"backfill-{seed}-{i}")
            self._confirm_top_up(account.id, intent.intent_id)
            self._personal.set_consent(account.id, True)
            accounts.append(account.id)
        return accounts

    def _charge(
        self, one: _Placed, accounts: Sequence[AccountId], seed: int, index: int
    ) -> tuple[Decimal, Money | None]:
        """One past charge through the charging use cases; (kWh, what the driver
        paid), or no money when it could not be billed."""
        account = accounts[one.charge.driver]
        place = one.place
        try:
            session = self._charging.start_charging(
                account,
                place.spec.pile_id,
                f"backfill-{seed}-{index}",
                Decimal(str(round(one.target_kwh, 1))),
                occurred_at=one.charge.at,
            )
            detail = self._catalogue.get_station(session.station_id)
            partner = self._partners.get_partner(place.operator_id)
            done = past_charge(
                session.id,
                detail.tariff,
                ZoneInfo(detail.station.time_zone),
                detail.station.parking,
                place.spec.power_kw,
                one.charge.at,
                one.target_kwh,
                one.car,
                one.linger_s,
                _protocol(partner.protocol.value),
            )
            events = (
                SessionStarted(session.id, f"P{session.id}", one.charge.at),
                SessionEnded(session.id, done.left_at),
                done.record,
            )
            for event in events:
                after = self._charging.handle(place.operator_id, event)
        except EvroamError:
            return Decimal(0), None
        if after is None or after.status is not SessionStatus.BILLED:
            return Decimal(0), None
        receipt = self._charging.get_receipt(account, session.id)
        return receipt.kwh, receipt.driver_total


def _protocol(value: str) -> RemoteProtocol:
    return "ocpi" if value == "ocpi" else "tcec"


def _home_town(places: Sequence[PilePlace], rng: random.Random) -> tuple[float, float]:
    """Where a driver lives: half of them in Shanghai (when the network reaches
    it: the brand's first market), the others near a pile of the network drawn at
    random, so towns that only a community network serves have drivers too."""
    near = [p for p in places if abs(p.lat - CENTRE[0]) + abs(p.lon - CENTRE[1]) < 0.5]
    if near and rng.random() < 0.5:
        return CENTRE
    place = rng.choice(places)
    return place.lat, place.lon


def _nearest(lat: np.ndarray, lon: np.ndarray, where: tuple[float, float]) -> list[int]:
    """Indexes of the piles within the search radius, nearest first."""
    if not len(lat):
        return []
    dy = (lat - where[0]) * 111_320.0
    dx = (lon - where[1]) * 111_320.0 * math.cos(math.radians(where[0]))
    distance = np.hypot(dx, dy)
    inside = np.flatnonzero(distance <= SEARCH_RADIUS_M)
    return [int(i) for i in inside[np.argsort(distance[inside], kind="stable")]]


def _local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).date()

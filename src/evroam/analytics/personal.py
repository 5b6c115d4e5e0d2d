"""A driver's own data: consent, personal usage report, export and erasure."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from evroam.accounts.model import Account, Vehicle
from evroam.charging.model import ChargingSession, Receipt, SessionStatus
from evroam.pile_reports.model import PileReport
from evroam.shared.clock import Clock
from evroam.shared.errors import EvroamError
from evroam.shared.ids import AccountId, StationId
from evroam.shared.money import Money
from evroam.wallet.ports import LedgerLine

USAGE_ANALYTICS = "usage_analytics"
PILE_REPORTS = "pile_reports"  # reporting piles broken or bays blocked (issue 13)
PURPOSES = frozenset({USAGE_ANALYTICS, PILE_REPORTS})
LOCAL_TIME_ZONE = "Asia/Shanghai"
CELL_M = 500.0  # favourite places: stations grouped by ~500 m grid cells
_M_PER_DEG_LAT = 111_320.0


class ConsentRequiredError(EvroamError):
    """The driver has not consented to the purpose this needs."""


class ErasureBlockedError(EvroamError):
    """Erasure must wait: a session or hold is still open."""


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One change of consent; the history of these is kept until erasure."""

    account_id: AccountId
    purpose: str
    is_granted: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Consent:
    usage_analytics: bool
    updated_at: datetime | None
    pile_reports: bool = False


@dataclass(frozen=True, slots=True)
class StationPlace:
    station_id: StationId
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class FavouritePlace:
    name: str  # the most visited station's name in the cell
    lat: float  # mean of the visited stations
    lon: float
    sessions: int
    station_ids: tuple[StationId, ...]


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str  # YYYY-MM in local time
    sessions: int


@dataclass(frozen=True, slots=True)
class UsageReport:
    sessions: int
    by_hour: tuple[int, ...]  # 24 counts, local hour of the start
    by_weekday: tuple[int, ...]  # 7 counts, Monday first
    per_month: tuple[MonthCount, ...]
    favourite_places: tuple[FavouritePlace, ...]
    average_kwh: Decimal
    total_spend: Money
    discount_savings: Money


def usage_report(
    receipts: Sequence[Receipt],
    sessions: Sequence[ChargingSession] = (),
    places: Mapping[StationId, StationPlace] | None = None,
    time_zone: str = LOCAL_TIME_ZONE,
    top: int = 5,
) -> UsageReport:
    """Billed receipts plus started sessions not (yet) billed, in local time."""
    billed = {r.session_id for r in receipts}
    visits = [(r.station_id, r.started_at) for r in receipts] + [
        (s.station_id, s.started_at)
        for s in sessions
        if s.started_at is not None and s.id not in billed
    ]
    zone = ZoneInfo(time_zone)
    starts = [at.astimezone(zone) for _, at in visits]
    by_hour, by_weekday = [0] * 24, [0] * 7
    for local in starts:
        by_hour[local.hour] += 1
        by_weekday[local.weekday()] += 1
    months = Counter(local.strftime("%Y-%m") for local in starts)
    kwh = [r.kwh for r in receipts]
    return UsageReport(
        sessions=len(visits),
        by_hour=tuple(by_hour),
        by_weekday=tuple(by_weekday),
        per_month=tuple(MonthCount(m, n) for m, n in sorted(months.items())),
        favourite_places=favourite_places(
            [station for station, _ in visits], places or {}, top
        ),
        average_kwh=(sum(kwh, Decimal(0)) / len(kwh)).quantize(Decimal("0.01"))
        if kwh
        else Decimal("0.00"),
        total_spend=_total(r.driver_total for r in receipts),
        discount_savings=_total(r.discount_total for r in receipts),
    )


def favourite_places(
    visited: Iterable[StationId], places: Mapping[StationId, StationPlace], top: int
) -> tuple[FavouritePlace, ...]:
    """Visits grouped by ~500 m cells, most visited first; unknown stations
    (no longer in the catalogue) are left out."""
    cells: dict[tuple[int, int], list[StationPlace]] = defaultdict(list)
    for station_id in visited:
        place = places.get(station_id)
        if place is not None:
            cells[grid_cell(place.lat, place.lon)].append(place)
    found = [_place(members) for members in cells.values()]
    found.sort(key=lambda p: (-p.sessions, p.name))
    return tuple(found[:top])


def grid_cell(lat: float, lon: float) -> tuple[int, int]:
    """The ~500 m by 500 m cell of a point (columns narrow with latitude)."""
    row = math.floor(lat * _M_PER_DEG_LAT / CELL_M)
    centre_lat = (row + 0.5) * CELL_M / _M_PER_DEG_LAT
    m_per_deg_lon = _M_PER_DEG_LAT * max(math.cos(math.radians(centre_lat)), 0.01)
    return row, math.floor(lon * m_per_deg_lon / CELL_M)


def _place(members: Sequence[StationPlace]) -> FavouritePlace:
    counts = Counter(m.station_id for m in members)
    by_id = {m.station_id: m for m in members}
    busiest = min(counts, key=lambda s: (-counts[s], by_id[s].name))
    return FavouritePlace(
        name=by_id[busiest].name,
        lat=round(sum(m.lat for m in members) / len(members), 5),
        lon=round(sum(m.lon for m in members) / len(members), 5),
        sessions=len(members),
        station_ids=tuple(sorted(counts)),
    )


def _total(amounts: Iterable[Money]) -> Money:
    total = Money.zero()
    for amount in amounts:
        total = total + amount
    return total


def current_consent(history: Sequence[ConsentRecord], purpose: str) -> Consent:
    """The latest record (history is oldest first) for ``purpose`` decides;
    none means no consent."""
    latest = next((r for r in reversed(history) if r.purpose == purpose), None)
    if latest is None:
        return Consent(False, None)
    return Consent(latest.is_granted, latest.at)


def pseudonym(secret: bytes, account_id: str) -> str:
    """An irreversible stand-in for an erased account (HMAC-SHA256, 12 hex)."""
    digest = hmac.new(secret, account_id.encode(), hashlib.sha256).hexdigest()
    return f"erased_{digest[:12]}"


# -- ports -----------------------------------------------------------------------


class PersonalDataStore(Protocol):
    def add_consent(self, record: ConsentRecord) -> None: ...

    def consent_history(self, account_id: AccountId) -> Sequence[ConsentRecord]: ...

    def erase(self, account_id: AccountId, pseudonym: str) -> None:
        """In one transaction: delete the account, its vehicles and consent;
        re-key sessions, receipts, holds, top-ups and ledger accounts to
        ``pseudonym``."""
        ...


class AccountDirectory(Protocol):
    def get_account(self, account_id: AccountId) -> Account: ...

    def list_vehicles(self, account_id: AccountId) -> Sequence[Vehicle]: ...


class ChargingHistory(Protocol):
    def list_sessions(
        self, account_id: AccountId, limit: int = ...
    ) -> Sequence[ChargingSession]: ...

    def list_receipts(
        self, account_id: AccountId, limit: int = ...
    ) -> Sequence[Receipt]: ...


# Station id -> where it is, for the stations still in the catalogue.
StationPlaces = Callable[[Iterable[StationId]], Mapping[StationId, StationPlace]]
# Every wallet line of one driver, newest first.
WalletHistory = Callable[[str], Sequence[LedgerLine]]


# -- use-cases -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonalExport:
    """Everything we hold about one driver."""

    account: Account
    vehicles: tuple[Vehicle, ...]
    consent_history: tuple[ConsentRecord, ...]
    sessions: tuple[ChargingSession, ...]
    receipts: tuple[Receipt, ...]
    wallet_lines: tuple[LedgerLine, ...]
    exported_at: datetime
    pile_reports: tuple[PileReport, ...] = ()


class PersonalDataService:
    """Consent, the usage report, export and erasure (ADR 0010)."""

    max_records = 100_000

    def __init__(
        self,
        store: PersonalDataStore,
        accounts: AccountDirectory,
        charging: ChargingHistory,
        wallet_lines: WalletHistory,
        places: StationPlaces,
        clock: Clock,
        secret: bytes,
        before_erase: Callable[[AccountId], object] | None = None,
        pile_reports: Callable[[AccountId], Sequence[PileReport]] | None = None,
    ) -> None:
        self._store = store
        # Other contexts' part of an erasure (tokens: unlinked and invalid),
        # done first: if the erasure then fails, the driver is locked out,
        # never left erased with a valid token.
        self._before_erase = before_erase
        self._accounts = accounts
        self._charging = charging
        self._wallet_lines = wallet_lines
        self._places = places
        self._clock = clock
        self._secret = secret
        self._pile_reports = pile_reports

    def get_consent(self, account_id: AccountId) -> Consent:
        history = self._store.consent_history(account_id)
        usage = current_consent(history, USAGE_ANALYTICS)
        reports = current_consent(history, PILE_REPORTS)
        changed = [at for at in (usage.updated_at, reports.updated_at) if at]
        return Consent(
            usage.usage_analytics,
            max(changed) if changed else None,
            reports.usage_analytics,
        )

    def has_consented(self, account_id: AccountId, purpose: str) -> bool:
        history = self._store.consent_history(account_id)
        return current_consent(history, purpose).usage_analytics

    def set_consent(
        self,
        account_id: AccountId,
        usage_analytics: bool | None = None,
        *,
        pile_reports: bool | None = None,
    ) -> Consent:
        """Change the purposes given (None: leave it); each change is kept."""
        now = self._clock.now()
        held = self.get_consent(account_id)
        for purpose, wanted, current in (
            (USAGE_ANALYTICS, usage_analytics, held.usage_analytics),
            (PILE_REPORTS, pile_reports, held.pile_reports),
        ):
            if wanted is not None and wanted != current:
                self._store.add_consent(ConsentRecord(account_id, purpose, wanted, now))
        return self.get_consent(account_id)

    def my_usage(self, account_id: AccountId) -> UsageReport:
        """The personal usage report; ConsentRequiredError without consent."""
        if not self.get_consent(account_id).usage_analytics:
            raise ConsentRequiredError(
                "usage analytics needs your consent: PUT /api/v1/me/consent"
            )
        receipts = self._charging.list_receipts(account_id, self.max_records)
        sessions = self._charging.list_sessions(account_id, self.max_records)
        stations = {r.station_id for r in receipts} | {s.station_id for s in sessions}
        return usage_report(receipts, sessions, self._places(stations))

    def export(self, account_id: AccountId) -> PersonalExport:
        return PersonalExport(
            account=self._accounts.get_account(account_id),
            vehicles=tuple(self._accounts.list_vehicles(account_id)),
            consent_history=tuple(self._store.consent_history(account_id)),
            sessions=tuple(self._charging.list_sessions(account_id, self.max_records)),
            receipts=tuple(self._charging.list_receipts(account_id, self.max_records)),
            wallet_lines=tuple(self._wallet_lines(account_id)),
            exported_at=self._clock.now(),
            pile_reports=tuple(
                () if self._pile_reports is None else self._pile_reports(account_id)
            ),
        )

    def erase(self, account_id: AccountId) -> str:
        """Erase the driver; returns the pseudonym their kept records now carry."""
        self._accounts.get_account(account_id)
        sessions = self._charging.list_sessions(account_id, self.max_records)
        # An ended session is not billed yet: its hold still names the driver.
        if any(s.status.is_open or s.status is SessionStatus.ENDED for s in sessions):
            raise ErasureBlockedError(
                "a charging session is still open: stop it before erasing"
            )
        alias = pseudonym(self._secret, account_id)
        if self._before_erase is not None:
            self._before_erase(account_id)
        self._store.erase(account_id, alias)
        return alias

"""In-memory implementations of every port, plus a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from evroam.accounts.errors import LoginTakenError
from evroam.accounts.model import Account, Vehicle
from evroam.catalogue.model import (
    Operator,
    Pile,
    PileStatus,
    Station,
    count_piles,
    keep_held_status,
)
from evroam.catalogue.search import (
    BoxQuery,
    Candidate,
    Cluster,
    NearQuery,
    OperatorStats,
    StationFilter,
    StationPoint,
    StationSummary,
    summarise,
)
from evroam.charging.errors import IdempotencyKeyReusedError
from evroam.charging.model import (
    BilledCharge,
    ChargeDispute,
    ChargingSession,
    DisputeReason,
    Receipt,
    SessionStatus,
)
from evroam.charging.remote import StartResult, StopResult
from evroam.charging.silence import WAITING, heard_at
from evroam.partners.errors import HandshakeError, PartnerUnreachableError
from evroam.partners.model import FeedHealth, NetworkBatch, Partner
from evroam.pricing.elements import ElementTariff, TariffVersion
from evroam.pricing.tariff import Tariff
from evroam.shared.geo import BoundingBox, distance_m
from evroam.shared.ids import AccountId, OperatorId, PileId, StationId, TariffId
from evroam.status.history import PileStatusChange, first_seen
from evroam.status.model import PileStatusChanged, PileStatusReport, SwapStockReport
from evroam.tokens.errors import CardTakenError
from evroam.tokens.model import DriverToken, TokenKind, TokenState
from evroam.wallet.memory import InMemoryLedgerStore


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now


def _matches(s: Station, f: StationFilter) -> bool:
    summary = summarise(s)
    checks = (
        not f.connectors or bool(f.connectors & summary.connectors),
        f.min_power_kw is None or summary.max_power_kw >= f.min_power_kw,
        not f.operator_ids or s.operator_id in f.operator_ids,
        f.is_available is None or (summary.piles.free > 0) == f.is_available,
        f.is_swap is None or s.is_swap == f.is_swap,
    )
    return all(checks)


class InMemoryStationRepository:
    def __init__(self) -> None:
        self.operators: dict[OperatorId, Operator] = {}
        self.tariffs: dict[TariffId, Tariff] = {}
        self.versions: list[TariffVersion] = []
        self.stations: dict[StationId, Station] = {}
        self.history: list[PileStatusChange] = []  # the status history, as written

    def save_operator(self, operator: Operator) -> None:
        self.operators[operator.id] = operator

    def find_operator(self, operator_id: OperatorId) -> Operator | None:
        return self.operators.get(operator_id)

    def list_operator_stats(self) -> Sequence[OperatorStats]:
        return [
            OperatorStats(
                op,
                sum(1 for s in self.stations.values() if s.operator_id == op.id),
                sum(
                    len(s.piles)
                    for s in self.stations.values()
                    if s.operator_id == op.id
                ),
                sum(
                    1
                    for s in self.stations.values()
                    if s.operator_id == op.id and s.is_swap
                ),
                frozenset(
                    c.standard
                    for s in self.stations.values()
                    if s.operator_id == op.id
                    for p in s.piles
                    for c in p.connectors
                ),
            )
            for op in sorted(self.operators.values(), key=lambda o: o.id)
        ]

    def save_tariffs(self, tariffs: Iterable[Tariff]) -> None:
        self.tariffs.update({t.id: t for t in tariffs})

    def tariffs_by_id(self, ids: Iterable[TariffId]) -> dict[TariffId, Tariff]:
        return {i: self.tariffs[i] for i in ids if i in self.tariffs}

    def save_tariff_versions(
        self, tariffs: Iterable[ElementTariff], valid_from: datetime
    ) -> int:
        stored = 0
        for tariff in tariffs:
            held = [v for v in self.versions if v.tariff.id == tariff.id]
            if held and held[-1].tariff == tariff:
                continue
            seq = len(self.versions) + 1
            self.versions.append(TariffVersion(tariff, valid_from, seq))
            stored += 1
        return stored

    def tariff_version_at(
        self, tariff_id: TariffId, at: datetime | None = None
    ) -> TariffVersion | None:
        held = [v for v in self.versions if v.tariff.id == tariff_id]
        if not held:
            return None
        if at is None:
            return held[-1]
        ordered = sorted(held, key=lambda v: (v.valid_from, v.seq))
        before = [v for v in ordered if v.valid_from <= at]
        return before[-1] if before else ordered[0]

    def tariff_generation(self) -> int:
        return len(self.versions)

    def save_stations(
        self, stations: Iterable[Station], keep_status: bool = False
    ) -> int:
        count = 0
        for station in stations:
            old = self.stations.get(station.id)
            if keep_status:
                held = {p.id: (p.status, p.status_at) for p in old.piles} if old else {}
                station = keep_held_status(station, held)
                self.history.extend(first_seen([station], held))
            self.stations[station.id] = station
            count += 1
        return count

    def find_station(self, station_id: StationId) -> Station | None:
        return self.stations.get(station_id)

    def summaries_named(self, text: str, limit: int) -> Sequence[StationSummary]:
        wanted = text.lower()
        found = [
            summarise(s)
            for s in sorted(self.stations.values(), key=lambda s: s.id)
            if wanted in s.name.lower() or wanted in s.address.lower()
        ]
        return found[:limit]

    def find_station_of_pile(self, pile_id: PileId) -> Station | None:
        return next(
            (
                s
                for s in self.stations.values()
                if any(p.id == pile_id for p in s.piles)
            ),
            None,
        )

    def candidates_near(self, query: NearQuery, want: int) -> Sequence[Candidate]:
        c = query.center
        hits = sorted(
            (distance_m(c.lat, c.lon, s.lat, s.lon), s.id, s)
            for s in self.stations.values()
            if _matches(s, query.filter)
        )
        return [
            Candidate(s.id, d, s.tariff_id, s.time_zone)
            for d, i, s in hits
            if d <= query.radius_m and (query.after is None or (d, i) > query.after)
        ]

    def candidates_in_box(self, query: BoxQuery, want: int) -> Sequence[Candidate]:
        rows = sorted(
            (
                s
                for s in self.stations.values()
                if query.box.contains(s.lat, s.lon)
                and _matches(s, query.filter)
                and (query.after is None or s.id > query.after)
            ),
            key=lambda s: s.id,
        )
        return [Candidate(s.id, None, s.tariff_id, s.time_zone) for s in rows[:want]]

    def points_in_box(
        self, box: BoundingBox, station_filter: StationFilter
    ) -> Sequence[StationPoint]:
        out = []
        for s in self.stations.values():
            if not box.contains(s.lat, s.lon) or not _matches(s, station_filter):
                continue
            piles = summarise(s).piles
            out.append(
                StationPoint(
                    s.id,
                    s.operator_id,
                    s.name,
                    s.lat,
                    s.lon,
                    s.is_swap,
                    s.connector_standards,
                    piles.free + piles.busy + piles.unknown,
                )
            )
        return out

    def find_stations(self, station_ids: Sequence[StationId]) -> list[Station]:
        return [self.stations[i] for i in station_ids if i in self.stations]

    def summaries(self, ids: Sequence[StationId]) -> Sequence[StationSummary]:
        return [summarise(self.stations[i]) for i in ids if i in self.stations]

    def pile_ids_for(
        self, operator_id: OperatorId, external_uids: Sequence[str]
    ) -> dict[str, PileId]:
        wanted = set(external_uids)
        return {
            p.external_uid: p.id
            for s in self.stations.values()
            if s.operator_id == operator_id
            for p in s.piles
            if p.external_uid in wanted
        }

    def external_station_ids(self, operator_id: OperatorId) -> list[str]:
        return sorted(
            s.external_id
            for s in self.stations.values()
            if s.operator_id == operator_id
        )

    def pile_counts(self, operator_id: OperatorId) -> tuple[int, int, int]:
        mine = [s for s in self.stations.values() if s.operator_id == operator_id]
        piles = [p for s in mine for p in s.piles]
        unknown = sum(1 for p in piles if p.status is PileStatus.UNKNOWN)
        return len(mine), len(piles), unknown

    def clusters(self, box: BoundingBox, cell_deg: float) -> Sequence[Cluster]:
        cells: dict[tuple[int, int], list[Station]] = {}
        for s in self.stations.values():
            if box.contains(s.lat, s.lon):
                key = (int(s.lat // cell_deg), int(s.lon // cell_deg))
                cells.setdefault(key, []).append(s)
        out = []
        for members in cells.values():
            counts = count_piles(tuple(p for s in members for p in s.piles))
            out.append(
                Cluster(
                    sum(s.lat for s in members) / len(members),
                    sum(s.lon for s in members) / len(members),
                    len(members),
                    counts,
                )
            )
        return out


def _is_newer_report(report: PileStatusReport, pile: Pile) -> bool:
    if pile.status_at is None or report.observed_at > pile.status_at:
        return True
    return (  # the same status heard again brings back a pile gone silent
        report.observed_at == pile.status_at
        and pile.status is PileStatus.UNKNOWN
        and report.status is not PileStatus.UNKNOWN
    )


class InMemoryStatusStore:
    """Status store over an InMemoryStationRepository's stations."""

    def __init__(self, repo: InMemoryStationRepository) -> None:
        self._repo = repo
        self._heard: dict[str, datetime] = {}  # the table's piles.heard_at

    def apply(self, reports: Sequence[PileStatusReport]) -> list[PileStatusChanged]:
        changed = []
        for report in sorted(reports, key=lambda r: r.observed_at):
            for station in list(self._repo.stations.values()):
                piles = list(station.piles)
                for i, pile in enumerate(piles):
                    if pile.id != report.pile_id:
                        continue
                    held = self._heard.get(pile.id)
                    self._heard[pile.id] = max(report.heard, held or report.heard)
                    if not _is_newer_report(report, pile):
                        continue
                    piles[i] = replace(
                        pile, status=report.status, status_at=report.observed_at
                    )
                    self._repo.stations[station.id] = replace(
                        station, piles=tuple(piles)
                    )
                    if pile.status != report.status:
                        self._repo.history.append(
                            PileStatusChange(
                                pile.id, report.observed_at, report.status, pile.status
                            )
                        )
                        changed.append(
                            PileStatusChanged(
                                station.id,
                                pile.id,
                                report.status,
                                report.observed_at,
                                station.lat,
                                station.lon,
                            )
                        )
        return changed

    def apply_swap_stock(self, reports: Sequence[SwapStockReport]) -> int:
        return 0

    def expire(
        self, operator_id: OperatorId, heard_before: datetime, now: datetime
    ) -> list[PileStatusChanged]:
        changed = []
        for station in list(self._repo.stations.values()):
            if station.operator_id != operator_id:
                continue
            piles = []
            for pile in station.piles:
                heard = self._heard.get(pile.id, pile.status_at)
                silent = heard is not None and heard < heard_before
                if silent and pile.status is not PileStatus.UNKNOWN:
                    self._repo.history.append(
                        PileStatusChange(pile.id, now, PileStatus.UNKNOWN, pile.status)
                    )
                    pile = replace(pile, status=PileStatus.UNKNOWN)
                    changed.append(
                        PileStatusChanged(
                            station.id,
                            pile.id,
                            PileStatus.UNKNOWN,
                            now,
                            station.lat,
                            station.lon,
                        )
                    )
                piles.append(pile)
            self._repo.stations[station.id] = replace(station, piles=tuple(piles))
        return changed

    def first_recorded(self, pile_ids: Sequence[PileId]) -> dict[PileId, datetime]:
        wanted, first = set(pile_ids), {}
        for row in self._repo.history:
            if row.pile_id in wanted:
                held = first.get(row.pile_id)
                first[row.pile_id] = min(held or row.changed_at, row.changed_at)
        return first

    def import_history(self, changes: Sequence[PileStatusChange]) -> int:
        self._repo.history.extend(changes)
        return len(changes)

    def changes_of(
        self, pile_ids: Sequence[PileId], since: datetime, until: datetime
    ) -> list[PileStatusChange]:
        wanted = set(pile_ids)
        return sorted(
            (
                r
                for r in self._repo.history
                if r.pile_id in wanted and since <= r.changed_at < until
            ),
            key=lambda r: r.changed_at,
        )


class RecordingEventBus:
    def __init__(self) -> None:
        self.published: list[PileStatusChanged] = []

    async def publish(self, events: Sequence[PileStatusChanged]) -> None:
        self.published.extend(events)

    async def subscribe(self) -> AsyncGenerator[PileStatusChanged, None]:
        return self._replay(list(self.published))

    async def _replay(
        self, events: list[PileStatusChanged]
    ) -> AsyncGenerator[PileStatusChanged, None]:
        for event in events:
            yield event


class InMemoryPartnerRepository:
    def __init__(self) -> None:
        self.partners: dict[OperatorId, Partner] = {}
        self.feeds: dict[OperatorId, FeedHealth] = {}

    def save(self, partner: Partner) -> None:
        self.partners[partner.id] = partner
        self.feeds.setdefault(partner.id, FeedHealth(partner.id))

    def find(self, partner_id: OperatorId) -> Partner | None:
        return self.partners.get(partner_id)

    def list(self) -> Sequence[Partner]:
        return [self.partners[k] for k in sorted(self.partners)]

    def remove(self, partner_id: OperatorId) -> None:
        self.partners.pop(partner_id, None)
        self.feeds.pop(partner_id, None)

    def health(self, partner_id: OperatorId) -> FeedHealth:
        return self.feeds.get(partner_id, FeedHealth(partner_id))

    def _update(self, partner_id: OperatorId, **changes: object) -> None:
        self.feeds[partner_id] = replace(self.health(partner_id), **changes)

    def record_push(self, partner_id, reports, changes, newest_observed_at, at) -> None:
        feed = self.health(partner_id)
        newest = feed.newest_observed_at
        if newest_observed_at is not None and (
            newest is None or newest_observed_at > newest
        ):
            newest = newest_observed_at
        self._update(
            partner_id,
            pushes_total=feed.pushes_total + reports,
            changes_total=feed.changes_total + changes,
            last_push_at=at,
            newest_observed_at=newest,
        )

    def record_sync(self, partner_id, stations, at) -> None:
        self._update(partner_id, last_sync_at=at, last_sync_stations=stations)

    def record_error(self, partner_id, message, at) -> None:
        feed = self.health(partner_id)
        self._update(
            partner_id,
            errors_total=feed.errors_total + 1,
            last_error=message,
            last_error_at=at,
        )

    def set_reachable(self, partner_id, is_reachable) -> None:
        self._update(partner_id, is_reachable=is_reachable)


class InMemoryLeaseStore:
    def __init__(self) -> None:
        self.held: dict[str, tuple[str, datetime]] = {}

    def try_acquire(self, name: str, holder: str, ttl_s: float, now: datetime) -> bool:
        current = self.held.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self.held[name] = (holder, now + timedelta(seconds=ttl_s))
        return True

    def release(self, name: str, holder: str) -> None:
        if self.held.get(name, ("", None))[0] == holder:
            del self.held[name]


class FakeGateway:
    """A partner that answers from a list of batches, or fails on demand."""

    def __init__(self, batches: Sequence[NetworkBatch] = ()) -> None:
        self.batches = list(batches)
        self.status_batches: list[NetworkBatch] = []
        self.failures_left = 0  # next N calls raise PartnerUnreachableError
        self.refuse = False
        self.connected: list[Partner] = []
        self.pulls = 0

    def _maybe_fail(self) -> None:
        if self.refuse:
            raise HandshakeError("credentials refused")
        if self.failures_left:
            self.failures_left -= 1
            raise PartnerUnreachableError("connection refused")

    async def connect(self, partner: Partner) -> Partner:
        self._maybe_fail()
        self.connected.append(partner)
        return partner.with_credentials(token_c="from-the-partner")

    async def pull_network(self, partner: Partner) -> AsyncIterator[NetworkBatch]:
        self.pulls += 1
        self._maybe_fail()
        for batch in self.batches:
            yield batch

    async def pull_status(
        self, partner: Partner, station_ids: Sequence[str]
    ) -> AsyncIterator[NetworkBatch]:
        self._maybe_fail()
        for batch in self.status_batches:
            yield batch

    async def ping(self, partner: Partner) -> None:
        self._maybe_fail()


class InMemoryAccountRepository:
    def __init__(self) -> None:
        self.accounts: dict[str, tuple[Account, str]] = {}
        self.cars: dict[str, list[Vehicle]] = {}
        self.transfers: list = []

    def add(self, account: Account, token_hash: str) -> None:
        self.accounts[account.id] = (account, token_hash)

    def find(self, account_id: str) -> Account | None:
        held = self.accounts.get(account_id)
        return held[0] if held else None

    def find_by_token_hash(self, token_hash: str) -> Account | None:
        for account, hashed in self.accounts.values():
            if hashed == token_hash:
                return account
        return None

    def add_vehicle(self, account_id: str, vehicle: Vehicle) -> str:
        for holder, cars in self.cars.items():
            if holder != account_id and any(v.vin == vehicle.vin for v in cars):
                return holder
        cars = [v for v in self.cars.get(account_id, []) if v.vin != vehicle.vin]
        self.cars[account_id] = [*cars, vehicle]
        return account_id

    def vehicles(self, account_id: str) -> Sequence[Vehicle]:
        return list(self.cars.get(account_id, []))

    def find_vehicle_holder(self, vin):
        for holder, cars in self.cars.items():
            if any(v.vin == vin for v in cars):
                return holder
        return None

    def transfer_vehicle(self, transfer) -> bool:
        if self.find_vehicle_holder(transfer.vin) != transfer.from_account:
            return False
        cars = self.cars[transfer.from_account]
        [car] = [v for v in cars if v.vin == transfer.vin]
        self.cars[transfer.from_account] = [v for v in cars if v is not car]
        self.cars.setdefault(transfer.to_account, []).append(car)
        self.transfers.append(transfer)
        return True

    def vehicle_transfers(self, vin):
        return [t for t in self.transfers if t.vin == vin]


class InMemorySignInStore:
    def __init__(self) -> None:
        self.logins: dict[str, tuple[str, str]] = {}  # login -> (account, hash)
        self.sessions: dict[str, tuple[str, datetime]] = {}  # hash -> (acc, exp)

    def add_login(self, account_id, login, password_hash, at) -> None:
        taken = login in self.logins or any(
            a == account_id for a, _ in self.logins.values()
        )
        if taken:
            raise LoginTakenError()
        self.logins[login] = (account_id, password_hash)

    def find_login(self, login):
        return self.logins.get(login)

    def add_web_session(self, token_hash, account_id, created_at, expires_at):
        self.sessions[token_hash] = (account_id, expires_at)

    def find_web_session(self, token_hash, now):
        found = self.sessions.get(token_hash)
        return found[0] if found and found[1] > now else None

    def delete_web_session(self, token_hash) -> None:
        self.sessions.pop(token_hash, None)


class InMemorySessionStore:
    """SessionStore in dicts over an in-memory ledger: a transaction copies the
    sessions and opens the ledger's unit of work, and commits both or neither.
    ``fail_next_bill`` simulates a crash while a receipt is written."""

    def __init__(
        self,
        ledger: InMemoryLedgerStore | None = None,
        dispute_store: InMemoryDisputeStore | None = None,
    ) -> None:
        self.ledger = ledger or InMemoryLedgerStore()
        self.dispute_store = dispute_store  # also gets every dispute opened
        self.sessions: dict[str, ChargingSession] = {}
        self.keys: dict[tuple[str, str], tuple[str, str]] = {}
        self.receipts: dict[str, Receipt] = {}
        self.charges: dict[str, BilledCharge] = {}
        self.disputes: dict[str, ChargeDispute] = {}
        self.fail_next_bill = False

    def add(self, session, idempotency_key, fingerprint):
        held = self.keys.get((session.account_id, idempotency_key))
        if held is not None:
            if held[1] != fingerprint:
                raise IdempotencyKeyReusedError(idempotency_key)
            return self.sessions[held[0]]
        self.keys[(session.account_id, idempotency_key)] = (session.id, fingerprint)
        self.sessions[session.id] = session
        return session

    def find_by_key(self, account_id, idempotency_key):
        held = self.keys.get((account_id, idempotency_key))
        if held is None:
            return None
        return self.sessions[held[0]], held[1]

    def find(self, session_id):
        return self.sessions.get(session_id)

    @contextmanager
    def transaction(self):
        with self.ledger.unit_of_work() as ledger:
            tx = _InMemorySessionTransaction(self, ledger)
            yield tx
            if ledger.committed:
                self.sessions.update(tx.sessions)
                self.receipts.update(tx.receipts)
                self.charges.update(tx.charges)
                self.disputes.update(tx.disputes)
                for dispute in tx.disputes.values():
                    if self.dispute_store is not None:
                        self.dispute_store.open(dispute)

    def discard_unheld(self, session_id):
        session = self.sessions.get(session_id)
        if session is not None and not session.hold_id:
            del self.sessions[session_id]
            self.keys = {k: v for k, v in self.keys.items() if v[0] != session_id}

    def list_for_account(self, account_id, limit):
        mine = [s for s in self.sessions.values() if s.account_id == account_id]
        return sorted(mine, key=lambda s: s.created_at, reverse=True)[:limit]

    def list_requested(self, limit):
        waiting = [
            s for s in self.sessions.values() if s.status is SessionStatus.REQUESTED
        ]
        return sorted(waiting, key=lambda s: (s.created_at, s.id))[:limit]

    def list_silent(self, heard_before, limit):
        silent = [
            s
            for s in self.sessions.values()
            if s.status in WAITING and heard_at(s) <= heard_before
        ]
        return sorted(silent, key=lambda s: (heard_at(s), s.id))[:limit]

    def find_receipt(self, session_id):
        return self.receipts.get(session_id)

    def list_receipts(self, account_id, limit):
        return [r for r in self.receipts.values() if r.account_id == account_id][:limit]

    def list_disputes(self, session_id):
        return [d for d in self.disputes.values() if d.session_id == session_id]


class _InMemorySessionTransaction:
    def __init__(self, store: InMemorySessionStore, ledger) -> None:
        self._store = store
        self.ledger = ledger
        self.sessions: dict[str, ChargingSession] = {}
        self.receipts: dict[str, Receipt] = {}
        self.charges: dict[str, BilledCharge] = {}
        self.disputes: dict[str, ChargeDispute] = {}

    def save(self, session):
        stored = self.sessions.get(session.id) or self._store.sessions[session.id]
        if stored.version != session.version - 1:
            return False
        self.sessions[session.id] = session
        return True

    def add_receipt(self, receipt, charge):
        if self._store.fail_next_bill:
            self._store.fail_next_bill = False
            raise ConnectionError("crash: the database went away mid-billing")
        if receipt.session_id in self._store.receipts:
            raise AssertionError(f"a second receipt for {receipt.session_id}")
        self.receipts[receipt.session_id] = receipt
        self.charges[charge.session_id] = charge

    def open_dispute(self, dispute):
        if dispute.id in self._store.disputes:
            raise AssertionError(f"dispute {dispute.id} opened twice")
        self.disputes[dispute.id] = dispute

    def commit(self):
        self.ledger.commit()


class FakeRemoteCharging:
    """A partner's remote charging that accepts or refuses starts on command,
    and answers status queries from ``answers`` (ref -> events; none: the
    partner does not answer)."""

    can_resend_start = False

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.stops: list[str] = []
        self.queries: list[str] = []
        self.answers: dict[str, list] = {}
        self.accept = True
        self.unreachable = False
        self.accept_stop: Callable[[str], bool] = lambda _ref: True

    def query_session(self, partner, session_ref):
        self.queries.append(session_ref)
        if self.unreachable or session_ref not in self.answers:
            raise PartnerUnreachableError("no answer")
        return list(self.answers[session_ref])

    def start(self, partner, pile, session_ref, token_uid):
        if self.unreachable:
            raise PartnerUnreachableError("connection refused")
        self.starts.append(session_ref)
        return StartResult(
            session_ref, self.accept, None, None if self.accept else "busy"
        )

    def stop(self, partner, pile, session_ref, partner_session_id):
        self.stops.append(session_ref)
        return StopResult(session_ref, self.accept_stop(session_ref))


class InMemoryDriverTokenStore:
    """The tokens context's TokenStore in dicts."""

    def __init__(self) -> None:
        self.tokens: dict[str, DriverToken] = {}
        self.blocked: dict[str, datetime] = {}

    def add(self, token: DriverToken) -> None:
        if token.uid in self.tokens:
            raise CardTakenError(token.uid)
        self.tokens[token.uid] = token

    def find(self, uid: str, kind: TokenKind | None = None) -> DriverToken | None:
        token = self.tokens.get(uid)
        return token if token and (kind is None or token.kind is kind) else None

    def for_account(self, account_id: AccountId) -> Sequence[DriverToken]:
        return sorted(
            (t for t in self.tokens.values() if t.account_id == account_id),
            key=lambda t: (t.kind.value, t.uid),
        )

    def set_state(self, account_id: AccountId, state: TokenState, at: datetime) -> int:
        mine = [t for t in self.for_account(account_id) if t.state is not state]
        for token in mine:
            self.tokens[token.uid] = token.moved_to(state, at)
        return len(mine)

    def is_blocked(self, account_id: AccountId) -> bool:
        return account_id in self.blocked

    def set_blocked(self, account_id: AccountId, blocked_at: datetime | None) -> None:
        self.blocked.pop(account_id, None)
        if blocked_at is not None:
            self.blocked[account_id] = blocked_at

    def _ordered(self) -> list[DriverToken]:
        return sorted(self.tokens.values(), key=lambda t: (t.updated_at, t.uid))

    def page(self, updated_from, updated_to, offset: int, limit: int):
        matching = [
            t
            for t in self._ordered()
            if (updated_from is None or t.updated_at >= updated_from)
            and (updated_to is None or t.updated_at < updated_to)
        ]
        return matching[offset : offset + limit], len(matching)

    def changed_after(self, after, limit: int) -> Sequence[DriverToken]:
        return [
            t for t in self._ordered() if after is None or (t.updated_at, t.uid) > after
        ][:limit]


class InMemoryDisputeStore:
    """DisputeStore in memory: one dispute per partner, record and reason."""

    def __init__(self) -> None:
        self.disputes: list[ChargeDispute] = []

    def open(self, dispute: ChargeDispute) -> ChargeDispute:
        held = self.find(dispute.operator_id, dispute.partner_record_id, dispute.reason)
        if held is not None:
            return held
        self.disputes.append(dispute)
        return dispute

    def find(
        self, operator_id: OperatorId, partner_record_id: str, reason: DisputeReason
    ) -> ChargeDispute | None:
        return next(
            (
                d
                for d in self.disputes
                if (d.operator_id, d.partner_record_id, d.reason)
                == (operator_id, partner_record_id, reason)
            ),
            None,
        )

    def list(
        self,
        operator_id: OperatorId | None = None,
        opened_from: datetime | None = None,
        opened_before: datetime | None = None,
        limit: int = 500,
    ) -> Sequence[ChargeDispute]:
        kept = [
            d
            for d in self.disputes
            if (operator_id is None or d.operator_id == operator_id)
            and (opened_from is None or d.opened_at >= opened_from)
            and (opened_before is None or d.opened_at < opened_before)
        ]
        return sorted(kept, key=lambda d: d.opened_at, reverse=True)[:limit]

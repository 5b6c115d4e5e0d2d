"""SQL implementation of the catalogue's StationRepository (SQLite and PostGIS)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Integer,
    RowMapping,
    Select,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from evroam.catalogue.model import (
    ConnectorStandard,
    Operator,
    PileCounts,
    PileStatus,
    Station,
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
)
from evroam.pricing.elements import ElementTariff, TariffVersion
from evroam.pricing.tariff import Tariff
from evroam.shared.geo import BoundingBox, distance_m
from evroam.shared.ids import OperatorId, PileId, StationId, TariffId
from evroam.status.history import first_seen
from evroam.storage.codec import (
    aware_utc,
    tariff_from_json,
    tariff_to_json,
)
from evroam.storage.engine import is_sqlite, pile_status_transaction
from evroam.storage.spatial import (
    PostgisIndex,
    SpatialIndex,
    SqliteRtreeIndex,
    base_candidate_select,
)
from evroam.storage.station_rows import (
    operator_of,
    pile_of,
    pile_row,
    station_of,
    station_row,
    summary_of,
)
from evroam.storage.status_history import ensure_partitions, insert_history
from evroam.storage.tables import (
    operators,
    piles,
    stations,
    tariff_versions,
    tariffs,
)
from evroam.storage.tariff_codec import (
    element_tariff_from_json,
    element_tariff_to_json,
)

_CHUNK = 500
_FIRST_RADIUS_M = 1_000.0
# Rows past ``want`` a sorted near query asks for, so that float noise between
# the database's distance and ours can never drop one of the nearest.
_NEAR_MARGIN = 8
# Statements run on every search, built once (building one costs more than
# running it).
_NEWEST_VERSION = select(func.max(tariff_versions.c.seq))
_STATION = select(stations).where(stations.c.id == bindparam("id"))
_PILES = (
    select(piles).where(piles.c.station_sid == bindparam("sid")).order_by(piles.c.id)
)
_STATIONS = select(stations).where(stations.c.id.in_(bindparam("ids", expanding=True)))
_PILES_OF = (
    select(piles)
    .where(piles.c.station_sid.in_(bindparam("sids", expanding=True)))
    .order_by(piles.c.station_sid, piles.c.id)
)
_SUMMARIES = select(stations).where(stations.c.id.in_(bindparam("ids", expanding=True)))


class SqlStationRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._spatial: SpatialIndex = (
            SqliteRtreeIndex() if is_sqlite(engine) else PostgisIndex()
        )
        self._near_statements: dict[tuple[object, ...], tuple[Select[Any], bool]] = {}

    # -- operators and tariffs -------------------------------------------------
    def save_operator(self, operator: Operator) -> None:
        row = {
            "id": operator.id,
            "name": operator.name,
            "profile": operator.profile.value,
            "protocol": operator.protocol.value,
            "country_code": operator.country_code,
            "party_id": operator.party_id,
        }
        with self._engine.begin() as conn:
            conn.execute(delete(operators).where(operators.c.id == operator.id))
            conn.execute(insert(operators), [row])

    def find_operator(self, operator_id: OperatorId) -> Operator | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(operators).where(operators.c.id == operator_id))
                .mappings()
                .first()
            )
        return operator_of(row) if row else None

    def list_operator_stats(self) -> Sequence[OperatorStats]:
        c = stations.c
        counts = (
            select(
                c.operator_id,
                func.count().label("stations"),
                func.sum(
                    c.piles_free + c.piles_busy + c.piles_offline + c.piles_unknown
                ).label("piles"),
                func.sum(func.cast(c.is_swap, Integer)).label("swaps"),
            )
            .group_by(c.operator_id)
            .subquery()
        )
        query = (
            select(operators, counts.c.stations, counts.c.piles, counts.c.swaps)
            .select_from(
                operators.outerjoin(counts, counts.c.operator_id == operators.c.id)
            )
            .order_by(operators.c.id)
        )
        masks = select(c.operator_id, c.connector_mask).distinct()
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            found: dict[str, int] = {}
            for operator_id, mask in conn.execute(masks):
                found[operator_id] = found.get(operator_id, 0) | int(mask)
        return [
            OperatorStats(
                operator_of(r),
                int(r["stations"] or 0),
                int(r["piles"] or 0),
                int(r["swaps"] or 0),
                ConnectorStandard.from_mask(found.get(r["id"], 0)),
            )
            for r in rows
        ]

    def save_tariffs(self, items: Iterable[Tariff]) -> None:
        rows = [{"id": t.id, "body": tariff_to_json(t)} for t in items]
        with self._engine.begin() as conn:
            for chunk in _chunks(rows):
                conn.execute(
                    delete(tariffs).where(tariffs.c.id.in_([r["id"] for r in chunk]))
                )
                conn.execute(insert(tariffs), chunk)

    def tariffs_by_id(self, ids: Iterable[TariffId]) -> dict[TariffId, Tariff]:
        wanted = sorted(set(ids))
        found: dict[TariffId, Tariff] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(wanted):
                for row in conn.execute(select(tariffs).where(tariffs.c.id.in_(chunk))):
                    found[TariffId(row.id)] = tariff_from_json(row.id, row.body)
        return found

    # -- canonical tariff versions (ADR 0023) -------------------------------------
    def save_tariff_versions(
        self, items: Iterable[ElementTariff], valid_from: datetime
    ) -> int:
        """A new version of each tariff whose body differs from its latest one,
        in force from ``valid_from``; returns how many were stored."""
        bodies = {t.id: element_tariff_to_json(t) for t in items}
        v = tariff_versions.c
        stored = 0
        with self._engine.begin() as conn:
            for chunk in _chunks(sorted(bodies)):
                newest = (
                    select(func.max(v.seq))
                    .where(v.tariff_id.in_(chunk))
                    .group_by(v.tariff_id)
                )
                held = dict(
                    conn.execute(
                        select(v.tariff_id, v.body).where(v.seq.in_(newest))
                    ).all()
                )
                rows = [
                    {"tariff_id": i, "valid_from": valid_from, "body": bodies[i]}
                    for i in chunk
                    if held.get(i) != bodies[i]
                ]
                if rows:
                    conn.execute(insert(tariff_versions), rows)
                    stored += len(rows)
        return stored

    def tariff_version_at(
        self, tariff_id: TariffId, at: datetime | None = None
    ) -> TariffVersion | None:
        """The version in force at ``at`` (the newest one when None); before
        the first version's ``valid_from``, the first version."""
        v = tariff_versions.c
        newest_first = select(tariff_versions).where(v.tariff_id == tariff_id)
        query = newest_first.order_by(v.valid_from.desc(), v.seq.desc())
        if at is not None:
            query = query.where(v.valid_from <= at.astimezone(UTC))
        with self._engine.connect() as conn:
            row = conn.execute(query.limit(1)).mappings().first()
            if row is None and at is not None:
                oldest = newest_first.order_by(v.valid_from, v.seq).limit(1)
                row = conn.execute(oldest).mappings().first()
        return None if row is None else _version(row)

    def tariff_generation(self) -> int:
        with self._engine.connect() as conn:
            newest = conn.execute(_NEWEST_VERSION).scalar()
        return int(newest or 0)

    # -- stations ----------------------------------------------------------------
    def save_stations(self, items: Iterable[Station], keep_status: bool = False) -> int:
        batch = list(items)
        if not batch:
            return 0
        if keep_status:
            ensure_partitions(
                self._engine,
                (p.status_at for s in batch for p in s.piles if p.status_at),
            )
        with self._transaction(keep_status) as conn:
            existing = self._existing_sids(conn, [s.id for s in batch])
            if keep_status:
                held = self._held_statuses(conn, list(existing.values()))
                batch = [keep_held_status(station, held) for station in batch]
                # A partner's pile the hub sees for the first time opens its
                # history (ADR 0024).
                insert_history(conn, first_seen(batch, held))
            if existing:
                sids = list(existing.values())
                conn.execute(delete(piles).where(piles.c.station_sid.in_(sids)))
                conn.execute(delete(stations).where(stations.c.sid.in_(sids)))
                self._spatial.forget(conn, sids)
            result = conn.execute(
                insert(stations).returning(
                    stations.c.sid,
                    stations.c.lat,
                    stations.c.lon,
                    sort_by_parameter_order=True,
                ),
                [station_row(s) for s in batch],
            )
            placed = [(int(r.sid), float(r.lat), float(r.lon)) for r in result]
            self._spatial.index(conn, placed)
            pile_rows = [
                pile_row(pile, sid)
                for (sid, _, _), station in zip(placed, batch, strict=True)
                for pile in station.piles
            ]
            if pile_rows:
                conn.execute(insert(piles), pile_rows)
        return len(batch)

    def _transaction(self, keep_status: bool) -> AbstractContextManager[Connection]:
        # Keeping the held statuses reads them before rewriting the piles: no
        # status update may land in between (it would be written over).
        if keep_status:
            return pile_status_transaction(self._engine)
        return self._engine.begin()

    def _held_statuses(
        self, conn: Connection, sids: list[int]
    ) -> dict[str, tuple[PileStatus, datetime | None]]:
        held: dict[str, tuple[PileStatus, datetime | None]] = {}
        for chunk in _chunks(sids):
            rows = conn.execute(
                select(piles.c.id, piles.c.status, piles.c.status_at).where(
                    piles.c.station_sid.in_(chunk)
                )
            )
            held.update(
                {r.id: (PileStatus(r.status), aware_utc(r.status_at)) for r in rows}
            )
        return held

    def _existing_sids(self, conn: Connection, ids: list[StationId]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(stations.c.id, stations.c.sid).where(stations.c.id.in_(chunk))
            )
            found.update({r.id: int(r.sid) for r in rows})
        return found

    def pile_rows(self) -> list[tuple[str, str, str, str, float, float, float, bool]]:
        """(pile, station, operator, city, lat, lon, power kW, is swap) of every
        pile: what simulated usage needs of the network."""
        query = select(
            piles.c.id,
            stations.c.id,
            stations.c.operator_id,
            stations.c.city,
            stations.c.lat,
            stations.c.lon,
            piles.c.max_power_kw,
            stations.c.is_swap,
        ).join(stations, piles.c.station_sid == stations.c.sid)
        with self._engine.connect() as conn:
            return [
                (p, st, op, city, float(lat), float(lon), float(kw), bool(swap))
                for p, st, op, city, lat, lon, kw, swap in conn.execute(query)
            ]

    def find_station(self, station_id: StationId) -> Station | None:
        with self._engine.connect() as conn:
            row = conn.execute(_STATION, {"id": station_id}).mappings().first()
            if row is None:
                return None
            pile_rows = conn.execute(_PILES, {"sid": row["sid"]}).mappings().all()
        return station_of(row, tuple(pile_of(p) for p in pile_rows))

    def find_stations(self, station_ids: Sequence[StationId]) -> list[Station]:
        rows: dict[str, RowMapping] = {}
        held: dict[int, list[RowMapping]] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(station_ids))):
                found = conn.execute(_STATIONS, {"ids": list(chunk)}).mappings().all()
                rows.update({r["id"]: r for r in found})
                sids = [r["sid"] for r in found]
                for p in conn.execute(_PILES_OF, {"sids": sids}).mappings():
                    held.setdefault(p["station_sid"], []).append(p)
        return [
            station_of(rows[i], tuple(pile_of(p) for p in held.get(rows[i]["sid"], ())))
            for i in station_ids
            if i in rows
        ]

    def find_station_of_pile(self, pile_id: PileId) -> Station | None:
        with self._engine.connect() as conn:
            station_id = conn.execute(
                select(stations.c.id)
                .join(piles, piles.c.station_sid == stations.c.sid)
                .where(piles.c.id == pile_id)
            ).scalar()
        return self.find_station(StationId(station_id)) if station_id else None

    # -- search --------------------------------------------------------------------
    def candidates_near(self, query: NearQuery, want: int) -> Sequence[Candidate]:
        """Grows the radius from 1 km until ``want`` rows match. The statement
        is built once per filter shape and bound per round; where the database
        can sort by distance it returns only a few rows more than ``want`` (the
        exact radius test and order run here), so dense city cores never ship
        thousands of rows to Python."""
        lat, lon = query.center.lat, query.center.lon
        radius = _FIRST_RADIUS_M
        if query.after is not None:
            radius = max(radius, query.after[0] * 1.5 + 1_000.0)
        limit = want + _NEAR_MARGIN
        with self._engine.connect() as conn:
            stmt, is_sorted = self._near_statement(conn, query)
            params = _filter_params(query.filter)
            if is_sorted:
                params.update(self._spatial.key_params(lat, lon))
                if query.after is not None:
                    params["key_min"] = self._spatial.key_at_least(query.after[0])
            while True:
                radius = min(radius, query.radius_m)
                params.update(self._spatial.near_params(lat, lon, radius))
                params["row_limit"] = limit
                rows = conn.execute(stmt, params).all()
                hits = [
                    (d, r[1], r[4], r[5])
                    for r in rows
                    if (d := distance_m(lat, lon, r[2], r[3])) <= radius
                ]
                if query.after is not None:
                    hits = [h for h in hits if (h[0], h[1]) > query.after]
                if is_sorted and len(rows) >= limit and len(hits) < want:
                    last = rows[-1]
                    if distance_m(lat, lon, last[2], last[3]) <= radius:
                        limit *= 4  # rows at the mark took the places: ask again
                        continue
                if len(hits) >= want or radius >= query.radius_m:
                    break
                radius *= 3.0
        hits.sort(key=lambda h: (h[0], h[1]))
        return [
            Candidate(StationId(i), d, TariffId(tariff), zone)
            for d, i, tariff, zone in hits
        ]

    def _near_statement(
        self, conn: Connection, query: NearQuery
    ) -> tuple[Select[Any], bool]:
        """The near query's statement for this filter shape, with bind
        parameters; True when the database sorts the rows by distance."""
        f = query.filter
        shape = (
            bool(f.connectors),
            f.min_power_kw is not None,
            bool(f.operator_ids),
            f.is_available,
            f.is_swap,
            query.after is not None,
        )
        found = self._near_statements.get(shape)
        if found is not None:
            return found
        stmt = base_candidate_select().where(
            self._spatial.near_clause(), *_filter_clauses(f, bound=True)
        )
        key = self._spatial.distance_key(conn)
        if key is not None:
            if query.after is not None:
                stmt = stmt.where(key >= bindparam("key_min", type_=Float))
            stmt = stmt.order_by(key, stations.c.id).limit(
                bindparam("row_limit", type_=Integer)
            )
        self._near_statements[shape] = (stmt, key is not None)
        return stmt, key is not None

    def candidates_in_box(self, query: BoxQuery, want: int) -> Sequence[Candidate]:
        box = query.box
        c = stations.c
        where = [
            self._spatial.in_box(box),
            c.lat.between(box.min_lat, box.max_lat),
            c.lon.between(box.min_lon, box.max_lon),
            *_filter_clauses(query.filter),
        ]
        if query.after is not None:
            where.append(c.id > query.after)
        stmt = base_candidate_select().where(*where).order_by(c.id).limit(want)
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [
            Candidate(StationId(r.id), None, TariffId(r.tariff_id), r.time_zone)
            for r in rows
        ]

    def points_in_box(
        self, box: BoundingBox, station_filter: StationFilter
    ) -> Sequence[StationPoint]:
        c = stations.c
        stmt = select(
            c.id, c.operator_id, c.name, c.lat, c.lon, c.is_swap, c.connector_mask,
            c.piles_free + c.piles_busy + c.piles_unknown,
        ).where(
            self._spatial.in_box(box),
            c.lat.between(box.min_lat, box.max_lat),
            c.lon.between(box.min_lon, box.max_lon),
            *_filter_clauses(station_filter),
        )  # fmt: skip
        masks: dict[int, frozenset[ConnectorStandard]] = {}
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        out = []
        for i, op, name, lat, lon, swap, mask, online in rows:
            plugs = masks.get(mask)
            if plugs is None:
                plugs = masks[mask] = ConnectorStandard.from_mask(mask)
            out.append(
                StationPoint(
                    StationId(i),
                    OperatorId(op),
                    name,
                    float(lat),
                    float(lon),
                    bool(swap),
                    plugs,
                    int(online),
                )
            )
        return out

    def summaries_named(self, text: str, limit: int) -> Sequence[StationSummary]:
        pattern = "%" + text.lower().replace("%", "").replace("_", "") + "%"
        query = (
            select(stations)
            .where(
                func.lower(stations.c.name).like(pattern)
                | func.lower(stations.c.address).like(pattern)
            )
            .order_by(stations.c.id)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [summary_of(row) for row in conn.execute(query).mappings()]

    def summaries(self, ids: Sequence[StationId]) -> Sequence[StationSummary]:
        by_id: dict[str, StationSummary] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(ids)):
                rows = conn.execute(_SUMMARIES, {"ids": list(chunk)})
                for row in rows.mappings():
                    by_id[row["id"]] = summary_of(row)
        return [by_id[i] for i in ids if i in by_id]

    # -- pile directory (partners.ports.PileDirectory) --------------------------------
    def pile_ids_for(
        self, operator_id: OperatorId, external_uids: Sequence[str]
    ) -> dict[str, PileId]:
        found: dict[str, PileId] = {}
        query = select(piles.c.external_uid, piles.c.id).join(
            stations, stations.c.sid == piles.c.station_sid
        )
        with self._engine.connect() as conn:
            for chunk in _chunks(sorted(set(external_uids))):
                rows = conn.execute(
                    query.where(
                        stations.c.operator_id == operator_id,
                        piles.c.external_uid.in_(chunk),
                    )
                )
                found.update({r.external_uid: PileId(r.id) for r in rows})
        return found

    def external_station_ids(self, operator_id: OperatorId) -> list[str]:
        query = (
            select(stations.c.external_id)
            .where(stations.c.operator_id == operator_id)
            .order_by(stations.c.external_id)
        )
        with self._engine.connect() as conn:
            return [r.external_id for r in conn.execute(query)]

    def pile_counts(self, operator_id: OperatorId) -> tuple[int, int, int]:
        c = stations.c
        query = select(
            func.count(),
            func.coalesce(
                func.sum(
                    c.piles_free + c.piles_busy + c.piles_offline + c.piles_unknown
                ),
                0,
            ),
            func.coalesce(func.sum(c.piles_unknown), 0),
        ).where(c.operator_id == operator_id)
        with self._engine.connect() as conn:
            row = conn.execute(query).one()
        return int(row[0]), int(row[1]), int(row[2])

    def clusters(self, box: BoundingBox, cell_deg: float) -> Sequence[Cluster]:
        c = stations.c
        cell_lat = func.floor(c.lat / cell_deg).label("cell_lat")
        cell_lon = func.floor(c.lon / cell_deg).label("cell_lon")
        stmt = (
            select(
                cell_lat,
                cell_lon,
                func.avg(c.lat),
                func.avg(c.lon),
                func.count(),
                func.sum(c.piles_free),
                func.sum(c.piles_busy),
                func.sum(c.piles_offline),
                func.sum(c.piles_unknown),
            )
            .where(
                self._spatial.in_box(box),
                c.lat.between(box.min_lat, box.max_lat),
                c.lon.between(box.min_lon, box.max_lon),
            )
            .group_by(cell_lat, cell_lon)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [
            Cluster(
                float(r[2]),
                float(r[3]),
                int(r[4]),
                PileCounts(int(r[5]), int(r[6]), int(r[7]), int(r[8])),
            )
            for r in rows
        ]


T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _filter_clauses(f: StationFilter, bound: bool = False) -> list[ColumnElement[bool]]:
    """WHERE clauses of a filter; ``bound``: with the bind parameters that
    ``_filter_params`` fills, so that one statement serves every value."""
    c = stations.c
    clauses: list[ColumnElement[bool]] = []
    if f.connectors:
        mask = bindparam("f_mask", type_=Integer) if bound else f.connector_mask
        clauses.append(c.connector_mask.op("&")(mask) != 0)
    if f.min_power_kw is not None:
        kw = bindparam("f_kw", type_=Float) if bound else f.min_power_kw
        clauses.append(c.max_power_kw >= kw)
    if f.operator_ids:
        ops = bindparam("f_ops", expanding=True) if bound else sorted(f.operator_ids)
        clauses.append(c.operator_id.in_(ops))
    if f.is_available is not None:
        clauses.append(c.piles_free > 0 if f.is_available else c.piles_free == 0)
    if f.is_swap is not None:
        clauses.append(c.is_swap == f.is_swap)
    return clauses


def _filter_params(f: StationFilter) -> dict[str, Any]:
    return {
        "f_mask": f.connector_mask,
        "f_kw": f.min_power_kw,
        "f_ops": sorted(f.operator_ids),
    }


def _version(row: RowMapping) -> TariffVersion:
    valid_from = aware_utc(row["valid_from"])
    assert valid_from is not None
    return TariffVersion(
        element_tariff_from_json(row["body"]), valid_from, int(row["seq"])
    )

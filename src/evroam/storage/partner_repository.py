"""SQL implementation of the partners context's PartnerRepository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, RowMapping, delete, insert, select, update

from evroam.catalogue.model import OperatorProfile, Protocol
from evroam.partners.model import FeedHealth, Partner
from evroam.shared.ids import OperatorId
from evroam.storage.codec import aware_utc
from evroam.storage.partner_secrets import CredentialSeal
from evroam.storage.tables import partner_feeds, partners


class SqlPartnerRepository:
    """Partners and their feed health; credentials sealed with the data key."""

    def __init__(self, engine: Engine, seal: CredentialSeal) -> None:
        self._engine = engine
        self._seal = seal

    def save(self, partner: Partner) -> None:
        row = {
            "id": partner.id,
            "name": partner.name,
            "protocol": partner.protocol.value,
            "profile": partner.profile.value,
            "url": partner.url,
            "credentials": self._seal.seal(partner.credentials),
            "status_ttl_s": partner.status_ttl_s,
            "country_code": partner.country_code,
            "party_id": partner.party_id,
            "added_at": partner.added_at,
        }
        with self._engine.begin() as conn:
            conn.execute(delete(partners).where(partners.c.id == partner.id))
            conn.execute(insert(partners), [row])
            known = conn.execute(
                select(partner_feeds.c.partner_id).where(
                    partner_feeds.c.partner_id == partner.id
                )
            ).first()
            if known is None:
                conn.execute(insert(partner_feeds), [_fresh_feed(partner.id)])

    def find(self, partner_id: OperatorId) -> Partner | None:
        with self._engine.connect() as conn:
            row = (
                conn.execute(select(partners).where(partners.c.id == partner_id))
                .mappings()
                .first()
            )
        return self._partner(row) if row else None

    def list(self) -> Sequence[Partner]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(partners).order_by(partners.c.id)).mappings()
            return [self._partner(r) for r in rows]

    def _partner(self, row: RowMapping) -> Partner:
        return Partner(
            id=OperatorId(row["id"]),
            name=row["name"],
            protocol=Protocol(row["protocol"]),
            profile=OperatorProfile(row["profile"]),
            url=row["url"],
            credentials=self._seal.open(row["credentials"]),
            status_ttl_s=row["status_ttl_s"],
            country_code=row["country_code"],
            party_id=row["party_id"],
            added_at=aware_utc(row["added_at"]),
        )

    def remove(self, partner_id: OperatorId) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(partners).where(partners.c.id == partner_id))
            conn.execute(
                delete(partner_feeds).where(partner_feeds.c.partner_id == partner_id)
            )

    def health(self, partner_id: OperatorId) -> FeedHealth:
        with self._engine.connect() as conn:
            row = (
                conn.execute(
                    select(partner_feeds).where(
                        partner_feeds.c.partner_id == partner_id
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return FeedHealth(partner_id)
        return FeedHealth(
            partner_id=partner_id,
            is_reachable=bool(row["is_reachable"]),
            last_push_at=aware_utc(row["last_push_at"]),
            newest_observed_at=aware_utc(row["newest_observed_at"]),
            last_sync_at=aware_utc(row["last_sync_at"]),
            last_sync_stations=row["last_sync_stations"],
            pushes_total=row["pushes_total"],
            changes_total=row["changes_total"],
            errors_total=row["errors_total"],
            last_error=row["last_error"],
            last_error_at=aware_utc(row["last_error_at"]),
        )

    def record_push(
        self,
        partner_id: OperatorId,
        reports: int,
        changes: int,
        newest_observed_at: datetime | None,
        at: datetime,
    ) -> None:
        f = partner_feeds.c
        with self._engine.begin() as conn:
            conn.execute(
                update(partner_feeds)
                .where(f.partner_id == partner_id)
                .values(
                    pushes_total=f.pushes_total + reports,
                    changes_total=f.changes_total + changes,
                    last_push_at=at,
                )
            )
            if newest_observed_at is not None:
                conn.execute(
                    update(partner_feeds)
                    .where(
                        f.partner_id == partner_id,
                        (f.newest_observed_at.is_(None))
                        | (f.newest_observed_at < newest_observed_at),
                    )
                    .values(newest_observed_at=newest_observed_at)
                )

    def record_sync(self, partner_id: OperatorId, stations: int, at: datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(partner_feeds)
                .where(partner_feeds.c.partner_id == partner_id)
                .values(last_sync_at=at, last_sync_stations=stations)
            )

    def record_error(self, partner_id: OperatorId, message: str, at: datetime) -> None:
        f = partner_feeds.c
        with self._engine.begin() as conn:
            conn.execute(
                update(partner_feeds)
                .where(f.partner_id == partner_id)
                .values(
                    errors_total=f.errors_total + 1,
                    last_error=message[:500],
                    last_error_at=at,
                )
            )

    def set_reachable(self, partner_id: OperatorId, is_reachable: bool) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(partner_feeds)
                .where(partner_feeds.c.partner_id == partner_id)
                .values(is_reachable=is_reachable)
            )


def _fresh_feed(partner_id: str) -> dict[str, object]:
    return {
        "partner_id": partner_id,
        "is_reachable": True,
        "last_sync_stations": 0,
        "pushes_total": 0,
        "changes_total": 0,
        "errors_total": 0,
    }

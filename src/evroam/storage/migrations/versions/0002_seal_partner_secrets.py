"""Seal the partner secrets already stored in clear (data migration, no DDL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

Rows written before this revision hold their credentials as plain JSON; each is
rewritten as ``fernet:`` + a Fernet token of that JSON under the hub's data key
(``config.attributes["data_key"]``: EVROAM_DATA_KEY or secrets.json). Without a
key the upgrade stops before writing anything, unless there is nothing to seal.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet

from evroam.storage.database import DatabaseError

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PREFIX = "fernet:"


def _fernet() -> Fernet:
    key = context.config.attributes.get("data_key", "")
    if not key:
        raise DatabaseError(
            "this upgrade encrypts the stored partner secrets and needs the data "
            "key: set EVROAM_DATA_KEY or run evroam db upgrade --init"
        )
    return Fernet(key.encode())


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, credentials FROM partners")).all()
    plain = [(pid, stored) for pid, stored in rows if not stored.startswith(PREFIX)]
    if not plain:
        return
    fernet = _fernet()
    for partner_id, stored in plain:
        canonical = json.dumps(json.loads(stored), sort_keys=True).encode()
        bind.execute(
            sa.text("UPDATE partners SET credentials = :sealed WHERE id = :id"),
            {"sealed": PREFIX + fernet.encrypt(canonical).decode(), "id": partner_id},
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, credentials FROM partners")).all()
    sealed = [(pid, stored) for pid, stored in rows if stored.startswith(PREFIX)]
    if not sealed:
        return
    fernet = _fernet()
    for partner_id, stored in sealed:
        plain = fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        bind.execute(
            sa.text("UPDATE partners SET credentials = :plain WHERE id = :id"),
            {"plain": plain, "id": partner_id},
        )

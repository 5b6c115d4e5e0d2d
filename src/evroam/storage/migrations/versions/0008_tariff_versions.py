"""Tariff versions with valid_from; the tariff a session started under.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

``tariff_versions`` keeps every version of every canonical tariff (ADR 0023);
its highest ``seq`` is the generation every worker's tariff cache compares.
Tariffs stored before this revision have no version yet: they are priced as
their time-of-use view until their partner's next sync stores one.
``charging_sessions.tariff_id`` names the station's tariff when a session
started (NULL for sessions started before: the station's tariff then).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tariff_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tariff_id", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(
        "ix_tariff_versions_id_from",
        "tariff_versions",
        ["tariff_id", "valid_from"],
        unique=False,
    )
    with op.batch_alter_table("charging_sessions") as batch:
        batch.add_column(sa.Column("tariff_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("charging_sessions") as batch:
        batch.drop_column("tariff_id")
    op.drop_index("ix_tariff_versions_id_from", table_name="tariff_versions")
    op.drop_table("tariff_versions")

"""Reservations and stuck-cable reports; piles say whether they take reservations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

``piles.is_reservable`` mirrors an OCPI EVSE's RESERVABLE capability (false for
every pile until the next pull says otherwise). ADR 0027.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("piles") as batch:
        batch.add_column(
            sa.Column(
                "is_reservable",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    op.create_table(
        "reservations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=160), nullable=False),
        sa.Column("pile_id", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reservations_account", "reservations", ["account_id", "created_at"]
    )
    op.create_index("ix_reservations_status", "reservations", ["status"])
    op.create_table(
        "cable_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=160), nullable=False),
        sa.Column("pile_id", sa.String(length=200), nullable=False),
        sa.Column("connector_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cable_reports_created", "cable_reports", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_cable_reports_created", table_name="cable_reports")
    op.drop_table("cable_reports")
    op.drop_index("ix_reservations_status", table_name="reservations")
    op.drop_index("ix_reservations_account", table_name="reservations")
    op.drop_table("reservations")
    with op.batch_alter_table("piles") as batch:
        batch.drop_column("is_reservable")

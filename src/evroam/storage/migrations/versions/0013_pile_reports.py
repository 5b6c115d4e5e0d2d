"""Drivers' pile reports: a broken pile or a blocked bay (issue 13).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

One row per report; ``hour_slot`` (the UTC clock hour) with the driver and the
pile is unique, so a second report within the hour is refused even when two
arrive at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pile_reports",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=160), nullable=False),
        sa.Column("pile_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hour_slot", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "account_id", "pile_id", "hour_slot", name="uq_pile_reports_driver_hour"
        ),
    )
    op.create_index(
        "ix_pile_reports_account", "pile_reports", ["account_id", "reported_at"]
    )
    op.create_index(
        "ix_pile_reports_operator", "pile_reports", ["operator_id", "reported_at"]
    )
    op.create_index("ix_pile_reports_pile", "pile_reports", ["pile_id", "reported_at"])


def downgrade() -> None:
    op.drop_index("ix_pile_reports_pile", table_name="pile_reports")
    op.drop_index("ix_pile_reports_operator", table_name="pile_reports")
    op.drop_index("ix_pile_reports_account", table_name="pile_reports")
    op.drop_table("pile_reports")

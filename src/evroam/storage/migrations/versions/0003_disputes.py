"""Disputed charge records: re-rating differences, implausible records, overruns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("partner_record_id", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("billed_fen", sa.BigInteger(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "operator_id", "partner_record_id", "reason", name="uq_dispute_record"
        ),
    )
    op.create_index(
        "ix_disputes_operator_opened",
        "disputes",
        ["operator_id", "opened_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_disputes_operator_opened", table_name="disputes")
    op.drop_table("disputes")

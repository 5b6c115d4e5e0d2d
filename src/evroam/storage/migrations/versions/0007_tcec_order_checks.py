"""T/CEC check_charge_orders kept: a partner's orders of a time range, as it sent them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

The hub's reconciliation of a T/CEC partner's period compares its own records
with the orders of the checks the partner sent for that period (ADR 0029).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tcec_order_checks",
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("orders", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "check_id"),
    )
    op.create_index(
        "ix_tcec_order_checks_period",
        "tcec_order_checks",
        ["partner_id", "starts_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tcec_order_checks_period", "tcec_order_checks")
    op.drop_table("tcec_order_checks")

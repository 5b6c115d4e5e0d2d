"""Piles keep when we last heard of them apart from their status time.

Sessions are found by the partner's session id too (an index).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

``piles.heard_at`` (ADR 0005 addendum, issue 11): ``status_at`` now orders
reports with the partner's own timestamp (an OCPI ``last_updated``), and the
staleness TTL counts from ``heard_at``. Existing rows start with
``heard_at = status_at`` (what ``status_at`` meant until now).
``ix_sessions_partner_session`` serves OCPI Session PATCHes and CDRs that name
only the CPO's session id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("piles") as batch:
        batch.add_column(sa.Column("heard_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE piles SET heard_at = status_at")
    op.create_index(
        "ix_sessions_partner_session",
        "charging_sessions",
        ["operator_id", "partner_session_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_partner_session", table_name="charging_sessions")
    with op.batch_alter_table("piles") as batch:
        batch.drop_column("heard_at")

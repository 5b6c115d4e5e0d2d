"""Charging sessions get a version and a start outbox; disputes an index by session.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

``charging_sessions.version`` makes every change a compare-and-set (ADR 0018);
``start_*`` columns are the start command's outbox (sent, acknowledged, the
partner's time to start, sends); ``last_heard_at`` and ``closed_at`` follow a
partner that goes silent. Existing sessions start at version 0. A session's
disputes are read by session (``ix_disputes_session``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("version", sa.Integer(), False, "0"),
    ("start_sent_at", sa.DateTime(timezone=True), True, None),
    ("start_acknowledged_at", sa.DateTime(timezone=True), True, None),
    ("start_timeout_s", sa.Integer(), True, None),
    ("start_attempts", sa.Integer(), False, "0"),
    ("last_heard_at", sa.DateTime(timezone=True), True, None),
    ("closed_at", sa.DateTime(timezone=True), True, None),
)


def upgrade() -> None:
    with op.batch_alter_table("charging_sessions") as batch:
        for name, type_, nullable, default in _COLUMNS:
            batch.add_column(
                sa.Column(name, type_, nullable=nullable, server_default=default)
            )
    op.create_index("ix_disputes_session", "disputes", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_disputes_session", table_name="disputes")
    with op.batch_alter_table("charging_sessions") as batch:
        for name, *_ in reversed(_COLUMNS):
            batch.drop_column(name)

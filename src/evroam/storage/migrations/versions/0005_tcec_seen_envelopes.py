"""T/CEC replay guard in the database: the envelopes accepted, until they go stale.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08

One row per accepted (OperatorID, TimeStamp, Seq); the primary key makes a
second insert of the same envelope fail in every worker and after a restart
(ADR 0029). Rows are deleted once ``keep_until`` (TimeStamp + the window) passes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tcec_seen_envelopes",
        sa.Column("operator_id", sa.String(length=64), nullable=False),
        sa.Column("time_stamp", sa.String(length=14), nullable=False),
        sa.Column("seq", sa.String(length=4), nullable=False),
        sa.Column("keep_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("operator_id", "time_stamp", "seq"),
    )
    op.create_index(
        "ix_tcec_seen_envelopes_keep_until",
        "tcec_seen_envelopes",
        ["keep_until"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_tcec_seen_envelopes_keep_until", "tcec_seen_envelopes")
    op.drop_table("tcec_seen_envelopes")

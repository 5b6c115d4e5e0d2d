"""The sandbox payment provider keeps its intents in the database.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

A top-up created before a restart, or on another worker, is confirmed after it
(issue 10): ``sandbox_payment_intents`` holds the sandbox provider's side of
each intent, one per idempotency key (payments.sandbox).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sandbox_payment_intents",
        sa.Column("intent_id", sa.String(100), primary_key=True),
        sa.Column("account_id", sa.String(100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("confirm_url", sa.String(500), nullable=False),
        sa.Column("idempotency_key", sa.String(400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_sandbox_intent_key"),
    )


def downgrade() -> None:
    op.drop_table("sandbox_payment_intents")

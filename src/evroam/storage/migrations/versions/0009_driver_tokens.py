"""Driver tokens (OCPI Tokens module) and blocked accounts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Every account gets its app token: a random uid and contract id (nothing in
them leads back to the person; docs/adr/0027-ocpi-tokens-and-commands.md).
Accounts opened before this revision get theirs here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _code(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def upgrade() -> None:
    tokens = op.create_table(
        "driver_tokens",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("visual_number", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uid"),
    )
    op.create_index("ix_tokens_account", "driver_tokens", ["account_id"])
    op.create_index("ix_tokens_updated", "driver_tokens", ["updated_at", "uid"])
    op.create_table(
        "blocked_accounts",
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    accounts = op.get_bind().execute(sa.text("SELECT id FROM accounts")).all()
    now = datetime.now(UTC)
    if accounts:
        op.bulk_insert(
            tokens,
            [
                {
                    "uid": _code(16),
                    "kind": "app",
                    "contract_id": f"CN-EVR-C{_code(8)}",
                    "account_id": row.id,
                    "state": "active",
                    "visual_number": None,
                    "updated_at": now,
                }
                for row in accounts
            ],
        )


def downgrade() -> None:
    op.drop_table("blocked_accounts")
    op.drop_index("ix_tokens_updated", table_name="driver_tokens")
    op.drop_index("ix_tokens_account", table_name="driver_tokens")
    op.drop_table("driver_tokens")

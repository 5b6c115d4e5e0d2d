"""Password sign-in and browser sessions; a driver's car names its catalogue model.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09

``account_logins`` holds each account's email or phone and scrypt hash,
``web_sessions`` the hashes of live browser session tokens (ADR 0036).
``vehicles.catalogue_id`` names the car's model in the vehicle catalogue
(NULL for cars registered before, and for models it does not hold).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_logins",
        sa.Column("login", sa.String(length=254), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("login"),
        sa.UniqueConstraint("account_id"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(
        "ix_web_sessions_account", "web_sessions", ["account_id"], unique=False
    )
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(
            sa.Column("catalogue_id", sa.String(length=100), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("catalogue_id")
    op.drop_index("ix_web_sessions_account", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("account_logins")

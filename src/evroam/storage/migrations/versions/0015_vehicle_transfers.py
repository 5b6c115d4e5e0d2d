"""An operator's VIN transfers between accounts are kept as an audit.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08

``vehicle_transfers``: who moved which VIN from which account to which, when
and why (issue 10: a VIN belongs to one account; the operator moves it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vehicle_transfers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("vin", sa.String(17), nullable=False),
        sa.Column("from_account", sa.String(40), nullable=False),
        sa.Column("to_account", sa.String(40), nullable=False),
        sa.Column("performed_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_vehicle_transfers_vin", "vehicle_transfers", ["vin", "transferred_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_vehicle_transfers_vin", table_name="vehicle_transfers")
    op.drop_table("vehicle_transfers")

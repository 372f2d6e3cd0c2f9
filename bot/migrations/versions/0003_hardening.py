"""hardening and SLA: the process holding each lease, the updates rejected, when a survey was sent

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(96), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(96), nullable=True))
    with op.batch_alter_table("escalations", schema=None) as batch:
        batch.add_column(
            sa.Column("csat_asked_at", bot.storage.tables.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "rejected_updates",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", bot.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rejected_updates_received_at", "rejected_updates", ["received_at"])


def downgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch:
        batch.drop_column("csat_asked_at")
    op.drop_index("ix_rejected_updates_received_at", table_name="rejected_updates")
    op.drop_table("rejected_updates")
    with op.batch_alter_table("outbox", schema=None) as batch:
        batch.drop_column("lease_holder")
    with op.batch_alter_table("inbox", schema=None) as batch:
        batch.drop_column("lease_holder")

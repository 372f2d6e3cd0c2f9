"""api batches: the queue of batches pushed to POST /api/v1/{entity}, with their idempotency keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_batches",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(300), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("received_at", bot.storage.tables.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.Column("finished_at", bot.storage.tables.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_api_batches_status", "api_batches", ["status"])


def downgrade() -> None:
    op.drop_index("ix_api_batches_status", table_name="api_batches")
    op.drop_table("api_batches")

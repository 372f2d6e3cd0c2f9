"""notifications: changes a supplier cares about, and the chats told of them (held in quiet hours)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _ts() -> bot.storage.tables.UTCDateTime:
    return bot.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_changes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("supplier_id", sa.String(32), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("changed_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_data_changes_supplier_id", "data_changes", ["supplier_id"])
    op.create_index("ix_data_changes_changed_at", "data_changes", ["changed_at"])
    op.create_table(
        "notifications",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("change_id", _ID, sa.ForeignKey("data_changes.id"), nullable=False),
        sa.Column("conversation_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("release_at", _ts(), nullable=True),
        sa.Column("outbox_id", _ID, nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("change_id", "conversation_key", name="uq_notification_chat"),
    )
    op.create_index("ix_notifications_held", "notifications", ["status", "release_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_held", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_data_changes_changed_at", table_name="data_changes")
    op.drop_index("ix_data_changes_supplier_id", table_name="data_changes")
    op.drop_table("data_changes")

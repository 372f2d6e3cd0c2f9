"""handoff: escalation state machine columns, one open escalation per conversation, relayed messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_OPEN = "status IN ('pending', 'assigned')"


def _ts() -> sa.types.TypeEngine[object]:
    return bot.storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("escalations", schema=None) as batch:
        batch.add_column(sa.Column("supplier_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("user_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="en"))
        batch.add_column(sa.Column("reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("assignee_name", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("invoice_ids", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("turns", sa.JSON(), nullable=False, server_default="[]"))
        for name in (
            "assigned_at",
            "resolved_at",
            "closed_at",
            "claim_renotified_at",
            "resolve_warned_at",
            "breached_at",
        ):
            batch.add_column(sa.Column(name, _ts(), nullable=True))
        batch.add_column(sa.Column("csat_rating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("csat_comment", sa.Text(), nullable=False, server_default=""))
        batch.create_index("ix_escalation_card", ["card_ts"], unique=False)
    op.create_index(
        "uq_escalation_open_per_conversation",
        "escalations",
        ["conversation_key"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_table(
        "escalation_relays",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("escalation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_ref", sa.String(128), nullable=False),
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_relays_escalation_id", "escalation_relays", ["escalation_id"])
    op.create_index("ix_escalation_relays_source_ref", "escalation_relays", ["source_ref"])


def downgrade() -> None:
    op.drop_table("escalation_relays")
    op.drop_index("uq_escalation_open_per_conversation", table_name="escalations")
    with op.batch_alter_table("escalations", schema=None) as batch:
        batch.drop_index("ix_escalation_card")
        for name in (
            "csat_comment",
            "csat_rating",
            "breached_at",
            "resolve_warned_at",
            "claim_renotified_at",
            "closed_at",
            "resolved_at",
            "assigned_at",
            "turns",
            "invoice_ids",
            "assignee_name",
            "reasons",
            "language",
            "user_name",
            "supplier_name",
        ):
            batch.drop_column(name)

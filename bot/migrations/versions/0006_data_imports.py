"""data imports: a record of each `opsbot import` run, and a product's Chinese name (the data contract)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_imports",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("imported_at", bot.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("name_zh", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("name_zh")
    op.drop_table("data_imports")

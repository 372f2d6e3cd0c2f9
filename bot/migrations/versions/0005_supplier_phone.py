"""supplier phone: the registered number the team calls back before any change of bank details

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suppliers") as batch:
        batch.add_column(sa.Column("phone", sa.String(64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("suppliers") as batch:
        batch.drop_column("phone")

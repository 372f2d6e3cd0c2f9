"""one holder: who controls a conversation is the escalation's status alone (issue 26)

The session's `controller` column repeated what the escalations say (a conversation is held by a person
while it has a pending or assigned escalation) and could drift from them; it is dropped, and the session
loader reads the escalations instead. Downgrading rebuilds the column from the escalations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("controller")


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("controller", sa.String(8), nullable=False, server_default="bot"))
    op.execute(
        "UPDATE conversations SET controller = 'human' WHERE EXISTS (SELECT 1 FROM escalations"
        " WHERE escalations.conversation_key = conversations.key"
        " AND escalations.status IN ('pending', 'assigned'))"
    )
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column("controller", server_default=None)

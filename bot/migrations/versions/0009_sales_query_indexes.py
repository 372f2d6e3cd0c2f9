"""sales query indexes: covering indexes for the sales questions of issue 25 (docs/metrics.md)

A question by category or product reads every order line of its period: with these the database reads
the orders of a period and their lines from indexes alone, not from the tables (bench/sales_query_bench.py:
revenue by category, 12 months against the year before, on 100,000 orders).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_placed", "orders", ["created_at", "status", "currency", "id"])
    op.create_index("ix_order_lines_sold", "order_lines", ["order_id", "sku", "quantity", "unit_price"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_sold", table_name="order_lines")
    op.drop_index("ix_orders_placed", table_name="orders")

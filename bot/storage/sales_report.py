"""The SQL of the fixed sales reports: a period's summary (the weekly digest, `sales_summary`) and the
order activity of a span (the daily digest)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.order_rules import OPEN_ORDER_STATUSES, due_date, is_late
from bot.storage.sales_query import at
from bot.storage.tables import EscalationRow, OrderLineRow, OrderRow, ProductRow, SupplierRow
from dialogue.backend import OrderActivity, SalesSummary
from dialogue.money import Amounts, ranked

Sessions = async_sessionmaker[AsyncSession]


def _per_name(rows: Sequence[Any]) -> list[tuple[str, Amounts]]:
    """(name, currency, sum) rows from a GROUP BY name, currency into one Amounts per name."""
    pairs: dict[str, list[tuple[str, Decimal]]] = {}
    for name, currency, total in rows:
        pairs.setdefault(str(name), []).append((str(currency), Decimal(total or 0)))
    return [(name, Amounts.of(amounts)) for name, amounts in pairs.items()]


async def sales_summary(sm: Sessions, start: date, end: date, *, today: date) -> SalesSummary:
    """Revenue per currency; the top suppliers and categories ranked by dialogue.money.ranked."""
    t0, t1 = at(start), at(end)
    placed = (OrderRow.created_at >= t0, OrderRow.created_at < t1, OrderRow.status != "cancelled")
    async with sm() as s:
        orders = list((await s.execute(select(OrderRow).where(*placed))).scalars())
        per_supplier = (
            await s.execute(
                select(
                    func.coalesce(SupplierRow.name, OrderRow.supplier_id),
                    OrderRow.currency,
                    func.sum(OrderRow.total),
                )
                .outerjoin(SupplierRow, SupplierRow.id == OrderRow.supplier_id)
                .where(*placed)
                .group_by(func.coalesce(SupplierRow.name, OrderRow.supplier_id), OrderRow.currency)
            )
        ).all()
        per_category = (
            await s.execute(
                select(
                    ProductRow.category,
                    OrderRow.currency,
                    func.sum(OrderLineRow.unit_price * OrderLineRow.quantity),
                )
                .join(OrderLineRow, OrderLineRow.sku == ProductRow.sku)
                .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
                .where(*placed)
                .group_by(ProductRow.category, OrderRow.currency)
            )
        ).all()
        escalations = (
            await s.execute(
                select(func.count())
                .select_from(EscalationRow)
                .where(EscalationRow.created_at >= t0, EscalationRow.created_at < t1)
            )
        ).scalar_one()
    revenue = Amounts.of((o.currency, o.total) for o in orders)
    late = tuple(sorted(o.id for o in orders if is_late(o, today)))
    return SalesSummary(
        start=start,
        end=end,
        order_count=len(orders),
        revenue=revenue,
        top_suppliers=ranked(_per_name(per_supplier), revenue, 3),
        top_categories=ranked(_per_name(per_category), revenue, 3),
        late_orders=late,
        escalations=int(escalations),
    )


async def order_activity(sm: Sessions, start: datetime, end: datetime, *, as_of: date) -> OrderActivity:
    async with sm() as s:
        placed = (
            await s.execute(
                select(OrderRow.currency, func.count(), func.sum(OrderRow.total))
                .where(
                    OrderRow.created_at >= start,
                    OrderRow.created_at < end,
                    OrderRow.status != "cancelled",
                )
                .group_by(OrderRow.currency)
            )
        ).all()
        open_orders = (
            await s.execute(select(OrderRow).where(OrderRow.status.in_(OPEN_ORDER_STATUSES)))
        ).scalars()
        late = sorted((due_date(o), o.id) for o in open_orders if is_late(o, as_of))
    revenue = sorted(
        ((str(cur), Decimal(total or 0)) for cur, _n, total in placed), key=lambda p: (-p[1], p[0])
    )
    return OrderActivity(
        order_count=sum(int(n) for _cur, n, _total in placed),
        revenue=tuple(revenue),
        late_orders=tuple(order_id for _due, order_id in late),
    )

"""The SQL side of the Backend's sales analytics: sales per category or product, a SKU's weekly demand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import InventoryRow, OrderLineRow, OrderRow, ProductRow
from dialogue.analytics.aggregate import SoldLine, daily_sales, sales_lines, weekly_units
from dialogue.backend import DailySales, DemandHistory, Product, SalesLine


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


async def _sold(
    sm: async_sessionmaker[AsyncSession], start: date, end: date, sku: str | None = None
) -> list[SoldLine]:
    query = (
        select(
            OrderRow.created_at,
            OrderLineRow.sku,
            ProductRow.name,
            ProductRow.category,
            OrderLineRow.quantity,
            OrderLineRow.unit_price,
            OrderRow.currency,
        )
        .join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        .join(ProductRow, ProductRow.sku == OrderLineRow.sku)
        .where(
            OrderRow.created_at >= _at(start), OrderRow.created_at < _at(end), OrderRow.status != "cancelled"
        )
    )
    if sku is not None:
        query = query.where(OrderLineRow.sku == sku)
    async with sm() as s:
        rows = (await s.execute(query)).all()
    return [
        SoldLine(
            r.created_at.date(),
            r.sku,
            r.name,
            r.category,
            int(r.quantity),
            Decimal(r.unit_price),
            r.currency,
        )
        for r in rows
    ]


async def sales_by(
    sm: async_sessionmaker[AsyncSession], start: date, end: date, *, by: str
) -> Sequence[SalesLine]:
    return sales_lines(await _sold(sm, start, end), by=by)


async def sales_by_day(
    sm: async_sessionmaker[AsyncSession], start: date, end: date, *, by: str
) -> Sequence[DailySales]:
    return daily_sales(await _sold(sm, start, end), by=by)


async def weekly_demand(
    sm: async_sessionmaker[AsyncSession],
    product: Product | None,
    *,
    end: date,
    weeks: int,
    supplier_id: str | None,
) -> DemandHistory | None:
    if product is None or (supplier_id is not None and product.supplier_id != supplier_id):
        return None
    first = end - timedelta(weeks=weeks + 1)
    sold = [(line.day, line.quantity) for line in await _sold(sm, first, end, product.sku)]
    starts, units = weekly_units(sold, end=end, weeks=weeks)
    async with sm() as s:
        stock = await s.get(InventoryRow, product.sku)
    return DemandHistory(product, starts, units, stock.quantity if stock is not None else None)

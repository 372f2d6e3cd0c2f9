"""The lists a sales rep acts on and the names a question may use (issue 25; docs/metrics.md): the
customers gone quiet, with their usual interval between orders; the customers, suppliers, categories,
products and industries as stored."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.sales_query import at
from bot.storage.tables import CustomerRow, OrderRow, ProductRow, SupplierRow
from dialogue.queries import QuietCustomer, SalesNames

Sessions = async_sessionmaker[AsyncSession]


async def quiet_customers(sm: Sessions, *, as_of: date, days: int, limit: int) -> list[QuietCustomer]:
    """Customers whose last not-cancelled order (up to `as_of`) is `days` or more days before it,
    longest quiet first; their usual interval is the median of the days between their order days."""
    placed = (OrderRow.status != "cancelled", OrderRow.created_at < at(as_of + timedelta(days=1)))
    last = func.max(OrderRow.created_at)
    async with sm() as s:
        found = (
            await s.execute(
                select(OrderRow.customer_id, CustomerRow.name, last.label("last"), func.count(OrderRow.id))
                .join(CustomerRow, CustomerRow.id == OrderRow.customer_id)
                .where(*placed)
                .group_by(OrderRow.customer_id, CustomerRow.name)
                .having(last < at(as_of - timedelta(days=days - 1)))
                .order_by(last, OrderRow.customer_id)
                .limit(limit)
            )
        ).all()
        ids = [r[0] for r in found]
        days_of: dict[str, set[date]] = {}
        if ids:
            for customer_id, created in (
                await s.execute(
                    select(OrderRow.customer_id, OrderRow.created_at).where(
                        *placed, OrderRow.customer_id.in_(ids)
                    )
                )
            ).all():
                days_of.setdefault(customer_id, set()).add(created.date())
    return [
        QuietCustomer(cid, name, last_at.date(), int(n), usual_interval(days_of.get(cid, set())))
        for cid, name, last_at, n in found
    ]


def usual_interval(days: set[date]) -> float | None:
    """The median number of days between consecutive order days; None with fewer than two."""
    ordered = sorted(days)
    gaps = [(b - a).days for a, b in pairwise(ordered)]
    return float(median(gaps)) if gaps else None


async def sales_names(sm: Sessions) -> SalesNames:
    async with sm() as s:
        customers = (await s.execute(select(CustomerRow.id, CustomerRow.name).order_by(CustomerRow.id))).all()
        suppliers = (
            await s.execute(
                select(SupplierRow.id, SupplierRow.name, SupplierRow.name_zh).order_by(SupplierRow.id)
            )
        ).all()
        categories = (
            await s.execute(select(ProductRow.category).distinct().order_by(ProductRow.category))
        ).scalars()
        products = (await s.execute(select(ProductRow.sku, ProductRow.name).order_by(ProductRow.sku))).all()
        industries = (
            await s.execute(
                select(CustomerRow.industry)
                .where(CustomerRow.industry != "")
                .distinct()
                .order_by(CustomerRow.industry)
            )
        ).scalars()
        return SalesNames(
            customers=tuple((r.id, r.name) for r in customers),
            suppliers=tuple((r.id, r.name, r.name_zh or "") for r in suppliers),
            categories=tuple(c for c in categories if c),
            products=tuple((r.sku, r.name) for r in products),
            industries=tuple(industries),
        )

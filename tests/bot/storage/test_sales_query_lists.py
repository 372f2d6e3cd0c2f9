"""Complaints, the customers gone quiet, the names a question may use, and figures checked against SQL
written by hand in the test, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import text

from dialogue.queries import DateRange, QueryFilter, SalesQuery
from tests.bot.storage.test_sales_query_data import (
    AS_OF,
    CUSTOMERS,
    NOVEMBER,
    OCTOBER,
    ORDERS,
    PRODUCTS,
    SUPPLIERS,
    seeded,
)


def query(metric: str, **kwargs: Any) -> SalesQuery:
    kwargs.setdefault("period", NOVEMBER)
    return SalesQuery(metric=metric, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def figures(rows: Any) -> dict[str, tuple[Decimal, Decimal | None]]:
    return {r.key: (r.value, r.previous) for r in rows}


async def test_complaints_count_complaint_escalations_and_customer_issues(engine: Any) -> None:
    backend = await seeded(engine)
    whole = await backend.sales_query(query("complaints"))
    assert figures(whole.totals) == {"": (Decimal(5), None)}  # 3 escalations + 2 issues in November
    by_supplier = await backend.sales_query(query("complaints", dimension="supplier", compare_to=OCTOBER))
    assert figures(by_supplier.rows) == {"SUP-1": (Decimal(2), Decimal(0)), "SUP-2": (Decimal(0), Decimal(1))}
    assert by_supplier.rows[0].name == "Sunrise Textiles"
    assert figures(by_supplier.totals) == {"": (Decimal(2), Decimal(1))}
    by_customer = await backend.sales_query(query("complaints", dimension="customer"))
    assert figures(by_customer.rows) == {"CUS-1": (Decimal(1), None), "CUS-3": (Decimal(1), None)}
    by_industry = await backend.sales_query(query("complaints", dimension="industry"))
    assert figures(by_industry.rows) == {"retail": (Decimal(2), None)}
    one = await backend.sales_query(query("complaints", filters=(QueryFilter("supplier", "SUP-1"),)))
    assert figures(one.totals) == {"": (Decimal(2), None)}
    by_category = await backend.sales_query(query("complaints", dimension="category"))
    assert by_category.unsupported == "complaints_by_category" and by_category.rows == ()


async def test_customers_gone_quiet_with_their_usual_interval(engine: Any) -> None:
    backend = await seeded(engine)
    quiet = await backend.quiet_customers(as_of=AS_OF, days=60, limit=10)
    soylent = next(q for q in quiet if q.customer_id == "CUS-6")
    assert soylent.name == "Soylent" and soylent.last_order.isoformat() == "2026-02-02"
    assert soylent.order_count == 4  # the cancelled November order is not an order
    assert soylent.usual_interval_days == 11.5  # days 10, 19 (twice), 33 of the year: gaps 9 and 14
    assert "CUS-5" not in {q.customer_id for q in quiet}  # never ordered: not "quiet"
    for days in (0, 3, 60):
        found = await backend.quiet_customers(as_of=AS_OF, days=days, limit=3)
        assert [(q.customer_id, q.last_order, q.order_count, q.usual_interval_days) for q in found] == (
            expected_quiet(days)[:3]
        )


def expected_quiet(days: int) -> list[tuple[str, Any, int, float | None]]:
    placed: dict[str, list[datetime]] = {}
    for o in ORDERS:
        if o.status != "cancelled" and o.created.date() <= AS_OF:
            placed.setdefault(o.customer, []).append(o.created)
    out = []
    for customer, times in sorted(placed.items(), key=lambda kv: (max(kv[1]), kv[0])):
        last = max(times)
        if (AS_OF - last.date()).days < days:
            continue
        order_days = sorted({t.date() for t in times})
        gaps = [(b - a).days for a, b in pairwise(order_days)]
        out.append((customer, last.date(), len(times), float(median(gaps)) if gaps else None))
    return out


async def test_the_names_a_question_may_use(engine: Any) -> None:
    backend = await seeded(engine)
    names = await backend.sales_names()
    assert dict(names.customers) == {k: n for k, (n, _i) in CUSTOMERS.items()}
    assert {s[0]: s[1] for s in names.suppliers} == SUPPLIERS and names.suppliers[0][2].endswith("（中）")
    assert names.categories == ("Electronics", "Home Textiles", "Industrial")
    assert dict(names.products) == {k: p[1] for k, p in PRODUCTS.items()}
    assert names.industries == ("food", "hospitality", "manufacturing", "retail", "technology")


def _bounds(engine: Any) -> dict[str, Any]:
    """November's bounds as each database compares them (SQLite keeps naive UTC text)."""
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    if engine.dialect.name == "sqlite":
        return {"start": start.strftime("%Y-%m-%d %H:%M:%S"), "end": end.strftime("%Y-%m-%d %H:%M:%S")}
    return {"start": start, "end": end}


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def test_revenue_by_customer_and_by_category_match_hand_written_sql(engine: Any) -> None:
    backend = await seeded(engine)
    async with engine.connect() as conn:
        per_customer = (
            await conn.execute(
                text(
                    "SELECT customer_id, currency, SUM(total) FROM orders WHERE created_at >= :start"
                    " AND created_at < :end AND status <> 'cancelled' GROUP BY customer_id, currency"
                ),
                _bounds(engine),
            )
        ).all()
        per_category = (
            await conn.execute(
                text(
                    "SELECT p.category, o.currency, SUM(l.quantity * l.unit_price) FROM order_lines l"
                    " JOIN orders o ON o.id = l.order_id JOIN products p ON p.sku = l.sku"
                    " WHERE o.created_at >= :start AND o.created_at < :end AND o.status <> 'cancelled'"
                    " GROUP BY p.category, o.currency"
                ),
                _bounds(engine),
            )
        ).all()
        late_per_supplier = (
            await conn.execute(
                text(
                    "SELECT supplier_id, COUNT(*) FROM orders WHERE created_at >= :start"
                    " AND created_at < :end AND status <> 'cancelled' AND ("
                    " (status = 'delivered' AND delivered_at > COALESCE(eta, promised_date))"
                    " OR (status IN ('pending_confirmation', 'confirmed', 'shipped')"
                    "     AND COALESCE(eta, promised_date) < :as_of)) GROUP BY supplier_id"
                ),
                {**_bounds(engine), "as_of": AS_OF.isoformat() if engine.dialect.name == "sqlite" else AS_OF},
            )
        ).all()
    result = await backend.sales_query(query("revenue", dimension="customer", limit=50))
    assert {(r.key, r.currency): r.value for r in result.rows} == {
        (k, c): _money(v) for k, c, v in per_customer
    }
    result = await backend.sales_query(query("revenue", dimension="category", limit=50))
    assert {(r.key, r.currency): r.value for r in result.rows} == {
        (k, c): _money(v) for k, c, v in per_category
    }
    result = await backend.sales_query(query("late_orders", dimension="supplier", limit=50))
    assert {r.key: r.value for r in result.rows if r.value} == {k: Decimal(n) for k, n in late_per_supplier}


async def test_an_order_at_midnight_belongs_to_the_day_it_starts(engine: Any) -> None:
    """Periods are UTC days, end exclusive: the issue opened at 00:00 on 1 December is December's."""
    backend = await seeded(engine)
    first_week = DateRange(AS_OF - timedelta(6), AS_OF)
    december = query("complaints", dimension="customer", period=first_week)
    assert figures((await backend.sales_query(december)).rows) == {"CUS-2": (Decimal(1), None)}

"""The SQL of a sales rep's question (issue 25): a metric by a dimension, filtered, over a period, maybe
compared; the customers gone quiet; the names a question may use. Definitions: docs/metrics.md.

One statement aggregates the period and the period compared with in one scan (GROUP BY the key and,
for money, the currency) into `Cell`s; bot.storage.sales_rank merges the periods, ranks and limits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from bot.storage.order_rules import OPEN_ORDER_STATUSES
from bot.storage.sales_rank import Cell, assemble, by_lines, unsupported
from bot.storage.tables import (
    CustomerIssueRow,
    CustomerRow,
    EscalationRow,
    OrderLineRow,
    OrderRow,
    ProductRow,
    SupplierRow,
)
from dialogue.queries import (
    MONEY_METRICS,
    DateRange,
    QueryResult,
    SalesQuery,
)

Sessions = async_sessionmaker[AsyncSession]
Column = ColumnElement[Any] | InstrumentedAttribute[Any]
COUNT_METRICS = frozenset({"orders", "late_orders", "open_orders", "on_time_rate"})
COMPLAINT_REASON = "complaint"  # escalations.reason (the first reason's code) of a complaint


def at(day: date) -> datetime:
    """Midnight UTC of a day: periods are whole UTC days."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


# --- the rules of an order, as SQL (the same rules as bot.storage.order_rules) -------------------

_DUE = func.coalesce(OrderRow.eta, OrderRow.promised_date)
_OPEN = OrderRow.status.in_(OPEN_ORDER_STATUSES)
_DELIVERED = OrderRow.status == "delivered"


def _late(as_of: date) -> ColumnElement[bool]:
    """Delivered after its due date, or still open with the due date before `as_of`."""
    return or_(
        and_(_DELIVERED, OrderRow.delivered_at.is_not(None), _DUE.is_not(None), OrderRow.delivered_at > _DUE),
        and_(_OPEN, _DUE.is_not(None), as_of > _DUE),
    )


def _judged(as_of: date) -> ColumnElement[bool]:
    """Orders whose punctuality is known on `as_of`: delivered, or open past their due date."""
    return or_(_DELIVERED, and_(_OPEN, _DUE.is_not(None), as_of > _DUE))


# --- sales_query ---------------------------------------------------------------------------------


def _key(dimension: str | None) -> tuple[Column, Column]:
    """(key, name) of a dimension's group."""
    if dimension == "customer":
        return OrderRow.customer_id, CustomerRow.name
    if dimension == "supplier":
        return OrderRow.supplier_id, func.coalesce(SupplierRow.name, OrderRow.supplier_id)
    if dimension == "industry":
        return CustomerRow.industry, CustomerRow.industry
    if dimension == "category":
        return ProductRow.category, ProductRow.category
    if dimension == "product":
        return OrderLineRow.sku, ProductRow.name
    return literal(""), literal("")


_FILTER_COLUMNS: dict[str, Column] = {
    "customer": OrderRow.customer_id,
    "supplier": OrderRow.supplier_id,
    "industry": CustomerRow.industry,
    "category": ProductRow.category,
    "product": OrderLineRow.sku,
}


def _filters(
    query: SalesQuery, dimensions: Sequence[str] = tuple(_FILTER_COLUMNS)
) -> list[ColumnElement[bool]]:
    """One condition per filtered dimension: several keys of one dimension are alternatives."""
    keys: dict[str, list[str]] = {}
    for f in query.filters:
        if f.dimension in dimensions:
            keys.setdefault(f.dimension, []).append(f.key)
    return [_FILTER_COLUMNS[dimension].in_(values) for dimension, values in keys.items()]


def _measures(
    metric: str, lines: bool, as_of: date, within: ColumnElement[bool]
) -> tuple[ColumnElement[Any], ColumnElement[Any] | None]:
    """(amount, denominator) of a metric over the orders `within` a period. Over order lines an order
    is counted once (DISTINCT)."""

    def orders(condition: ColumnElement[bool] | None = None) -> ColumnElement[Any]:
        ref = case((within if condition is None else and_(within, condition), OrderRow.id))
        return func.count(ref.distinct()) if lines else func.count(ref)

    def total(amount: Column) -> ColumnElement[Any]:
        return func.sum(case((within, amount)))

    revenue = total(OrderLineRow.quantity * OrderLineRow.unit_price if lines else OrderRow.total)
    if metric == "revenue":
        return revenue, None
    if metric == "average_order_value":
        return revenue, orders()
    if metric == "units":
        return total(OrderLineRow.quantity), None
    if metric == "orders":
        return orders(), None
    if metric == "late_orders":
        return orders(_late(as_of)), None
    if metric == "open_orders":
        return orders(_OPEN), None
    if metric == "on_time_rate":
        return orders(and_(_judged(as_of), not_(_late(as_of)))), orders(_judged(as_of))
    raise ValueError(f"not an order metric: {metric}")


def _within(period: DateRange) -> ColumnElement[bool]:
    return and_(OrderRow.created_at >= at(period.start), OrderRow.created_at < at(period.end))


def _order_select(query: SalesQuery, periods: Sequence[DateRange], *, grouped: bool) -> Any:
    """One scan for every period (the period, and the one compared with): columns amount_0,
    denominator_0, amount_1, … per group."""
    lines = by_lines(query) or query.metric == "units"
    dimension = query.dimension if grouped else None
    key, name = _key(dimension)
    money = query.metric in MONEY_METRICS
    currency = OrderRow.currency if money else literal("")
    columns = [key.label("key"), name.label("name"), currency.label("currency")]
    for n, period in enumerate(periods):
        amount, count = _measures(query.metric, lines, query.as_of, _within(period))
        columns.append(amount.label(f"amount_{n}"))
        if count is not None:
            columns.append(count.label(f"denominator_{n}"))
    stmt = select(*columns)
    stmt = (
        stmt.select_from(OrderLineRow).join(OrderRow, OrderRow.id == OrderLineRow.order_id)
        if lines
        else stmt.select_from(OrderRow)
    )
    named = {dimension, *(f.dimension for f in query.filters)}
    if named & {"category", "product"}:
        stmt = stmt.join(ProductRow, ProductRow.sku == OrderLineRow.sku)
    if named & {"customer", "industry"}:
        stmt = stmt.join(CustomerRow, CustomerRow.id == OrderRow.customer_id)
    if dimension == "supplier":
        stmt = stmt.outerjoin(SupplierRow, SupplierRow.id == OrderRow.supplier_id)
    stmt = stmt.where(or_(*(_within(p) for p in periods)), OrderRow.status != "cancelled", *_filters(query))
    groups = [c for c, used in ((key, dimension), (name, dimension), (currency, money)) if used]
    return stmt.group_by(*groups) if groups else stmt


def _orders_with_lines_select(query: SalesQuery, periods: Sequence[DateRange]) -> Any:
    """The whole of a count over order lines: each order with a matching line once (EXISTS, which
    needs no COUNT(DISTINCT) over every line of the period)."""
    columns = [literal("").label("key"), literal("").label("name")]
    for n, period in enumerate(periods):
        amount, count = _measures(query.metric, False, query.as_of, _within(period))
        columns.append(amount.label(f"amount_{n}"))
        if count is not None:
            columns.append(count.label(f"denominator_{n}"))
    line = select(OrderLineRow.id).where(OrderLineRow.order_id == OrderRow.id)
    if any(f.dimension == "category" for f in query.filters):
        line = line.join(ProductRow, ProductRow.sku == OrderLineRow.sku)
    line = line.where(*_filters(query, ("category", "product")))
    stmt = select(*columns).select_from(OrderRow)
    if any(f.dimension == "industry" for f in query.filters):
        stmt = stmt.join(CustomerRow, CustomerRow.id == OrderRow.customer_id)
    return stmt.where(
        or_(*(_within(p) for p in periods)),
        OrderRow.status != "cancelled",
        *_filters(query, ("customer", "supplier", "industry")),
        line.exists(),
    )


def _complaint_selects(query: SalesQuery, period: DateRange, *, grouped: bool) -> list[Any]:
    """Complaint escalations (by supplier) and customer issues (by customer), opened in the period; a
    source that cannot be attributed to the dimension or a filter is left out."""
    dimension = query.dimension if grouped else None
    named = {query.dimension, *(f.dimension for f in query.filters)} - {None}
    keys = {f.dimension: [g.key for g in query.filters if g.dimension == f.dimension] for f in query.filters}
    selects: list[Any] = []
    key: Column
    name: Column
    if named <= {"supplier"}:
        key, name = (
            (EscalationRow.supplier_id, func.coalesce(SupplierRow.name, EscalationRow.supplier_id))
            if dimension
            else (literal(""), literal(""))
        )
        stmt = (
            select(key.label("key"), name.label("name"), func.count(EscalationRow.id).label("amount_0"))
            .select_from(EscalationRow)
            .outerjoin(SupplierRow, SupplierRow.id == EscalationRow.supplier_id)
            .where(
                EscalationRow.reason == COMPLAINT_REASON,
                EscalationRow.created_at >= at(period.start),
                EscalationRow.created_at < at(period.end),
            )
        )
        if query.dimension:  # the whole of a table by supplier: the complaints of a supplier
            stmt = stmt.where(EscalationRow.supplier_id.is_not(None))
        if dimension:
            stmt = stmt.group_by(key, name)
        if "supplier" in keys:
            stmt = stmt.where(EscalationRow.supplier_id.in_(keys["supplier"]))
        selects.append(stmt)
    if named <= {"customer", "industry"}:
        pairs: dict[str, tuple[Column, Column]] = {
            "customer": (CustomerIssueRow.customer_id, CustomerRow.name),
            "industry": (CustomerRow.industry, CustomerRow.industry),
        }
        key, name = pairs.get(dimension or "", (literal(""), literal("")))
        stmt = (
            select(key.label("key"), name.label("name"), func.count(CustomerIssueRow.id).label("amount_0"))
            .select_from(CustomerIssueRow)
            .join(CustomerRow, CustomerRow.id == CustomerIssueRow.customer_id)
            .where(
                CustomerIssueRow.created_at >= at(period.start), CustomerIssueRow.created_at < at(period.end)
            )
        )
        if dimension:
            stmt = stmt.group_by(key, name)
        if "customer" in keys:
            stmt = stmt.where(CustomerIssueRow.customer_id.in_(keys["customer"]))
        if "industry" in keys:
            stmt = stmt.where(CustomerRow.industry.in_(keys["industry"]))
        selects.append(stmt)
    return selects


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)) if value is not None else Decimal(0)


def _cells(rows: Sequence[Any], period: int = 0) -> list[Cell]:
    """Cells of result rows for one period; rows of the same key and currency (complaints: two sources)
    added up."""
    if not rows:
        return []
    columns = list(rows[0]._fields)
    at_amount = columns.index(f"amount_{period}")
    at_count = columns.index(f"denominator_{period}") if f"denominator_{period}" in columns else None
    at_currency = columns.index("currency") if "currency" in columns else None
    cells: dict[tuple[str, str], Cell] = {}
    for r in rows:
        key, name = str(r[0] or ""), r[1]
        currency = str(r[at_currency] or "") if at_currency is not None else ""
        amount = _decimal(r[at_amount])
        before = cells.get((key, currency))
        if before is not None:
            amount += before.amount
        count = None if at_count is None else Decimal(int(r[at_count] or 0))
        cells[(key, currency)] = Cell(key, str(name or key), currency, amount, count)
    return list(cells.values())


async def _periods(
    s: AsyncSession, query: SalesQuery, periods: Sequence[DateRange]
) -> list[tuple[list[Cell], list[Cell]]]:
    """(cells per key, cells of the whole) of each period. The whole is the sum of the keys' cells, but
    for a count over order lines (an order with lines in two categories is one order): its own query."""

    async def cells(grouped: bool) -> list[list[Cell]]:
        if query.metric == "complaints":
            out = []
            for period in periods:
                selects = _complaint_selects(query, period, grouped=grouped)
                out.append(_cells([r for stmt in selects for r in (await s.execute(stmt)).all()]))
            return out
        if not grouped and by_lines(query) and query.metric in COUNT_METRICS:
            rows = (await s.execute(_orders_with_lines_select(query, periods))).all()
            return [_cells(rows, n) for n in range(len(periods))]
        rows = (await s.execute(_order_select(query, periods, grouped=grouped))).all()
        return [_cells(rows, n) for n in range(len(periods))]

    if query.dimension is None:
        return [([], whole) for whole in await cells(False)]
    per_key = await cells(True)
    if by_lines(query) and query.metric not in ("revenue", "units"):
        return list(zip(per_key, await cells(False), strict=True))
    return [(keys, _whole(keys)) for keys in per_key]


def _whole(cells: Sequence[Cell]) -> list[Cell]:
    """The cells of all keys added up, per currency."""
    sums: dict[str, tuple[Decimal, Decimal | None]] = {}
    for c in cells:
        amount, count = sums.get(c.currency, (Decimal(0), None))
        sums[c.currency] = (amount + c.amount, None if c.count is None else (count or Decimal(0)) + c.count)
    return [Cell("", "", currency, amount, count) for currency, (amount, count) in sums.items()]


async def sales_query(sm: Sessions, query: SalesQuery) -> QueryResult:
    if query.metric == "returns":
        return unsupported(query, "returns")
    if query.metric == "complaints":
        named = {query.dimension, *(f.dimension for f in query.filters)}
        for dimension in ("category", "product"):
            if dimension in named:
                return unsupported(query, f"complaints_by_{dimension}")
    periods = [query.period] if query.compare_to is None else [query.period, query.compare_to]
    async with sm() as s:
        figures = await _periods(s, query, periods)
    if query.compare_to is None:
        return assemble(query, *figures[0])
    return assemble(query, *figures[0], *figures[1])

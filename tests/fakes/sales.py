"""The sales query of the in-memory backend (issue 25): the rules of docs/metrics.md over its dictionaries,
in plain Python; ranking and merging shared with the SQL backend (bot.storage.sales_rank)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from statistics import median
from typing import TYPE_CHECKING

from bot.storage.sales_rank import LINE_DIMENSIONS, Cell, assemble, by_lines, unsupported
from dialogue.backend import Order
from dialogue.demo import OrderLine
from dialogue.queries import (
    MONEY_METRICS,
    DateRange,
    QueryResult,
    QuietCustomer,
    SalesNames,
    SalesQuery,
)

if TYPE_CHECKING:
    from tests.fakes.backend import FakeBackend


@dataclass(frozen=True, slots=True)
class Complaint:
    """A complaint escalation (a supplier's, or nobody's) or, with a customer, a customer issue."""

    at: datetime
    supplier_id: str | None = None
    customer_id: str | None = None


def _due(order: Order) -> date | None:
    return order.eta or order.promised_date


def is_late(order: Order, as_of: date) -> bool:
    due = _due(order)
    if due is None:
        return False
    if order.status == "delivered":
        return order.delivered_at is not None and order.delivered_at > due
    return order.is_open and due < as_of


def is_judged(order: Order, as_of: date) -> bool:
    due = _due(order)
    return order.status == "delivered" or (order.is_open and due is not None and due < as_of)


def sales_query(backend: FakeBackend, query: SalesQuery) -> QueryResult:
    named = {query.dimension, *(f.dimension for f in query.filters)}
    if query.metric == "returns":
        return unsupported(query, "returns")
    for dimension in LINE_DIMENSIONS:
        if query.metric == "complaints" and dimension in named:
            return unsupported(query, f"complaints_by_{dimension}")
    cells = _complaint_cells if query.metric == "complaints" else _order_cells
    now = cells(backend, query, query.period, query.dimension), cells(backend, query, query.period, None)
    if query.compare_to is None:
        return assemble(query, *now)
    before = (
        cells(backend, query, query.compare_to, query.dimension),
        cells(backend, query, query.compare_to, None),
    )
    return assemble(query, *now, *before)


def _key(backend: FakeBackend, dimension: str | None, order: Order, sku: str = "") -> tuple[str, str]:
    customer = backend.customers.get(order.customer_id)
    if dimension == "customer":
        return order.customer_id, customer.name if customer else order.customer_id
    if dimension == "supplier":
        supplier = backend.suppliers.get(order.supplier_id)
        return order.supplier_id, supplier.name if supplier else order.supplier_id
    if dimension == "industry":
        industry = customer.industry if customer else ""
        return industry, industry
    if dimension == "category":
        category = backend.products[sku].category
        return category, category
    if dimension == "product":
        return sku, backend.products[sku].name
    return "", ""


def _order_cells(
    backend: FakeBackend, query: SalesQuery, period: DateRange, dimension: str | None
) -> list[Cell]:
    wanted: dict[str, set[str]] = {}
    for f in query.filters:
        wanted.setdefault(f.dimension, set()).add(f.key)
    from_lines = by_lines(query) or query.metric == "units"
    lines: dict[str, list[OrderLine]] = {}
    for line in backend.lines:
        lines.setdefault(line.order_id, []).append(line)
    groups: dict[tuple[str, str, str], tuple[Decimal, set[str]]] = {}

    def add(key: tuple[str, str], order: Order, amount: Decimal) -> None:
        cell = (*key, order.currency if query.metric in MONEY_METRICS else "")
        total, ids = groups.get(cell, (Decimal(0), set()))
        groups[cell] = (total + amount, ids | {order.id})

    def kept(order: Order, sku: str, dimensions: tuple[str, ...]) -> bool:
        return all(_key(backend, d, order, sku)[0] in wanted[d] for d in dimensions if d in wanted)

    for o in backend.orders.values():
        if o.status == "cancelled" or not period.start <= o.created_at.date() < period.end:
            continue
        if not kept(o, "", ("customer", "supplier", "industry")):
            continue
        if not from_lines:
            add(_key(backend, dimension, o), o, o.total)
            continue
        for line in lines.get(o.id, ()):
            if kept(o, line.sku, ("category", "product")):
                amount = line.quantity if query.metric == "units" else line.quantity * line.unit_price
                add(_key(backend, dimension, o, line.sku), o, Decimal(amount))
    out = []
    for (key, name, currency), (amount, ids) in groups.items():
        orders = [backend.orders[i] for i in ids]
        judged = {o.id for o in orders if is_judged(o, query.as_of)}
        late = {o.id for o in orders if is_late(o, query.as_of)}
        figure, count = {
            "revenue": (amount, None),
            "units": (amount, None),
            "average_order_value": (amount, Decimal(len(ids))),
            "orders": (Decimal(len(ids)), None),
            "late_orders": (Decimal(len(late)), None),
            "open_orders": (Decimal(sum(o.is_open for o in orders)), None),
            "on_time_rate": (Decimal(len(judged - late)), Decimal(len(judged))),
        }[query.metric]
        out.append(Cell(key, name, currency, figure, count))
    return out


def _complaint_cells(
    backend: FakeBackend, query: SalesQuery, period: DateRange, dimension: str | None
) -> list[Cell]:
    named = {query.dimension, *(f.dimension for f in query.filters)} - {None}
    wanted: dict[str, set[str]] = {}
    for f in query.filters:
        wanted.setdefault(f.dimension, set()).add(f.key)
    counts: dict[tuple[str, str], int] = {}
    for c in backend.complaints:
        if not period.start <= c.at.date() < period.end:
            continue
        if c.customer_id is None:  # an escalation: a supplier's, or nobody's
            if not named <= {"supplier"} or (query.dimension and c.supplier_id is None):
                continue
            if "supplier" in wanted and c.supplier_id not in wanted["supplier"]:
                continue
            supplier = backend.suppliers.get(c.supplier_id or "")
            key = (c.supplier_id or "", supplier.name if supplier else c.supplier_id or "")
        else:
            customer = backend.customers[c.customer_id]
            if not named <= {"customer", "industry"}:
                continue
            if c.customer_id not in wanted.get("customer", {c.customer_id}):
                continue
            if customer.industry not in wanted.get("industry", {customer.industry}):
                continue
            key = (c.customer_id, customer.name) if dimension == "customer" else (customer.industry,) * 2
        key = key if dimension else ("", "")
        counts[key] = counts.get(key, 0) + 1
    return [Cell(k, n, "", Decimal(c)) for (k, n), c in counts.items()]


def quiet_customers(backend: FakeBackend, *, as_of: date, days: int, limit: int) -> list[QuietCustomer]:
    placed: dict[str, list[datetime]] = {}
    for o in backend.orders.values():
        if o.status != "cancelled" and o.created_at.date() <= as_of:
            placed.setdefault(o.customer_id, []).append(o.created_at)
    quiet = sorted((max(t), c) for c, t in placed.items() if (as_of - max(t).date()).days >= days)
    out = []
    for last, customer_id in quiet[:limit]:
        gaps = [(b - a).days for a, b in pairwise(sorted({t.date() for t in placed[customer_id]}))]
        customer = backend.customers.get(customer_id)
        name = customer.name if customer else customer_id
        usual = float(median(gaps)) if gaps else None
        out.append(QuietCustomer(customer_id, name, last.date(), len(placed[customer_id]), usual))
    return out


def sales_names(backend: FakeBackend) -> SalesNames:
    return SalesNames(
        customers=tuple(sorted((c.id, c.name) for c in backend.customers.values())),
        suppliers=tuple(sorted((s.id, s.name, s.name_zh) for s in backend.suppliers.values())),
        categories=tuple(sorted({p.category for p in backend.products.values() if p.category})),
        products=tuple(sorted((p.sku, p.name) for p in backend.products.values())),
        industries=tuple(sorted({c.industry for c in backend.customers.values() if c.industry})),
    )

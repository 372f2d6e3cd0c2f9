"""A sales rep's question as a query over the sales data: a metric, by a dimension, with filters, over a
period, maybe compared and ranked (issue 25). The definitions are in docs/metrics.md.

This module is the contract between understanding (nlu/sales_query.py, dialogue/actions/sales/ask.py) and
execution (Backend.sales_query, in SQL in bot/storage/). It holds no SQL and no parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, get_args

Metric = Literal[
    "revenue",  # sum of order totals, by order creation date, cancelled orders excluded, per currency
    "units",  # sum of order-line quantities, same orders
    "orders",  # count of orders, same orders
    "average_order_value",  # revenue / orders, per currency
    "late_orders",  # orders of the period late on `as_of` (delivered after, or open past, ETA else promise)
    "on_time_rate",  # share of the period's delivered-or-due orders that were not late (0..1)
    "open_orders",  # orders of the period still open on `as_of`
    "complaints",  # complaint escalations and customer issues opened in the period
    "returns",  # no returns data is stored: the layer says so (QueryResult.unsupported)
]
Dimension = Literal["customer", "supplier", "category", "product", "industry"]
Comparison = Literal["previous", "year_before"]
Order = Literal["value", "change"]  # rank by the figure, or by its change against `compare_to`

METRICS: tuple[str, ...] = get_args(Metric)
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
MONEY_METRICS = frozenset({"revenue", "average_order_value"})  # one figure per currency, never summed


@dataclass(frozen=True, slots=True)
class DateRange:
    """Days `start` .. `end`, end exclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class QueryFilter:
    """Only rows of one customer, supplier, category, product or industry."""

    dimension: Dimension
    key: str  # customer id, supplier id, category name, SKU, industry code
    name: str = ""  # as a reply names it


@dataclass(frozen=True, slots=True)
class SalesQuery:
    metric: Metric
    period: DateRange
    as_of: date  # the day "late" and "open" are judged on (the injected clock's today)
    dimension: Dimension | None = None
    filters: tuple[QueryFilter, ...] = ()
    compare_to: DateRange | None = None
    comparison: Comparison | None = None  # what compare_to is, for the reply's wording
    rank: Literal["top", "bottom"] = "top"
    order_by: Order = "value"
    limit: int = 10


@dataclass(frozen=True, slots=True)
class QueryRow:
    """One figure: for one key of the dimension (key "" when there is none), in one currency ("" unless
    the metric is money)."""

    key: str
    name: str
    currency: str
    value: Decimal
    previous: Decimal | None = None  # the same figure over compare_to, when asked

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.value - self.previous


@dataclass(frozen=True, slots=True)
class QueryResult:
    query: SalesQuery
    rows: tuple[QueryRow, ...]  # ranked and limited; empty without a dimension
    totals: tuple[QueryRow, ...]  # key "": the whole (filtered) figure, one row per currency
    unsupported: str = ""  # why the store cannot answer (e.g. "returns"), else ""


@dataclass(frozen=True, slots=True)
class QuietCustomer:
    """A customer with no order in the last N days."""

    customer_id: str
    name: str
    last_order: date
    order_count: int
    usual_interval_days: float | None  # median days between their orders; None with fewer than two


@dataclass(frozen=True, slots=True)
class SalesNames:
    """What a question may name, as stored: matched by nlu/sales_query.py."""

    customers: tuple[tuple[str, str], ...]  # (id, name)
    suppliers: tuple[tuple[str, str, str], ...]  # (id, name, name_zh)
    categories: tuple[str, ...]
    products: tuple[tuple[str, str], ...]  # (sku, name)
    industries: tuple[str, ...]  # industry codes present on customers

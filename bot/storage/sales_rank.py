"""From aggregated figures to a ranked `QueryResult` (issue 25; definitions in docs/metrics.md).

The SQL backend (bot.storage.sales_query) and the test fake (tests/fakes/backend.py) both aggregate a
query into `Cell`s, one per (key, currency), for the period and for the period compared with; this module
turns them into values, merges the two periods, ranks and limits. It holds no SQL.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dialogue.queries import MONEY_METRICS, QueryResult, QueryRow, SalesQuery

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
RATIO_METRICS = frozenset({"average_order_value", "on_time_rate"})  # a ratio: never 0 for "no data"
LINE_DIMENSIONS = frozenset({"category", "product"})  # an order spans several: figures from its lines
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Cell:
    """One aggregated figure: `amount` is the sum or count; `count` the denominator of a ratio metric
    (orders for the average order value, judged orders for the on-time rate), else None."""

    key: str
    name: str
    currency: str
    amount: Decimal
    count: Decimal | None = None


def by_lines(query: SalesQuery) -> bool:
    """Whether the figures come from order lines: a category or product in the dimension or a filter."""
    return query.dimension in LINE_DIMENSIONS or any(f.dimension in LINE_DIMENSIONS for f in query.filters)


def value_of(metric: str, cell: Cell) -> Decimal | None:
    """The metric's figure of a cell; None for a ratio over nothing."""
    if metric not in RATIO_METRICS:
        return cell.amount.quantize(CENT) if metric in MONEY_METRICS else cell.amount
    if not cell.count:
        return None
    places = CENT if metric == "average_order_value" else RATE_PLACES
    return (cell.amount / cell.count).quantize(places, rounding=ROUND_HALF_UP)


def _values(metric: str, cells: Iterable[Cell]) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
    return {(c.key, c.currency): (c.name, value_of(metric, c)) for c in cells}


def _maybe(
    metric: str, cells: Sequence[Cell] | None
) -> dict[tuple[str, str], tuple[str, Decimal | None]] | None:
    return None if cells is None else _values(metric, cells)


def _currency_order(totals: Sequence[QueryRow]) -> list[str]:
    """The overall currencies, biggest figure first (then the period compared with), then by code."""
    ranked = sorted(totals, key=lambda r: (-r.value, -(r.previous or _ZERO), r.currency))
    return [r.currency for r in ranked]


def _merge(
    metric: str,
    current: dict[tuple[str, str], tuple[str, Decimal | None]],
    previous: dict[tuple[str, str], tuple[str, Decimal | None]] | None,
) -> list[QueryRow]:
    """One row per (key, currency) of either period; an additive figure absent from a period is 0, a
    ratio absent from the current period has no row."""
    keys = list(current) + [k for k in (previous or {}) if k not in current]
    rows = []
    for key, currency in keys:
        name, value = current.get((key, currency), (None, None))
        if previous is not None and (key, currency) in previous:
            before_name, before = previous[(key, currency)]
            name = name or before_name
        else:
            before = None if metric in RATIO_METRICS or previous is None else _ZERO
        if value is None:
            if metric in RATIO_METRICS:
                continue
            value = _ZERO
        rows.append(QueryRow(key, name or key, currency, value, before))
    return rows


def _totals(
    query: SalesQuery, current: Sequence[Cell], previous: Sequence[Cell] | None
) -> tuple[QueryRow, ...]:
    rows = _merge(query.metric, _values(query.metric, current), _maybe(query.metric, previous))
    if not rows and query.metric not in MONEY_METRICS and query.metric not in RATIO_METRICS:
        rows = [QueryRow("", "", "", _ZERO, None if previous is None else _ZERO)]  # a count of nothing is 0
    order = _currency_order(rows)
    return tuple(sorted(rows, key=lambda r: order.index(r.currency)))


def assemble(
    query: SalesQuery,
    current: Sequence[Cell],
    current_total: Sequence[Cell],
    previous: Sequence[Cell] | None = None,
    previous_total: Sequence[Cell] | None = None,
) -> QueryResult:
    """Rank the keys (top: biggest first; bottom: smallest first), by the figure or by its change, in the
    main currency first and then the others; keep `limit` keys, each with one row per currency."""
    totals = _totals(query, current_total, previous_total)
    if query.dimension is None:
        return QueryResult(query, (), totals)
    rows = _merge(query.metric, _values(query.metric, current), _maybe(query.metric, previous))
    order = _currency_order(totals) or sorted({r.currency for r in rows})
    order += sorted({r.currency for r in rows} - set(order))
    per_key: dict[str, dict[str, QueryRow]] = {}
    for row in rows:
        per_key.setdefault(row.key, {})[row.currency] = row
    sign = Decimal(-1) if query.rank == "top" else Decimal(1)

    def figure(row: QueryRow | None) -> Decimal | None:
        if row is None:
            return _ZERO if query.metric not in RATIO_METRICS else None
        return row.change if query.order_by == "change" else row.value

    def sort_key(key: str) -> tuple[tuple[tuple[bool, Decimal], ...], str]:
        figures = (figure(per_key[key].get(currency)) for currency in order)
        return tuple((f is None, sign * (f or _ZERO)) for f in figures), key

    chosen = heapq.nsmallest(max(query.limit, 0), per_key, key=sort_key)
    ranked = tuple(per_key[key][c] for key in chosen for c in order if c in per_key[key])
    return QueryResult(query, ranked, totals)


def unsupported(query: SalesQuery, what: str) -> QueryResult:
    return QueryResult(query, (), (), unsupported=what)

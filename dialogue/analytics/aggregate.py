"""Order lines into sales per category or product, and into weekly units: the one rule every Backend uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dialogue.backend import DailySales, SalesLine


@dataclass(frozen=True, slots=True)
class SoldLine:
    """One order line of a not-cancelled order, with what grouping needs."""

    day: date
    sku: str
    name: str
    category: str
    quantity: int
    unit_price: Decimal
    currency: str = "USD"  # the order's currency


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def sales_lines(lines: Iterable[SoldLine], *, by: str) -> list[SalesLine]:
    """Units and revenue per category or per SKU and currency (never summed across currencies),
    biggest revenue first."""
    if by not in ("category", "product"):
        raise ValueError(f"sales are grouped by 'category' or 'product', not {by!r}")
    units: dict[tuple[str, str], int] = {}
    revenue: dict[tuple[str, str], Decimal] = {}
    names: dict[str, tuple[str, str]] = {}
    for line in lines:
        key = line.category if by == "category" else line.sku
        names.setdefault(key, (line.category if by == "category" else line.name, line.category))
        group = (key, line.currency)
        units[group] = units.get(group, 0) + line.quantity
        revenue[group] = revenue.get(group, Decimal(0)) + line.unit_price * line.quantity
    out = [SalesLine(k, *names[k], units[k, c], revenue[k, c], c) for k, c in units]
    return sorted(out, key=lambda s: (-s.revenue, s.key, s.currency))


def daily_sales(lines: Iterable[SoldLine], *, by: str) -> list[DailySales]:
    """Units and revenue per day, category or SKU, and currency, oldest day first."""
    if by not in ("category", "product"):
        raise ValueError(f"sales are grouped by 'category' or 'product', not {by!r}")
    units: dict[tuple[date, str, str], int] = {}
    revenue: dict[tuple[date, str, str], Decimal] = {}
    names: dict[str, tuple[str, str]] = {}
    for line in lines:
        key = line.category if by == "category" else line.sku
        names.setdefault(key, (line.category if by == "category" else line.name, line.category))
        group = (line.day, key, line.currency)
        units[group] = units.get(group, 0) + line.quantity
        revenue[group] = revenue.get(group, Decimal(0)) + line.unit_price * line.quantity
    return [
        DailySales(day, key, *names[key], units[day, key, c], revenue[day, key, c], c)
        for day, key, c in sorted(units)
    ]


def history_window(end: date, weeks: int) -> tuple[date, ...]:
    """The Mondays of the `weeks` whole weeks before the week of `end`, oldest first."""
    last = week_start(end)
    return tuple(last - timedelta(weeks=k) for k in range(weeks, 0, -1))


def weekly_units(
    lines: Iterable[tuple[date, int]], *, end: date, weeks: int
) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """(week starts, units per week) over the `weeks` whole weeks before the week of `end`."""
    starts = history_window(end, weeks)
    index = {monday: i for i, monday in enumerate(starts)}
    totals = [0] * len(starts)
    for day, quantity in lines:
        i = index.get(week_start(day))
        if i is not None:
            totals[i] += quantity
    return starts, tuple(totals)

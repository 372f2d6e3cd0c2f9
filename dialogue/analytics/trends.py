"""Market trends: sales of a period against the period before, the risers and fallers, and a plain reading.

Every number in a reading comes from the figures it reads (a test checks this).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dialogue.backend import SalesLine

MAX_ROWS = 8
MOVERS = 3
_ZERO = Decimal(0)


def relative_change(now: Decimal | int, before: Decimal | int) -> float | None:
    """(now - before) / before; None when there is nothing before to compare with."""
    if not before:
        return None
    return float((Decimal(now) - Decimal(before)) / Decimal(before))


@dataclass(frozen=True, slots=True)
class Movement:
    """One category or product (or the total) in the period and in the period before."""

    key: str
    name: str
    units: int
    previous_units: int
    revenue: Decimal
    previous_revenue: Decimal

    @property
    def revenue_change(self) -> float | None:
        return relative_change(self.revenue, self.previous_revenue)

    @property
    def units_change(self) -> float | None:
        return relative_change(self.units, self.previous_units)


@dataclass(frozen=True, slots=True)
class TrendReport:
    scope: str  # what was compared: "all categories", a category, or a product
    by: str  # the rows are "category" or "product"
    start: date
    end: date  # exclusive
    previous_start: date
    total: Movement
    rows: tuple[Movement, ...]  # biggest revenue first, at most MAX_ROWS
    risers: tuple[Movement, ...]  # rows whose revenue grew most, biggest rise first
    fallers: tuple[Movement, ...]  # rows whose revenue fell most, biggest fall first

    @property
    def empty(self) -> bool:
        return not self.total.units and not self.total.previous_units


def compare(
    current: Sequence[SalesLine],
    previous: Sequence[SalesLine],
    *,
    scope: str,
    by: str,
    start: date,
    end: date,
    previous_start: date,
) -> TrendReport:
    """The report of `current` against `previous` (both already filtered to the scope)."""
    before = {line.key: line for line in previous}
    now = {line.key: line for line in current}
    rows = []
    for key in dict.fromkeys([*now, *before]):
        a, b = now.get(key), before.get(key)
        either = a or b
        name = either.name if either is not None else key
        rows.append(
            Movement(
                key,
                name,
                a.units if a else 0,
                b.units if b else 0,
                a.revenue if a else _ZERO,
                b.revenue if b else _ZERO,
            )
        )
    rows.sort(key=lambda m: (-m.revenue, -m.previous_revenue, m.key))
    total = Movement(
        "total",
        scope,
        sum(m.units for m in rows),
        sum(m.previous_units for m in rows),
        sum((m.revenue for m in rows), _ZERO),
        sum((m.previous_revenue for m in rows), _ZERO),
    )
    comparable = [m for m in rows if m.revenue_change is not None]
    risers = sorted(
        (m for m in comparable if (m.revenue_change or 0) > 0), key=lambda m: -(m.revenue_change or 0)
    )
    fallers = sorted(
        (m for m in comparable if (m.revenue_change or 0) < 0), key=lambda m: m.revenue_change or 0
    )
    return TrendReport(
        scope=scope,
        by=by,
        start=start,
        end=end,
        previous_start=previous_start,
        total=total,
        rows=tuple(rows[:MAX_ROWS]),
        risers=tuple(risers[:MOVERS]),
        fallers=tuple(fallers[:MOVERS]),
    )


def money_text(amount: Decimal, currency: str = "USD") -> str:
    return f"{currency} {amount:,.2f}"


def change_text(change: float | None, language: str) -> str:
    if change is None:
        return "新增" if language == "zh" else "new"
    return f"{100 * change:+.1f}%"


def _direction(change: float | None, language: str) -> str:
    if change is None:
        return "为新增" if language == "zh" else "is new"
    if language == "zh":
        return (
            f"增长 {100 * change:.1f}%"
            if change > 0
            else f"下降 {-100 * change:.1f}%"
            if change < 0
            else "持平"
        )
    return (
        f"rose {100 * change:.1f}%"
        if change > 0
        else f"fell {-100 * change:.1f}%"
        if change < 0
        else "was flat"
    )


def figures_block(report: TrendReport, language: str) -> str:
    """The total, then one line per row: revenue and units, each with its change."""
    zh = language == "zh"

    def line(m: Movement, label: str) -> str:
        revenue = f"{money_text(m.revenue)}（{change_text(m.revenue_change, language)}）"
        units = f"{m.units:,} 件（{change_text(m.units_change, language)}）"
        if zh:
            return f"• {label}：收入 {revenue}，销量 {units}"
        return (
            f"• {label}: revenue {money_text(m.revenue)} ({change_text(m.revenue_change, language)}), "
            f"{m.units:,} units ({change_text(m.units_change, language)})"
        )

    lines = [line(report.total, "合计" if zh else "Total")]
    lines += [line(m, m.name) for m in report.rows]
    return "\n".join(lines)


def movers_block(report: TrendReport, language: str) -> str:
    def names(movers: Sequence[Movement]) -> str:
        sep = "、" if language == "zh" else ", "
        return sep.join(f"{m.name} ({change_text(m.revenue_change, language)})" for m in movers) or "-"

    if language == "zh":
        return f"增长最快：{names(report.risers)}\n下降最多：{names(report.fallers)}"
    return f"Top risers: {names(report.risers)}\nTop fallers: {names(report.fallers)}"


def reading(report: TrendReport, language: str) -> str:
    """A short plain-language reading of the figures; every number is one of the figures."""
    total = report.total
    zh = language == "zh"
    if zh:
        parts = [
            f"解读：收入{_direction(total.revenue_change, language)}，达到 {money_text(total.revenue)}；"
            f"销量{_direction(total.units_change, language)}，共 {total.units:,} 件。"
        ]
    else:
        parts = [
            f"Reading: revenue {_direction(total.revenue_change, language)} to {money_text(total.revenue)}, "
            f"and units {_direction(total.units_change, language)} to {total.units:,}."
        ]
    if report.risers:
        top = report.risers[0]
        if zh:
            parts.append(f"{top.name}增长最快（{change_text(top.revenue_change, language)}）。")
        else:
            parts.append(f"{top.name} grew fastest ({change_text(top.revenue_change, language)}).")
    if report.fallers:
        low = report.fallers[0]
        if zh:
            parts.append(f"{low.name}下降最多（{change_text(low.revenue_change, language)}）。")
        else:
            parts.append(f"{low.name} fell most ({change_text(low.revenue_change, language)}).")
    if report.rows and total.revenue:
        lead = report.rows[0]
        share = float(lead.revenue / total.revenue)
        if zh:
            parts.append(f"{lead.name}占收入的 {100 * share:.1f}%。")
        else:
            parts.append(f"{lead.name} brought {100 * share:.1f}% of the revenue.")
    return ("" if zh else " ").join(parts)

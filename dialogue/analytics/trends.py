"""Market trends: sales of a span of days against the same span of the period before, the risers and
fallers, and a plain reading.

Like with like: the spans come from nlu.periods.compare_period (a month so far against the same days of
the month before). Two rules keep a reading from calling chance a trend:
- A small base is not a percentage. A row whose period before had fewer than MIN_BASE_UNITS units, or
  less than MIN_BASE_SHARE of the period before's revenue, shows its change as an amount ("+USD 1,200.00
  (from USD 100.00)", "+120 units (from 10)"), and is never a top riser or faller; one with nothing
  before is "new".
- A rise or fall is named only beyond the series' usual variation (dialogue.analytics.noise: twice the
  standard deviation of the same comparison made on each of the twelve weeks of days before). Within it
  the reading says so instead.
Every number in a reading comes from the figures it reads (a test checks this).

Currencies are never added together: a report holds the sales of one currency, the main one (the most
revenue over both spans), and `others` holds a report per other currency, each compared like with like.
With one currency (the demo's), a report is what it always was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from dialogue.analytics.noise import TOTAL, Band, noise_bands
from dialogue.backend import DailySales, SalesLine
from nlu.periods import Comparison

MAX_ROWS = 8
MOVERS = 3
MIN_BASE_UNITS = 20
MIN_BASE_SHARE = Decimal("0.02")
_ZERO = Decimal(0)


def relative_change(now: Decimal | int, before: Decimal | int) -> float | None:
    """(now - before) / before; None when there is nothing before to compare with."""
    if not before:
        return None
    return float((Decimal(now) - Decimal(before)) / Decimal(before))


@dataclass(frozen=True, slots=True)
class Movement:
    """One category or product (or the total) in the span and in the span before."""

    key: str
    name: str
    units: int
    previous_units: int
    revenue: Decimal
    previous_revenue: Decimal
    band: Band = field(default_factory=Band)  # the usual variation; zero: every change counts
    small_base: bool = False  # too little before for a percentage
    currency: str = "USD"  # the revenue's currency

    @property
    def revenue_change(self) -> float | None:
        return relative_change(self.revenue, self.previous_revenue)

    @property
    def units_change(self) -> float | None:
        return relative_change(self.units, self.previous_units)

    @property
    def shown_revenue_change(self) -> float | None:
        """The relative change as a reply shows it: None when it is new or its base is small."""
        return None if self.small_base else self.revenue_change

    @property
    def revenue_moved(self) -> bool:
        """The revenue changed beyond its usual variation."""
        return abs(float(self.revenue - self.previous_revenue)) > self.band.revenue

    @property
    def units_moved(self) -> bool:
        return abs(self.units - self.previous_units) > self.band.units


@dataclass(frozen=True, slots=True)
class TrendReport:
    scope: str  # what was compared: "all categories", a category, or a product
    by: str  # the rows are "category" or "product"
    spans: Comparison
    total: Movement
    rows: tuple[Movement, ...]  # biggest revenue first, at most MAX_ROWS
    risers: tuple[Movement, ...]  # rows whose revenue grew most beyond their usual variation
    fallers: tuple[Movement, ...]  # rows whose revenue fell most beyond their usual variation
    currency: str = "USD"  # every revenue of this report is in this currency
    others: tuple[TrendReport, ...] = ()  # the same scope in each other currency, biggest first

    @property
    def start(self) -> date:
        return self.spans.start

    @property
    def end(self) -> date:  # exclusive
        return self.spans.end

    @property
    def previous_start(self) -> date:
        return self.spans.previous_start

    @property
    def previous_end(self) -> date:  # exclusive
        return self.spans.previous_end

    @property
    def empty(self) -> bool:
        return all(not r.total.units and not r.total.previous_units for r in (self, *self.others))


def _small(units: int, revenue: Decimal, total_revenue: Decimal) -> bool:
    return units < MIN_BASE_UNITS or revenue < MIN_BASE_SHARE * total_revenue


def compare(
    current: Sequence[SalesLine],
    previous: Sequence[SalesLine],
    *,
    scope: str,
    by: str,
    spans: Comparison,
    bands: Mapping[str, Band] | None = None,
    currency: str = "USD",
) -> TrendReport:
    """The report of `current` against `previous` (both already filtered to the scope, all in
    `currency`); `bands` per key and TOTAL (none: every change counts as a movement)."""
    bands = bands or {}
    before = {line.key: line for line in previous}
    now = {line.key: line for line in current}
    previous_total = sum((line.revenue for line in previous), _ZERO)
    rows = []
    for key in dict.fromkeys([*now, *before]):
        a, b = now.get(key), before.get(key)
        either = a or b
        name = either.name if either is not None else key
        units, revenue = (b.units, b.revenue) if b else (0, _ZERO)
        rows.append(
            Movement(
                key,
                name,
                a.units if a else 0,
                units,
                a.revenue if a else _ZERO,
                revenue,
                bands.get(key, Band()),
                bool(units or revenue) and _small(units, revenue, previous_total),
                currency,
            )
        )
    rows.sort(key=lambda m: (-m.revenue, -m.previous_revenue, m.key))
    previous_units = sum(m.previous_units for m in rows)
    total = Movement(
        TOTAL,
        scope,
        sum(m.units for m in rows),
        previous_units,
        sum((m.revenue for m in rows), _ZERO),
        previous_total,
        bands.get(TOTAL, Band()),
        bool(previous_units) and previous_units < MIN_BASE_UNITS,
        currency,
    )
    moved = [m for m in rows if m.shown_revenue_change is not None and m.revenue_moved]
    risers = sorted(
        (m for m in moved if m.revenue > m.previous_revenue), key=lambda m: -(m.revenue_change or 0)
    )
    fallers = sorted(
        (m for m in moved if m.revenue < m.previous_revenue), key=lambda m: m.revenue_change or 0
    )
    return TrendReport(
        scope=scope,
        by=by,
        spans=spans,
        total=total,
        rows=tuple(rows[:MAX_ROWS]),
        risers=tuple(risers[:MOVERS]),
        fallers=tuple(fallers[:MOVERS]),
        currency=currency,
    )


def _sum(daily: Sequence[DailySales], start: date, end: date) -> list[SalesLine]:
    units: dict[str, int] = {}
    revenue: dict[str, Decimal] = {}
    names: dict[str, tuple[str, str]] = {}
    for line in daily:
        if start <= line.day < end:
            names.setdefault(line.key, (line.name, line.category))
            units[line.key] = units.get(line.key, 0) + line.units
            revenue[line.key] = revenue.get(line.key, _ZERO) + line.revenue
    out = [SalesLine(k, *names[k], units[k], revenue[k]) for k in units]
    return sorted(out, key=lambda s: (-s.revenue, s.key))


def _currencies(daily: Sequence[DailySales], spans: Comparison) -> list[str]:
    """The currencies sold in either span, most revenue first (then by code)."""
    revenue: dict[str, Decimal] = {}
    for line in daily:
        if spans.previous_start <= line.day < spans.end:
            revenue[line.currency] = revenue.get(line.currency, _ZERO) + line.revenue
    return sorted(revenue, key=lambda c: (-revenue[c], c))


def trend(
    daily: Sequence[DailySales], spans: Comparison, *, scope: str, by: str, currency: str = "USD"
) -> TrendReport:
    """The report of daily sales (already filtered to the scope, from noise.history_start(spans) on):
    the main currency's, with one report per other currency in `others`; `currency` names an empty one."""
    reports = [
        compare(
            _sum(lines, spans.start, spans.end),
            _sum(lines, spans.previous_start, spans.previous_end),
            scope=scope,
            by=by,
            spans=spans,
            bands=noise_bands(lines, spans),
            currency=code,
        )
        for code in _currencies(daily, spans) or [currency]
        for lines in [[line for line in daily if line.currency == code]]
    ]
    return replace(reports[0], others=tuple(reports[1:]))


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def change_text(change: float | None, language: str) -> str:
    if change is None:
        return "新增" if language == "zh" else "new"
    return f"{100 * change:+.1f}%"


def _signed_money(amount: Decimal, currency: str) -> str:
    return f"{'+' if amount >= 0 else '-'}{money_text(abs(amount), currency)}"


def revenue_change_text(m: Movement, language: str) -> str:
    """ "+12.3%", "new", or on a small base the amount: "+USD 1,200.00 (from USD 100.00)"."""
    if not m.small_base or not m.previous_revenue:
        return change_text(m.revenue_change, language)
    delta = _signed_money(m.revenue - m.previous_revenue, m.currency)
    before = money_text(m.previous_revenue, m.currency)
    return f"{delta}（原为 {before}）" if language == "zh" else f"{delta} (from {before})"


def units_change_text(m: Movement, language: str) -> str:
    """ "+12.3%", "new", or on a small base the units: "+120 units (from 10)"."""
    if not m.small_base or not m.previous_units:
        return change_text(m.units_change, language)
    delta = m.units - m.previous_units
    if language == "zh":
        return f"{delta:+,} 件（原为 {m.previous_units:,} 件）"
    return f"{delta:+,} units (from {m.previous_units:,})"


def figures_block(report: TrendReport, language: str) -> str:
    """The total, then one line per row: revenue and units, each with its change."""
    zh = language == "zh"

    def line(m: Movement, label: str) -> str:
        revenue, units = revenue_change_text(m, language), units_change_text(m, language)
        amount = money_text(m.revenue, m.currency)
        if zh:
            return f"• {label}：收入 {amount}（{revenue}），销量 {m.units:,} 件（{units}）"
        return f"• {label}: revenue {amount} ({revenue}), {m.units:,} units ({units})"

    lines = [line(report.total, "合计" if zh else "Total")]
    lines += [line(m, m.name) for m in report.rows]
    for other in report.others:
        lines.append(line(other.total, f"{'合计' if zh else 'Total'} ({other.currency})"))
        lines += [line(m, f"{m.name} ({other.currency})") for m in other.rows]
    return "\n".join(lines)


def movers_block(report: TrendReport, language: str) -> str:
    zh = language == "zh"

    def names(movers: Sequence[Movement]) -> str:
        sep = "、" if zh else ", "
        none = "无超出正常波动的变化" if zh else "none beyond the usual variation"
        return sep.join(f"{m.name} ({change_text(m.revenue_change, language)})" for m in movers) or none

    if zh:
        return f"增长最快：{names(report.risers)}\n下降最多：{names(report.fallers)}"
    return f"Top risers: {names(report.risers)}\nTop fallers: {names(report.fallers)}"


def _total_en(m: Movement, what: str, amount: str) -> str:
    """One clause on the total's revenue (what="revenue") or units."""
    moved = m.revenue_moved if what == "revenue" else m.units_moved
    before = m.previous_revenue if what == "revenue" else m.previous_units
    change = m.revenue_change if what == "revenue" else m.units_change
    text = revenue_change_text(m, "en") if what == "revenue" else units_change_text(m, "en")
    if not before:
        return f"{what} is {amount}, with nothing in the span before"
    if not moved:
        usual = "is within its" if what == "revenue" else "are within their"
        return f"{what}, {amount} ({text}), {usual} usual variation"
    verb = "rose" if (change or 0) > 0 else "fell"
    if m.small_base:
        return f"{what} {verb} to {amount} ({text})"
    return f"{what} {verb} {100 * abs(change or 0):.1f}% to {amount}"


def _total_zh(m: Movement, what: str, amount: str) -> str:
    moved = m.revenue_moved if what == "revenue" else m.units_moved
    before = m.previous_revenue if what == "revenue" else m.previous_units
    change = m.revenue_change if what == "revenue" else m.units_change
    text = revenue_change_text(m, "zh") if what == "revenue" else units_change_text(m, "zh")
    label = "收入" if what == "revenue" else "销量"
    if not before:
        return f"{label}为 {amount}，上一周期同期没有销售"
    if not moved:
        return f"{label} {amount}（{text}），在正常波动范围内"
    verb = "增长" if (change or 0) > 0 else "下降"
    if m.small_base:
        return f"{label}{verb}至 {amount}（{text}）"
    return f"{label}{verb} {100 * abs(change or 0):.1f}%，达到 {amount}"


def reading(report: TrendReport, language: str) -> str:
    """A short plain-language reading of the figures; every number is one of the figures."""
    total = report.total
    zh = language == "zh"
    revenue, units = money_text(total.revenue, total.currency), f"{total.units:,}"
    if zh:
        parts = [
            f"解读：{_total_zh(total, 'revenue', revenue)}；{_total_zh(total, 'units', units + ' 件')}。"
        ]
    else:
        parts = [f"Reading: {_total_en(total, 'revenue', revenue)}; {_total_en(total, 'units', units)}."]
    if report.risers:
        top = report.risers[0]
        text = change_text(top.revenue_change, language)
        parts.append(f"{top.name}增长最快（{text}）。" if zh else f"{top.name} grew fastest ({text}).")
    if report.fallers:
        low = report.fallers[0]
        text = change_text(low.revenue_change, language)
        parts.append(f"{low.name}下降最多（{text}）。" if zh else f"{low.name} fell most ({text}).")
    if len(report.rows) > 1 and not report.risers and not report.fallers:
        kind = ("品类", "category") if report.by == "category" else ("产品", "product")
        parts.append(
            f"各{kind[0]}的变化都在正常波动范围内。"
            if zh
            else f"No {kind[1]} moved beyond its usual variation."
        )
    if report.rows and total.revenue:
        lead = report.rows[0]
        share = float(lead.revenue / total.revenue)
        if zh:
            parts.append(f"{lead.name}占收入的 {100 * share:.1f}%。")
        else:
            parts.append(f"{lead.name} brought {100 * share:.1f}% of the revenue.")
    for other in report.others:  # each other currency on its own: never added to the main one
        m = other.total
        amount, count = money_text(m.revenue, m.currency), f"{m.units:,}"
        if zh:
            units_zh = _total_zh(m, "units", count + " 件")
            parts.append(f"{m.currency} 部分：{_total_zh(m, 'revenue', amount)}；{units_zh}。")
        else:
            parts.append(
                f"In {m.currency}: {_total_en(m, 'revenue', amount)}; {_total_en(m, 'units', count)}."
            )
    return ("" if zh else " ").join(parts)

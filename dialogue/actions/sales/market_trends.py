"""market_trends: revenue and units by category or product over a span of days, against the span before.

"how's the market trend for home textiles" -> that category's products; a SKU -> that product; no
subject -> every category. The spans compare like with like (nlu.periods.compare_period): a period not
over yet against the same days of the period before ("this month so far (Dec 1–5), against the same days
of last month (Nov 1–5)"), whole days only, since today is not over. With no period named, the last four
weeks against the four before. The reply gives the figures with their changes, the top risers and
fallers beyond the usual variation, a plain reading (every number from the figures), and a chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from dialogue.actions.base import Reply, TurnContext
from dialogue.analytics.charts import render, trend_chart
from dialogue.analytics.noise import history_start
from dialogue.analytics.trends import (
    Movement,
    TrendReport,
    money_text,
    movers_block,
    reading,
    revenue_change_text,
    trend,
    units_change_text,
)
from dialogue.backend import Backend, DailySales
from nlu.periods import Comparison, PeriodVocabulary, compare_period, last_weeks, period_vocabulary

CATEGORIES_FILE = Path(__file__).resolve().parents[2] / "data" / "categories.yml"
DEFAULT_WEEKS = 4
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# key -> (en, zh): the span asked about, and the span it is compared with
_NAMES: Mapping[str, tuple[str, str]] = {
    "this_week": ("this week so far", "本周至今"),
    "this_month": ("this month so far", "本月至今"),
    "last_week": ("last week", "上周"),
    "last_month": ("last month", "上个月"),
    "yesterday": ("yesterday", "昨天"),
    f"last_{DEFAULT_WEEKS}_weeks": ("the last four weeks", "最近四周"),
}
_BEFORE: Mapping[str, tuple[str, str]] = {
    "this_week": ("the same days of last week", "上周同期"),
    "this_month": ("the same days of last month", "上月同期"),
    "last_week": ("the week before", "前一周"),
    "last_month": ("the month before", "前一个月"),
    "yesterday": ("the same weekday a week before", "上周同一天"),
    f"last_{DEFAULT_WEEKS}_weeks": ("the four weeks before", "之前四周"),
}
_CLAMPED = ("the whole of last month", "上月全月")
_NOT_STARTED: Mapping[str, tuple[str, str]] = {
    "this_week": (
        "this week has no whole day yet (today is not over)",
        "本周还没有完整的一天（今天尚未结束）",
    ),
    "this_month": (
        "this month has no whole day yet (today is not over)",
        "本月还没有完整的一天（今天尚未结束）",
    ),
    "today": ("today is not over yet", "今天尚未结束"),
}


def span_text(start: date, end: date, language: str, today: date) -> str:
    """Days `start` to `end` (exclusive) as a reply names them: "Dec 1–5", "Nov 30 – Dec 5", "12月1日–5日",
    with the year where a day is not in this year: "Dec 28, 2026 – Jan 3, 2027"."""
    last = end - timedelta(days=1)
    zh = language == "zh"

    def day_text(day: date, *, month: bool = True) -> str:
        with_year = day.year != today.year or start.year != last.year
        if zh:
            if not month:
                return f"{day.day}日"
            return (f"{day.year}年" if with_year else "") + f"{day.month}月{day.day}日"
        text = f"{_MONTHS[day.month - 1]} {day.day}" if month else str(day.day)
        return f"{text}, {day.year}" if with_year else text

    if start == last:
        return day_text(start)
    if (start.year, start.month) == (last.year, last.month):
        if zh:
            return f"{day_text(start)}–{day_text(last, month=False)}"
        first = f"{_MONTHS[start.month - 1]} {start.day}"
        return f"{first}–{day_text(last, month=False)}"
    return f"{day_text(start)}–{day_text(last)}" if zh else f"{day_text(start)} – {day_text(last)}"


def spans_text(spans: Comparison, language: str, today: date) -> str:
    """ "this month so far (Dec 1–5), against the same days of last month (Nov 1–5)", and when the period
    asked about has no whole day yet, why another is shown."""
    zh = 1 if language == "zh" else 0
    now = span_text(spans.start, spans.end, language, today)
    before = span_text(spans.previous_start, spans.previous_end, language, today)
    against = (_CLAMPED if spans.clamped else _BEFORE[spans.key])[zh]
    name = _NAMES[spans.key][zh]
    text = (
        f"{name}（{now}），对比{against}（{before}）"
        if zh
        else f"{name} ({now}), against {against} ({before})"
    )
    if spans.instead_of:
        reason = _NOT_STARTED[spans.instead_of][zh]
        text = f"{text}，因为{reason}" if zh else f"{text}, as {reason}"
    return text


def window_name(spans: Comparison, language: str, today: date) -> str:
    """The span asked about alone: "this month so far (Dec 1–5)"."""
    name = _NAMES[spans.key][1 if language == "zh" else 0]
    now = span_text(spans.start, spans.end, language, today)
    return f"{name}（{now}）" if language == "zh" else f"{name} ({now})"


@cache
def category_aliases(path: Path = CATEGORIES_FILE) -> Mapping[str, tuple[str, ...]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(v) for v in values) for k, values in raw.items()}


def category_names(language: str) -> Mapping[str, str]:
    """Each category's name in Chinese (its first Chinese alias in categories.yml); none in English."""
    if language != "zh":
        return {}
    return {
        category: next(a for a in aliases if not a.isascii())
        for category, aliases in category_aliases().items()
        if any(not a.isascii() for a in aliases)
    }


def category_in(text: str, categories: Sequence[str]) -> str | None:
    """The catalogue category the text names (by its name or an alias), longest match first."""
    folded = text.casefold()
    aliases = category_aliases()
    found = [
        (len(word), category)
        for category in categories
        for word in (category, *aliases.get(category, ()))
        if word.casefold() in folded
    ]
    return max(found)[1] if found else None


def window_of(text: str, today: date, vocab: PeriodVocabulary | None = None) -> Comparison:
    """The spans the text asks about, else the last four weeks against the four before."""
    words = vocab or period_vocabulary()
    key = next((p.key for p in words.periods if p.pattern.search(text)), None)
    return compare_period(key, today) if key else last_weeks(today, DEFAULT_WEEKS)


async def trend_report(
    backend: Backend, text: str, sku: str | None, spans: Comparison, language: str
) -> TrendReport:
    """Figures of the subject the message names, this span against the one before."""
    products = await backend.list_products()
    category = category_in(text, sorted({p.category for p in products}))
    by = "product" if sku or category else "category"
    daily = await backend.daily_sales(history_start(spans), spans.end, by=by)

    def keep(lines: Sequence[DailySales]) -> list[DailySales]:
        if sku:
            return [line for line in lines if line.key == sku]
        if category:
            return [line for line in lines if line.category == category]
        return list(lines)

    if sku:
        product = next((p for p in products if p.sku == sku), None)
        scope = f"{sku} {product.name}" if product else sku
    else:
        scope = category or ("所有品类" if language == "zh" else "all categories")
    return trend(keep(daily), spans, scope=scope, by=by)


# The spans most trend questions name ("this month", "last week", none), warmed at start (warm_trends)
WARMED_PERIODS: tuple[str | None, ...] = (None, "this_month", "last_month", "this_week", "last_week")


async def warm_trends(backend: Backend, today: date) -> int:
    """Read the figures and draw the charts of the trend questions asked most, every category over
    WARMED_PERIODS in both languages, so that the first such question after start is answered from the
    caches (bot.analytics_cache, the chart offload's) like the ones after it; returns the charts drawn.
    Both caches are keyed by the day and the data, so a question on another day or after an import
    reads and draws afresh, as without this."""
    drawn = 0
    for key in WARMED_PERIODS:
        spans = compare_period(key, today) if key else last_weeks(today, DEFAULT_WEEKS)
        for language in ("en", "zh"):
            names = category_names(language)
            report = named_in(await trend_report(backend, "", None, spans, language), names)
            if not report.empty:
                await render(trend_chart, report, language, names)
                drawn += 1
    return drawn


async def market_trends(ctx: TurnContext) -> list[Reply]:
    entity = ctx.nlu.entity("sku")
    sku = str(entity.value) if entity is not None else None
    if sku and await ctx.services.backend.get_product(sku) is None:
        return [Reply("product_not_found", {"sku": sku})]
    today = ctx.now.date()
    spans = window_of(ctx.message.text, today)
    report = await trend_report(ctx.services.backend, ctx.message.text, sku, spans, ctx.language)
    report = named_in(report, category_names(ctx.language))
    if report.empty:
        period = window_name(spans, ctx.language, today)
        return [Reply("market_trends_no_data", {"scope": report.scope, "period": period})]
    facts = {
        "scope": report.scope,
        "period": spans_text(spans, ctx.language, today),
        "movers": movers_block(report, ctx.language),
        "reading": reading(report, ctx.language),
    }
    header = (
        ("项目", "收入", "变化", "销量", "变化")
        if ctx.language == "zh"
        else ("Item", "Revenue", "Change", "Units", "Change")
    )
    table = (header, *_rows(report, ctx.language))
    chart = await render(trend_chart, report, ctx.language, category_names(ctx.language))
    return [Reply("market_trends", facts, table=table, image=chart)]


def named_in(report: TrendReport, names: Mapping[str, str]) -> TrendReport:
    """The report with its categories (rows, movers, scope) named in the reply's language."""
    if not names or (report.by != "category" and report.scope not in names):
        return report

    def named(m: Movement) -> Movement:
        return replace(m, name=names.get(m.name, m.name)) if report.by == "category" else m

    return replace(
        report,
        scope=names.get(report.scope, report.scope),
        rows=tuple(named(m) for m in report.rows),
        risers=tuple(named(m) for m in report.risers),
        fallers=tuple(named(m) for m in report.fallers),
        others=tuple(named_in(other, names) for other in report.others),
    )


def _rows(report: TrendReport, language: str) -> list[tuple[str, ...]]:
    """The main currency's total and rows, then each other currency's, labelled with its code."""
    total = "合计" if language == "zh" else "Total"
    rows = [_row(report.total, language, total), *(_row(m, language) for m in report.rows)]
    for other in report.others:
        rows.append(_row(other.total, language, f"{total} ({other.currency})"))
        rows += [_row(m, language, f"{m.name} ({other.currency})") for m in other.rows]
    return rows


def _row(m: Movement, language: str, name: str = "") -> tuple[str, ...]:
    return (
        name or m.name,
        money_text(m.revenue, m.currency),
        revenue_change_text(m, language),
        f"{m.units:,}",
        units_change_text(m, language),
    )

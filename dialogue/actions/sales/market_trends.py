"""market_trends: revenue and units by category or product over a period, against the period before.

"how's the market trend for home textiles" -> that category's products; a SKU -> that product; no
subject -> every category. With no period named, the last four weeks. The reply gives the figures with
their changes, the top risers and fallers, a plain reading (every number from the figures), and a chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from dialogue.actions.base import Reply, TurnContext
from dialogue.analytics.charts import render, trend_chart
from dialogue.analytics.trends import (
    Movement,
    TrendReport,
    change_text,
    compare,
    figures_block,
    money_text,
    movers_block,
    reading,
)
from dialogue.backend import Backend, SalesLine
from nlu.periods import PeriodVocabulary, parse_period, period_name, period_vocabulary

CATEGORIES_FILE = Path(__file__).resolve().parents[2] / "data" / "categories.yml"
DEFAULT_DAYS = 28


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date  # exclusive
    name: str

    @property
    def previous_start(self) -> date:
        return self.start - (self.end - self.start)


@cache
def category_aliases(path: Path = CATEGORIES_FILE) -> Mapping[str, tuple[str, ...]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): tuple(str(v) for v in values) for k, values in raw.items()}


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


def window_of(text: str, today: date, language: str, vocab: PeriodVocabulary | None = None) -> Window:
    """The period the text names, else the last four weeks (today excluded: it is not over)."""
    words = vocab or period_vocabulary()
    if any(p.pattern.search(text) for p in words.periods):
        period = parse_period(text, today)
        last = period.end - timedelta(days=1)
        return Window(
            period.start,
            period.end,
            f"{period_name(period.key, language)} ({period.start.isoformat()} – {last.isoformat()})",
        )
    start = today - timedelta(days=DEFAULT_DAYS)
    last = today - timedelta(days=1)
    label = "最近四周" if language == "zh" else "the last four weeks"
    return Window(start, today, f"{label} ({start.isoformat()} – {last.isoformat()})")


async def trend_report(
    backend: Backend, text: str, sku: str | None, window: Window, language: str
) -> TrendReport:
    """Figures of the subject the message names, this window against the one before."""
    products = await backend.list_products()
    category = category_in(text, sorted({p.category for p in products}))
    by = "product" if sku or category else "category"
    current = await backend.sales_by(window.start, window.end, by=by)
    previous = await backend.sales_by(window.previous_start, window.start, by=by)

    def keep(lines: Sequence[SalesLine]) -> list[SalesLine]:
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
    return compare(
        keep(current),
        keep(previous),
        scope=scope,
        by=by,
        start=window.start,
        end=window.end,
        previous_start=window.previous_start,
    )


async def market_trends(ctx: TurnContext) -> list[Reply]:
    entity = ctx.nlu.entity("sku")
    sku = str(entity.value) if entity is not None else None
    if sku and await ctx.services.backend.get_product(sku) is None:
        return [Reply("product_not_found", {"sku": sku})]
    window = window_of(ctx.message.text, ctx.now.date(), ctx.language)
    report = await trend_report(ctx.services.backend, ctx.message.text, sku, window, ctx.language)
    if report.empty:
        return [Reply("market_trends_no_data", {"scope": report.scope, "period": window.name})]
    facts = {
        "scope": report.scope,
        "period": window.name,
        "figures": figures_block(report, ctx.language),
        "movers": movers_block(report, ctx.language),
        "reading": reading(report, ctx.language),
    }
    header = (
        ("项目", "收入", "变化", "销量", "变化")
        if ctx.language == "zh"
        else ("Item", "Revenue", "Change", "Units", "Change")
    )
    table = (header, *(_row(m, ctx.language) for m in (report.total, *report.rows)))
    chart = await render(trend_chart, report)
    return [Reply("market_trends", facts, table=table, image=chart)]


def _row(m: Movement, language: str) -> tuple[str, ...]:
    return (
        m.name,
        money_text(m.revenue),
        change_text(m.revenue_change, language),
        f"{m.units:,}",
        change_text(m.units_change, language),
    )

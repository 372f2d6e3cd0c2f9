"""sales_summary: orders, revenue, top suppliers and categories, late orders of a named period.

Revenue is one figure per currency ("$1,200.00 + EUR 300.00"); the top suppliers and categories are ranked
by dialogue.money.ranked (the main currency first) and show every currency they sold in.
"""

from __future__ import annotations

from datetime import timedelta

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import amounts_fact
from nlu.periods import Period, parse_period, period_name

# The table of the summary: the top suppliers and categories with their revenue (the text has the totals).
TOP_HEADER = {"en": ("Top sellers", "Revenue"), "zh": ("主要供应商和品类", "收入")}
KIND_LABEL = {"en": ("supplier", "category"), "zh": ("供应商", "品类")}


def period_text(period: Period, language: str) -> str:
    """The period as a reply names it: last week (2026-11-16 – 2026-11-22) or 上周（...）."""
    last_day = period.end - timedelta(days=1)
    span = (
        period.start.isoformat()
        if period.start == last_day
        else f"{period.start.isoformat()} – {last_day.isoformat()}"
    )
    name = period_name(period.key, language)
    return f"{name}（{span}）" if language == "zh" else f"{name} ({span})"


async def sales_summary(ctx: TurnContext) -> list[Reply]:
    period = parse_period(ctx.message.text, ctx.now.date())
    summary = await ctx.services.backend.sales_summary(period.start, period.end)
    language = "zh" if ctx.language == "zh" else "en"
    facts: dict[str, object] = {
        "period": period_text(period, ctx.language),
        "order_count": summary.order_count,
        "revenue": amounts_fact(summary.revenue, ctx.language),
        "late_orders": len(summary.late_orders),
        "escalations": summary.escalations,
    }
    supplier, category = KIND_LABEL[language]

    def named(name: str, kind: str) -> str:
        return f"{name}（{kind}）" if language == "zh" else f"{name} ({kind})"

    rows: list[tuple[str, ...]] = [(named(n, supplier), v.text()) for n, v in summary.top_suppliers]
    rows += [(named(n, category), v.text()) for n, v in summary.top_categories]
    table = (TOP_HEADER[language], *rows) if rows else ()
    return [Reply("sales_summary", facts, table=table)]

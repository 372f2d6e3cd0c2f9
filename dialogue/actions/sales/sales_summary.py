"""sales_summary: orders, revenue, top suppliers and categories, late orders of a named period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from dialogue.actions.base import Reply, TurnContext
from dialogue.actions.common import fmt_money, money
from nlu.periods import Period, parse_period, period_name

_LABELS_EN = (
    "Metric",
    "Value",
    "Orders",
    "Revenue",
    "Late orders",
    "Escalations",
    "Top supplier",
    "Top category",
)
_LABELS_ZH = ("指标", "数值", "订单数", "收入", "延迟订单", "升级工单", "主要供应商", "主要品类")


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
    zh = ctx.language == "zh"
    none = "• 无" if zh else "• none"

    def block(items: Sequence[tuple[str, Decimal]]) -> str:
        return "\n".join(f"• {label}: {fmt_money(value, summary.currency)}" for label, value in items) or none

    facts: dict[str, object] = {
        "period": period_text(period, ctx.language),
        "order_count": summary.order_count,
        "revenue": money(summary.revenue, summary.currency),
        "top_suppliers": block(summary.top_suppliers),
        "top_categories": block(summary.top_categories),
        "late_orders": len(summary.late_orders),
        "escalations": summary.escalations,
    }
    labels = _LABELS_ZH if zh else _LABELS_EN
    rows: list[tuple[str, ...]] = [
        (labels[0], labels[1]),
        (labels[2], str(summary.order_count)),
        (labels[3], fmt_money(summary.revenue, summary.currency)),
        (labels[4], ", ".join(summary.late_orders) or "0"),
        (labels[5], str(summary.escalations)),
    ]
    rows.extend(
        (f"{labels[6]} {i}", f"{n}: {fmt_money(v, summary.currency)}")
        for i, (n, v) in enumerate(summary.top_suppliers, 1)
    )
    rows.extend(
        (f"{labels[7]} {i}", f"{n}: {fmt_money(v, summary.currency)}")
        for i, (n, v) in enumerate(summary.top_categories, 1)
    )
    return [Reply("sales_summary", facts, table=tuple(rows))]

"""How an answer to a sales question names things, in both languages: metrics, dimensions, periods,
figures and their changes (dialogue/actions/sales/ask.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dialogue.actions.sales.market_trends import span_text
from dialogue.nlg.lexicalize import format_money
from dialogue.queries import MONEY_METRICS, QueryRow
from nlu.period_spans import Span

METRIC_NAMES: dict[str, tuple[str, str]] = {
    "revenue": ("revenue", "销售额"),
    "units": ("units sold", "销量"),
    "orders": ("number of orders", "订单数"),
    "average_order_value": ("average order value", "客单价"),
    "late_orders": ("number of late orders", "延迟订单数"),
    "on_time_rate": ("on-time rate", "准时交付率"),
    "open_orders": ("number of open orders", "未完成订单数"),
    "complaints": ("number of complaints", "投诉数"),
    "returns": ("returns", "退货"),
}
# (singular, plural, zh)
DIMENSION_NAMES: dict[str, tuple[str, str, str]] = {
    "customer": ("customer", "customers", "客户"),
    "supplier": ("supplier", "suppliers", "供应商"),
    "category": ("category", "categories", "品类"),
    "product": ("product", "products", "商品"),
    "industry": ("industry", "industries", "行业"),
}
NOT_STARTED = {
    "this_week": ("this week has no whole day yet", "本周还没有完整的一天"),
    "this_month": ("this month has no whole day yet", "本月还没有完整的一天"),
    "this_quarter": ("this quarter has no whole day yet", "本季度还没有完整的一天"),
    "this_year": ("this year has no whole day yet", "今年还没有完整的一天"),
    "today": ("today is not over yet", "今天尚未结束"),
}


# Why the store cannot answer (QueryResult.unsupported, docs/metrics.md), as a reply says it.
UNSUPPORTED = {
    "returns": ("no returns data is stored", "系统中没有退货数据"),
    "complaints_by_category": ("complaints are not recorded by category", "投诉没有按品类记录"),
    "complaints_by_product": ("complaints are not recorded by product", "投诉没有按商品记录"),
}


def unsupported_reason(code: str, language: str) -> str:
    en, cn = UNSUPPORTED.get(code, (code.replace("_", " "), code.replace("_", " ")))
    return cn if zh(language) else en


def zh(language: str) -> bool:
    return language == "zh"


def metric_name(metric: str, language: str) -> str:
    en, cn = METRIC_NAMES.get(metric, (metric, metric))
    return cn if zh(language) else en


def dimension_name(dimension: str, language: str, *, plural: bool = False) -> str:
    one, many, cn = DIMENSION_NAMES[dimension]
    return cn if zh(language) else (many if plural else one)


def days_text(start: date, end: date, language: str, today: date) -> str:
    return span_text(start, end, language, today) if end > start else "—"


def period_text(span: Span, language: str, today: date) -> str:
    """ "this quarter so far (Oct 1 – Dec 6)", "上季度（7月1日–9月30日）"; why another period, when the one
    asked about has no whole day yet."""
    days = days_text(span.start, span.end, language, today)
    if span.key == "between":
        text = days
    else:
        text = f"{span.name(language)}（{days}）" if zh(language) else f"{span.name(language)} ({days})"
    if span.instead_of in NOT_STARTED:
        en, cn = NOT_STARTED[span.instead_of]
        text = f"{text}，因为{cn}" if zh(language) else f"{text}, as {en}"
    return text


def compared_text(kind: str | None, start: date, end: date, language: str, today: date) -> str:
    days = days_text(start, end, language, today)
    if kind == "year_before":
        return f"去年同期（{days}）" if zh(language) else f"the same days a year earlier ({days})"
    return f"上一期（{days}）" if zh(language) else f"the period before ({days})"


def value_text(metric: str, value: Decimal, currency: str, language: str) -> str:
    if metric in MONEY_METRICS:
        return format_money(value, currency or "USD", language)
    if metric == "on_time_rate":
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}"


def change_text(metric: str, row: QueryRow, language: str) -> str:
    """ "+USD 1,200.00 (+12%)", "−3", "+5 pts"; "" without a previous figure."""
    change = row.change
    if change is None:
        return ""
    sign = "+" if change >= 0 else "−"
    if metric == "on_time_rate":
        return f"{sign}{abs(change) * 100:.0f} " + ("个百分点" if zh(language) else "pts")
    text = sign + value_text(metric, abs(change), row.currency, language)
    if row.previous:
        text += f" ({sign}{abs(change) / row.previous * 100:.0f}%)"
    elif row.value:
        text += " (新增)" if zh(language) else " (new)"
    return text


def rows_text(metric: str, rows: tuple[QueryRow, ...], language: str) -> str:
    """One figure per currency: "USD 1,200.00 + EUR 300.00"."""
    return " + ".join(value_text(metric, r.value, r.currency, language) for r in rows) or "0"


def last_day(end: date) -> date:
    return end - timedelta(days=1)

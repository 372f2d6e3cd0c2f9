"""A sales query's comparison as a chart (issue 25): this period beside the one compared with, per row of
the dimension (the first ten) or for the whole, in one currency (the first row's). Drawn with the public
helpers of dialogue.analytics.charts; blocking, so call it through `charts.render`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from dialogue.analytics.charts import Chart, chart_language, font_families
from dialogue.queries import MONEY_METRICS, QueryResult

MAX_BARS = 10
_WORDS = {
    "en": {
        "now": "this period",
        "before": "compared with",
        "total": "Total",
        "title": "{metric}: {now} vs {before}",
    },
    "zh": {"now": "本期", "before": "对比期", "total": "合计", "title": "{metric}：{now}，对比 {before}"},
}
_METRICS = {
    "revenue": ("Revenue", "销售额"),
    "units": ("Units sold", "销量"),
    "orders": ("Orders", "订单数"),
    "average_order_value": ("Average order value", "客单价"),
    "late_orders": ("Late orders", "延迟订单"),
    "on_time_rate": ("On-time rate (%)", "准时交付率（%）"),
    "open_orders": ("Open orders", "未完成订单"),
    "complaints": ("Complaints", "投诉"),
    "returns": ("Returns", "退货"),
}


def _span(start: date, end: date) -> str:
    last = end - timedelta(days=1)
    return start.isoformat() if start >= last else f"{start.isoformat()} – {last.isoformat()}"


def query_chart(result: QueryResult, language: str = "en", names: Mapping[str, str] | None = None) -> Chart:
    """Grouped bars: the period asked about beside the one it is compared with."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    query = result.query
    zh = chart_language(language) == "zh"
    words = _WORDS["zh" if zh else "en"]
    rows = list(result.rows or result.totals)
    currency = rows[0].currency if rows else ""
    rows = [r for r in rows if r.currency == currency][:MAX_BARS]
    local = names if names is not None and zh else {}
    labels = [local.get(r.key, local.get(r.name, r.name)) or r.key or words["total"] for r in rows]
    if not zh:
        labels = [
            label if label.isascii() else r.key or words["total"]
            for label, r in zip(labels, rows, strict=True)
        ]
    scale = 100.0 if query.metric == "on_time_rate" else 1.0
    now = [float(r.value) * scale for r in rows]
    before = [float(r.previous or 0) * scale for r in rows]
    fonts = list(font_families())
    figure = Figure(figsize=(7.5, 4.2), dpi=110)
    ax = figure.add_subplot()
    width = 0.38
    x = list(range(len(rows)))
    ax.bar([i - width / 2 for i in x], before, width, label=words["before"], color="#9db4c0")
    ax.bar([i + width / 2 for i in x], now, width, label=words["now"], color="#2a6f97")
    ax.set_xticks(x, labels, rotation=20, ha="right", fontfamily=fonts, fontsize=8)
    metric = _METRICS.get(query.metric, (query.metric, query.metric))[1 if zh else 0]
    if query.metric in MONEY_METRICS and currency:
        metric = f"{metric} ({currency})"
    ax.set_ylabel(metric, fontfamily=fonts, fontsize=10)
    compared = query.compare_to
    title = words["title"].format(
        metric=metric,
        now=_span(query.period.start, query.period.end),
        before=_span(compared.start, compared.end) if compared else "—",
    )
    ax.set_title(title, fontfamily=fonts, fontsize=10)
    ax.legend(prop={"family": fonts, "size": 8})
    ax.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)  # type: ignore[no-untyped-call]
    return Chart(buffer.getvalue(), "sales-query.png", title)

"""A sales query's comparison drawn as bars: this period beside the one compared with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dialogue.analytics.query_chart import query_chart
from dialogue.queries import DateRange, QueryResult, QueryRow, SalesQuery


def result(metric: str = "revenue") -> QueryResult:
    query = SalesQuery(
        metric,  # type: ignore[arg-type]
        DateRange(date(2026, 11, 1), date(2026, 11, 23)),
        date(2026, 11, 23),
        dimension="category",
        compare_to=DateRange(date(2025, 11, 1), date(2025, 11, 23)),
        comparison="year_before",
    )
    rows = (
        QueryRow("Electronics", "Electronics", "USD", Decimal("4800"), Decimal("3000")),
        QueryRow("Home Textiles", "Home Textiles", "USD", Decimal("2000"), Decimal("2500")),
        QueryRow("Bags", "Bags", "EUR", Decimal("10"), Decimal("0")),
    )
    return QueryResult(query, rows, ())


def test_a_comparison_is_a_png_titled_with_both_spans() -> None:
    chart = query_chart(result(), "en")
    assert chart.png.startswith(b"\x89PNG") and chart.file_name == "sales-query.png"
    assert chart.title == "Revenue (USD): 2026-11-01 – 2026-11-22 vs 2025-11-01 – 2025-11-22"


def test_chinese_names_and_a_rate_in_percent() -> None:
    chart = query_chart(result("on_time_rate"), "zh", {"Electronics": "电子产品"})
    assert chart.png.startswith(b"\x89PNG")
    assert "2026-11-01" in chart.title

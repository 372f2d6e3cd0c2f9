"""Market trend figures: aggregation, the comparison, the movers, and a reading that states only figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from dialogue.analytics.aggregate import SoldLine, sales_lines, weekly_units
from dialogue.analytics.trends import TrendReport, compare, figures_block, movers_block, reading

D = date(2026, 11, 2)


def sold(sku: str, category: str, qty: int, price: str, day: date = D) -> SoldLine:
    return SoldLine(day, sku, f"Product {sku}", category, qty, Decimal(price))


def test_sales_lines_group_by_category_and_product() -> None:
    lines = [sold("A", "Bags", 10, "2.00"), sold("B", "Bags", 5, "4.00"), sold("C", "Tools", 1, "50.00")]
    by_category = sales_lines(lines, by="category")
    assert [(s.key, s.units, s.revenue) for s in by_category] == [
        ("Tools", 1, Decimal("50.00")),
        ("Bags", 15, Decimal("40.00")),
    ]
    assert [s.key for s in sales_lines(lines, by="product")] == ["C", "A", "B"]


def test_weekly_units_fill_whole_weeks_before_this_one() -> None:
    starts, units = weekly_units([(date(2026, 11, 17), 3), (date(2026, 11, 19), 4), (date(2026, 11, 3), 9)],
                                 end=date(2026, 11, 25), weeks=3)  # fmt: skip
    assert starts == (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16))
    assert units == (9, 0, 7)


def report(language: str = "en") -> TrendReport:
    now = sales_lines(
        [sold("A", "Bags", 20, "2.00"), sold("C", "Tools", 1, "50.00"), sold("N", "New", 2, "1.00")],
        by="category",
    )
    before = sales_lines([sold("A", "Bags", 10, "2.00"), sold("C", "Tools", 2, "50.00")], by="category")
    return compare(now, before, scope="all categories", by="category", start=D, end=date(2026, 11, 30),
                   previous_start=date(2026, 10, 5))  # fmt: skip


def test_compare_gives_changes_risers_and_fallers() -> None:
    r = report()
    assert r.total.revenue == Decimal("92.00") and r.total.previous_revenue == Decimal("120.00")
    bags = next(m for m in r.rows if m.key == "Bags")
    assert bags.revenue_change == 1.0 and bags.units_change == 1.0
    assert [m.key for m in r.risers] == ["Bags"] and [m.key for m in r.fallers] == ["Tools"]
    assert next(m for m in r.rows if m.key == "New").revenue_change is None  # nothing to compare with


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,]*(?:\.\d+)?", text))


def test_every_number_of_the_reading_is_a_figure() -> None:
    for language in ("en", "zh"):
        r = report(language)
        figures = figures_block(r, language) + movers_block(r, language)
        share = f"{100 * float(r.rows[0].revenue / r.total.revenue):.1f}"
        text = reading(r, language)
        assert numbers(text) <= numbers(figures) | {share}, text
        assert ("fell" in text) if language == "en" else ("下降" in text)

"""Market trend figures: aggregation, the comparison, small bases, the movers, and a reading that states only
figures and names a rise or fall only beyond the usual variation."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from dialogue.analytics.aggregate import SoldLine, daily_sales, sales_lines, weekly_units
from dialogue.analytics.noise import Band
from dialogue.analytics.trends import (
    TrendReport,
    compare,
    figures_block,
    movers_block,
    reading,
    revenue_change_text,
    trend,
    units_change_text,
)
from nlu.periods import Comparison

D = date(2026, 11, 2)
SPANS = Comparison("last_4_weeks", D, date(2026, 11, 30), date(2026, 10, 5), D, date(2026, 11, 30))


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


def test_daily_sales_group_by_day_and_key() -> None:
    later = D + timedelta(days=1)
    lines = [sold("A", "Bags", 10, "2.00"), sold("B", "Bags", 5, "4.00", later), sold("A", "Bags", 1, "2.00")]
    days = daily_sales(lines, by="category")
    assert [(s.day, s.key, s.units, s.revenue) for s in days] == [
        (D, "Bags", 11, Decimal("22.00")),
        (later, "Bags", 5, Decimal("20.00")),
    ]
    assert [(s.day, s.key, s.name) for s in daily_sales(lines, by="product")] == [
        (D, "A", "Product A"),
        (later, "B", "Product B"),
    ]


def test_weekly_units_fill_whole_weeks_before_this_one() -> None:
    starts, units = weekly_units([(date(2026, 11, 17), 3), (date(2026, 11, 19), 4), (date(2026, 11, 3), 9)],
                                 end=date(2026, 11, 25), weeks=3)  # fmt: skip
    assert starts == (date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16))
    assert units == (9, 0, 7)


def report(language: str = "en", bands: dict[str, Band] | None = None) -> TrendReport:
    now = sales_lines(
        [sold("A", "Bags", 60, "20.00"), sold("C", "Tools", 20, "50.00"), sold("N", "New", 2, "1.00"),
         sold("S", "Storage", 130, "1.00")],
        by="category",
    )  # fmt: skip
    before = sales_lines(
        [sold("A", "Bags", 30, "20.00"), sold("C", "Tools", 40, "50.00"), sold("S", "Storage", 10, "1.00")],
        by="category",
    )
    return compare(now, before, scope="all categories", by="category", spans=SPANS, bands=bands)


def test_compare_gives_changes_risers_and_fallers() -> None:
    r = report()
    assert r.total.revenue == Decimal("2332.00") and r.total.previous_revenue == Decimal("2610.00")
    bags = next(m for m in r.rows if m.key == "Bags")
    assert bags.revenue_change == 1.0 and bags.units_change == 1.0 and not bags.small_base
    assert [m.key for m in r.risers] == ["Bags"] and [m.key for m in r.fallers] == ["Tools"]
    assert next(m for m in r.rows if m.key == "New").revenue_change is None  # nothing to compare with


def test_a_small_base_is_an_amount_not_a_percentage() -> None:
    r = report()
    storage = next(m for m in r.rows if m.key == "Storage")  # 10 units before: +1200% is not a trend
    assert storage.small_base and storage.revenue_change == 12.0
    assert revenue_change_text(storage, "en") == "+USD 120.00 (from USD 10.00)"
    assert units_change_text(storage, "en") == "+120 units (from 10)"
    assert units_change_text(storage, "zh") == "+120 件（原为 10 件）"
    assert storage not in r.risers and "Storage" not in movers_block(r, "en")
    assert "1200" not in figures_block(r, "en") + reading(r, "en")
    new = next(m for m in r.rows if m.key == "New")
    assert revenue_change_text(new, "en") == "new" and revenue_change_text(new, "zh") == "新增"


def test_a_change_within_the_usual_variation_is_not_called_a_rise_or_fall() -> None:
    wide = {"total": Band(5000.0, 500.0), "Bags": Band(1000.0, 500.0), "Tools": Band(5000.0, 500.0)}
    r = report(bands=wide)
    assert not r.risers and not r.fallers and not r.total.revenue_moved
    en, zh = reading(r, "en"), reading(r, "zh")
    assert "fell" not in en and "rose" not in en and "within its usual variation" in en
    assert "No category moved beyond its usual variation." in en
    assert "下降" not in zh and "正常波动范围内" in zh
    assert movers_block(r, "en") == (
        "Top risers: none beyond the usual variation\nTop fallers: none beyond the usual variation"
    )
    narrow = report(bands={"total": Band(100.0, 10.0), "Bags": Band(10.0, 1.0), "Tools": Band(5000.0, 100.0)})
    assert [m.key for m in narrow.risers] == ["Bags"] and not narrow.fallers  # Tools: -50% but usual
    assert reading(narrow, "en").startswith("Reading: revenue fell 10.7% to USD 2,332.00; units rose")


def numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,]*(?:\.\d+)?", text))


def assert_reading_states_figures(r: TrendReport, language: str) -> None:
    figures = figures_block(r, language) + movers_block(r, language)
    share = f"{100 * float(r.rows[0].revenue / r.total.revenue):.1f}" if r.total.revenue else ""
    text = reading(r, language)
    assert numbers(text) <= numbers(figures) | {share}, text


def test_every_number_of_the_reading_is_a_figure() -> None:
    for language in ("en", "zh"):
        for bands in (None, {"total": Band(5000.0, 500.0)}):
            assert_reading_states_figures(report(language, bands), language)
        text = reading(report(language), language)
        assert ("fell" in text) if language == "en" else ("下降" in text)


def test_a_trend_compares_each_currency_with_itself() -> None:
    before, now = D - timedelta(days=7), D + timedelta(days=7)
    lines = [
        *(replace(sold("A", "Bags", 30, "10.00", day), currency="USD") for day in (before, now)),
        replace(sold("B", "Tools", 25, "4.00", before), currency="EUR"),
        replace(sold("B", "Tools", 50, "4.00", now), currency="EUR"),
    ]
    r = trend(daily_sales(lines, by="category"), SPANS, scope="all categories", by="category")
    assert (r.currency, r.total.revenue, r.total.previous_revenue) == (
        "USD",
        Decimal("300.00"),
        Decimal("300.00"),
    )
    (eur,) = r.others
    assert (eur.currency, eur.total.revenue, eur.total.previous_revenue) == (
        "EUR",
        Decimal(200),
        Decimal(100),
    )
    assert eur.total.revenue_change == 1.0  # EUR against EUR, never against the USD figures
    text = figures_block(r, "en") + reading(r, "en")
    assert "Total (EUR): revenue EUR 200.00" in text and "In EUR: revenue" in text
    assert "500.00" not in text and "400.00" not in text  # no cross-currency sum

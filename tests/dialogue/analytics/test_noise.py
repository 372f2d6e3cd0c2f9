"""The usual variation of a series: a window that misses the weekly order day is not a collapse, a real
drop is a fall."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from dialogue.analytics.noise import NOISE_SHIFTS, history_start, noise_bands
from dialogue.analytics.trends import reading, trend
from dialogue.backend import DailySales
from nlu.periods import compare_period

SUNDAY = date(2026, 12, 6)


def weekly_orders(today: date, weeks: int = 40, last_week: float = 1.0) -> list[DailySales]:
    """One order every Monday per category, about 100 units at USD 10 (18% noise); `last_week` scales the
    last week's."""
    rng = random.Random(7)
    this_monday = today - timedelta(days=today.weekday())
    out = []
    for k in range(weeks, 0, -1):
        monday = this_monday - timedelta(weeks=k)
        for category in ("Bags", "Tools"):
            units = round(rng.gauss(100, 18) * (last_week if k == 1 else 1.0))
            out.append(DailySales(monday, category, category, category, units, Decimal(units) * 10))
    return out


def test_the_history_covers_every_shift() -> None:
    spans = compare_period("this_month", SUNDAY)  # Dec 1-5 against Nov 1-5
    assert history_start(spans) == spans.previous_start - timedelta(days=5 + NOISE_SHIFTS - 1)


def test_a_month_so_far_that_misses_the_order_day_is_within_the_usual_variation() -> None:
    spans = compare_period("this_month", SUNDAY)
    daily = weekly_orders(SUNDAY)
    report = trend(daily, spans, scope="all categories", by="category")
    assert report.total.revenue == 0 and report.total.previous_revenue > 0  # Nov 2 was a Monday
    assert not report.total.revenue_moved and not report.fallers
    assert "fell" not in reading(report, "en") and "下降" not in reading(report, "zh")
    assert "within its usual variation" in reading(report, "en")


def test_orders_that_stop_are_a_fall_and_a_steady_week_is_not() -> None:
    spans = compare_period("last_week", SUNDAY)  # Nov 23-29 against Nov 16-22: one Monday each
    dropped = trend(weekly_orders(SUNDAY, last_week=0.0), spans, scope="all categories", by="category")
    assert dropped.total.revenue_moved and {m.key for m in dropped.fallers} == {"Bags", "Tools"}
    assert reading(dropped, "en").startswith("Reading: revenue fell ")
    steady = trend(weekly_orders(SUNDAY), spans, scope="all categories", by="category")
    assert not steady.fallers and not steady.risers
    assert "within its usual variation" in reading(steady, "en")


def test_a_series_with_no_history_counts_every_change() -> None:
    spans = compare_period("yesterday", SUNDAY)
    day = DailySales(spans.start, "Bags", "Bags", "Bags", 5, Decimal(50))
    bands = noise_bands([day], spans)
    assert bands["total"].revenue == 0.0 and bands["Bags"].units == 0.0

"""Any period a sales question names, on awkward days (the day is injected, never today's)."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.period_spans import previous_span, span_in, year_before_span

D = date
MONDAY = D(2026, 12, 7)  # a Monday, in the fourth quarter


def span(text: str, today: date = MONDAY) -> tuple[str, date, date]:
    found = span_in(text, today).span
    return found.key, found.start, found.end


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        ("top customers this quarter", "this_quarter", D(2026, 10, 1), D(2026, 12, 7)),
        ("本季度的销售额", "this_quarter", D(2026, 10, 1), D(2026, 12, 7)),
        ("revenue last quarter", "last_quarter", D(2026, 7, 1), D(2026, 10, 1)),
        ("上个季度销售额最高的三个客户", "last_quarter", D(2026, 7, 1), D(2026, 10, 1)),
        ("year to date", "this_year", D(2026, 1, 1), D(2026, 12, 7)),
        ("今年以来的订单", "this_year", D(2026, 1, 1), D(2026, 12, 7)),
        ("revenue last year", "last_year", D(2025, 1, 1), D(2026, 1, 1)),
        ("in Q3", "q3", D(2026, 7, 1), D(2026, 10, 1)),
        ("第三季度", "q3", D(2026, 7, 1), D(2026, 10, 1)),
        ("Q3 2025", "q3", D(2025, 7, 1), D(2025, 10, 1)),
        ("since October", "since", D(2026, 10, 1), D(2026, 12, 7)),
        ("自10月以来", "since", D(2026, 10, 1), D(2026, 12, 7)),
        ("the last 60 days", "last_n_days", D(2026, 10, 8), D(2026, 12, 7)),
        ("最近60天", "last_n_days", D(2026, 10, 8), D(2026, 12, 7)),
        ("过去两周", "last_n_days", D(2026, 11, 23), D(2026, 12, 7)),
        ("in November", "month", D(2026, 11, 1), D(2026, 12, 1)),
        ("十一月", "month", D(2026, 11, 1), D(2026, 12, 1)),
        ("2025年11月的收入", "month", D(2025, 11, 1), D(2025, 12, 1)),
        ("between 1 Oct and 15 Nov", "between", D(2026, 10, 1), D(2026, 11, 16)),
        ("from 2026-10-01 to 2026-11-15", "between", D(2026, 10, 1), D(2026, 11, 16)),
        ("10月1日到11月15日", "between", D(2026, 10, 1), D(2026, 11, 16)),
        # a Monday: this week has no whole day yet, so last week, and the reply says why
        ("this week", "last_week", D(2026, 11, 30), D(2026, 12, 7)),
    ],
)
def test_periods_in_both_languages(text: str, key: str, start: date, end: date) -> None:
    assert span(text) == (key, start, end)


def test_no_period_is_this_month_so_far_and_says_it_was_a_default() -> None:
    found = span_in("top customers by revenue", MONDAY)
    assert found.default and found.span.key == "this_month"
    assert (found.span.start, found.span.end) == (D(2026, 12, 1), D(2026, 12, 7))
    assert found.span.name("en") == "this month so far" and found.span.name("zh") == "本月至今"


def test_may_is_a_month_only_when_it_reads_as_one() -> None:
    assert span("revenue in May")[0] == "month"
    assert span_in("may I see the revenue", MONDAY).default


def test_new_years_day_has_no_whole_day_of_this_year_or_quarter() -> None:
    new_year = D(2027, 1, 1)
    year = span_in("revenue this year", new_year).span
    assert (year.key, year.start, year.end, year.instead_of) == (
        "last_year",
        D(2026, 1, 1),
        new_year,
        "this_year",
    )
    quarter = span_in("this quarter", new_year).span
    assert (quarter.key, quarter.start, quarter.instead_of) == (
        "last_quarter",
        D(2026, 10, 1),
        "this_quarter",
    )
    month = span_in("本月", new_year).span
    assert (month.key, month.start, month.instead_of) == ("last_month", D(2026, 12, 1), "this_month")


def test_a_quarters_first_day_falls_back_but_its_second_day_is_one_day_so_far() -> None:
    first = span_in("this quarter", D(2026, 4, 1)).span
    assert (first.key, first.start, first.end) == ("last_quarter", D(2026, 1, 1), D(2026, 4, 1))
    second = span_in("this quarter", D(2026, 4, 2)).span
    assert (second.key, second.start, second.end, second.partial) == (
        "this_quarter",
        D(2026, 4, 1),
        D(2026, 4, 2),
        True,
    )
    assert previous_span(second) == (D(2026, 1, 1), D(2026, 1, 2))


def test_q1_on_the_last_day_of_march_is_this_quarter_so_far() -> None:
    q1 = span_in("in Q1", D(2026, 3, 31)).span
    assert (q1.key, q1.start, q1.end) == ("this_quarter", D(2026, 1, 1), D(2026, 3, 31))
    # against the same 89 days of the quarter before: Oct 1 .. Dec 28
    assert previous_span(q1) == (D(2025, 10, 1), D(2025, 12, 29))  # Oct 1 - Dec 28: as many days


def test_a_quarter_not_begun_this_year_is_last_years() -> None:
    assert span("in Q4", D(2026, 3, 31))[1:] == (D(2025, 10, 1), D(2026, 1, 1))
    assert span("in November", D(2026, 3, 31))[1:] == (D(2025, 11, 1), D(2025, 12, 1))


def test_leap_day_compares_with_the_same_span_clamped() -> None:
    leap = D(2028, 2, 29)
    month = span_in("this month", leap).span
    assert (month.start, month.end) == (D(2028, 2, 1), leap)
    assert previous_span(month) == (D(2028, 1, 1), D(2028, 1, 29))
    assert year_before_span(month) == (D(2027, 2, 1), D(2027, 3, 1))  # Feb 1-28, 2027: every day of it
    march = span_in("this month", D(2028, 3, 31)).span
    assert previous_span(march) == (D(2028, 2, 1), D(2028, 3, 1))  # clamped to February's end
    ytd = span_in("year to date", D(2029, 3, 1)).span
    assert year_before_span(ytd) == (D(2028, 1, 1), D(2028, 3, 1))


def test_whole_periods_compare_with_the_whole_one_before_and_a_year_before() -> None:
    q3 = span_in("in Q3", MONDAY).span
    assert previous_span(q3) == (D(2026, 4, 1), D(2026, 7, 1))
    assert year_before_span(q3) == (D(2025, 7, 1), D(2025, 10, 1))
    last_week = span_in("last week", MONDAY).span
    assert year_before_span(last_week) == (D(2025, 12, 1), D(2025, 12, 8))  # 52 weeks back: Monday to Sunday
    days = span_in("the last 60 days", MONDAY).span
    assert previous_span(days) == (D(2026, 8, 9), D(2026, 10, 8))


def test_two_dates_later_than_today_without_a_year_are_last_years() -> None:
    assert span("between 1 Nov and 15 Dec", D(2027, 1, 5))[1:] == (D(2026, 11, 1), D(2026, 12, 16))

"""Like with like: the spans a trend question compares, at the start, middle and end of a week, a month
and a year (nlu.periods.compare_period). Today is not over, so it is in neither span."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.periods import compare_period, last_weeks

D = date


@pytest.mark.parametrize(
    ("today", "key", "spans", "complete"),
    [
        # a Sunday in the first week of a month: December 1-5 against November 1-5
        (
            D(2026, 12, 6),
            "this_month",
            (D(2026, 12, 1), D(2026, 12, 6), D(2026, 11, 1), D(2026, 11, 6)),
            False,
        ),
        (
            D(2026, 12, 6),
            "this_week",
            (D(2026, 11, 30), D(2026, 12, 6), D(2026, 11, 23), D(2026, 11, 29)),
            False,
        ),
        # the last day of a month and of a year: the month so far against all of the month before
        (
            D(2026, 12, 31),
            "this_month",
            (D(2026, 12, 1), D(2026, 12, 31), D(2026, 11, 1), D(2026, 12, 1)),
            False,
        ),
        (
            D(2026, 12, 31),
            "this_week",
            (D(2026, 12, 28), D(2026, 12, 31), D(2026, 12, 21), D(2026, 12, 24)),
            False,
        ),
        # 29 February: January's same days
        (D(2028, 2, 29), "this_month", (D(2028, 2, 1), D(2028, 2, 29), D(2028, 1, 1), D(2028, 1, 29)), False),
        # complete periods: the whole period before, whatever its length
        (D(2028, 2, 29), "last_month", (D(2028, 1, 1), D(2028, 2, 1), D(2027, 12, 1), D(2028, 1, 1)), True),
        (D(2027, 1, 1), "last_month", (D(2026, 12, 1), D(2027, 1, 1), D(2026, 11, 1), D(2026, 12, 1)), True),
        (
            D(2027, 1, 1),
            "last_week",
            (D(2026, 12, 21), D(2026, 12, 28), D(2026, 12, 14), D(2026, 12, 21)),
            True,
        ),
        # a day against the same weekday a week before
        (
            D(2027, 1, 1),
            "yesterday",
            (D(2026, 12, 31), D(2027, 1, 1), D(2026, 12, 24), D(2026, 12, 25)),
            True,
        ),
    ],
)
def test_spans_compare_the_same_days(today: date, key: str, spans: tuple[date, ...], complete: bool) -> None:
    c = compare_period(key, today)
    assert (c.start, c.end, c.previous_start, c.previous_end) == spans
    assert c.complete is complete and c.instead_of is None
    assert c.end <= today  # today is not over


def test_a_longer_month_so_far_is_clamped_to_the_month_before() -> None:
    march = compare_period("this_month", D(2027, 3, 31))  # March 1-30 against all of February (28 days)
    assert (march.previous_start, march.previous_end) == (D(2027, 2, 1), D(2027, 3, 1)) and march.clamped
    leap = compare_period("this_month", D(2028, 3, 31))
    assert leap.previous_end == D(2028, 3, 1) and leap.clamped  # February 1-29
    assert not compare_period("this_month", D(2028, 3, 29)).clamped  # March 1-28 against February 1-28


@pytest.mark.parametrize(
    ("today", "key", "instead"),
    [
        (D(2026, 12, 1), "this_month", "last_month"),  # the first of a month
        (D(2027, 1, 1), "this_month", "last_month"),  # the first of a year
        (D(2026, 11, 30), "this_week", "last_week"),  # a Monday
        (D(2026, 12, 6), "today", "yesterday"),
    ],
)
def test_a_period_with_no_whole_day_yet_compares_the_last_complete_one(
    today: date, key: str, instead: str
) -> None:
    c = compare_period(key, today)
    assert c.instead_of == key and c.key == instead and c.complete
    plain = compare_period(instead, today)
    assert (c.start, c.end, c.previous_start, c.previous_end) == (
        plain.start, plain.end, plain.previous_start, plain.previous_end,
    )  # fmt: skip


def test_the_last_four_weeks_are_whole_weeks_of_days_before_today() -> None:
    c = last_weeks(D(2026, 12, 6), 4)
    assert (c.start, c.end, c.previous_start, c.previous_end) == (
        D(2026, 11, 8), D(2026, 12, 6), D(2026, 10, 11), D(2026, 11, 8),
    )  # fmt: skip
    assert c.complete

"""One reading of numbers and calendar words, for dates, periods and typed ratings."""

from __future__ import annotations

import pytest

from nlu.numerals import calendar_words, small_number, zh_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("九十九", 99),
        ("一百二十", 120),
        ("60", 60),
        ("６０", 60),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert zh_number(text) == value


@pytest.mark.parametrize("text", ["", "二三", "abc", "三个"])
def test_what_is_no_numeral(text: str) -> None:
    assert zh_number(text) is None


def test_english_number_words_and_the_calendar_tables() -> None:
    assert small_number("two") == 2 and small_number("a") == 1 and small_number("sixty") == 60
    words = calendar_words()
    assert (
        words.months_en["sept"] == 9 and words.weekdays_zh["日"] == 6 and words.relative_days_zh["前天"] == -2
    )

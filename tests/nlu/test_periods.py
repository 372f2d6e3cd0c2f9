"""Date periods named in sales questions, resolved against an injected day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from nlu.errors import VocabularyError
from nlu.periods import PERIOD_KEYS, Period, parse_period, period_name, period_vocabulary
from nlu.vocab import read_vocab

MONDAY = date(2026, 11, 23)


def test_periods_resolve_against_today() -> None:
    monday = date(2026, 11, 23)
    assert parse_period("this month", monday)[1:] == (date(2026, 11, 1), date(2026, 11, 24))
    assert parse_period("yesterday", monday)[1:] == (date(2026, 11, 22), date(2026, 11, 23))
    assert parse_period("今天", monday)[1:] == (monday, date(2026, 11, 24))
    assert parse_period("上个月", date(2026, 1, 5))[1:] == (date(2025, 12, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "key", "start", "end"),
    [
        ("sales summary", "this_week", MONDAY, date(2026, 11, 24)),
        ("sales last week", "last_week", date(2026, 11, 16), MONDAY),
        ("上星期的销售", "last_week", date(2026, 11, 16), MONDAY),
        ("revenue previous month", "last_month", date(2026, 10, 1), date(2026, 11, 1)),
        ("本月销售", "this_month", date(2026, 11, 1), date(2026, 11, 24)),
        ("昨日的订单", "yesterday", date(2026, 11, 22), MONDAY),
        ("TODAY please", "today", MONDAY, date(2026, 11, 24)),
    ],
)
def test_each_period(text: str, key: str, start: date, end: date) -> None:
    assert parse_period(text, MONDAY) == Period(key, start, end)


def test_the_first_period_in_file_order_wins() -> None:
    assert parse_period("本周和上周的销售？上周", MONDAY).key == "last_week"  # last_week is listed first
    assert parse_period("this week vs last month", MONDAY).key == "this_week"


def test_a_week_runs_monday_to_today() -> None:
    sunday = date(2026, 11, 29)
    assert parse_period("this week", sunday) == Period("this_week", MONDAY, date(2026, 11, 30))


def test_names_per_language() -> None:
    assert period_name("last_month", "en") == "last month"
    assert period_name("last_month", "zh") == "上个月"
    assert {p.key for p in period_vocabulary().periods} == PERIOD_KEYS


def test_a_vocabulary_without_every_period_is_refused(tmp_path: Path) -> None:
    (tmp_path / "periods.yml").write_text(
        "default: this_week\nperiods:\n  - {key: today, names: {en: today, zh: 今天}, patterns: [today]}\n",
        encoding="utf-8",
    )
    with pytest.raises(VocabularyError, match="periods must be exactly"):
        period_vocabulary(tmp_path)


def test_a_missing_or_malformed_vocabulary_names_the_file_and_key(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match=r"absent\.yml"):
        read_vocab("absent", tmp_path)
    (tmp_path / "bad.yml").write_text("periods: [{key: today, patterns: [today]}]\n", encoding="utf-8")
    entry = read_vocab("bad", tmp_path).sections("periods")[0]
    assert entry.strings("patterns") == ("today",)
    with pytest.raises(VocabularyError, match=r"bad.yml: periods\[0\]: missing 'names'"):
        entry.section("names")

"""Date periods a sales question names ("last week", "上个月"), resolved against an injected day.

The words are in nlu/data/vocab/periods.yml; the calendar arithmetic is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple

from nlu.errors import VocabularyError
from nlu.numerals import zh_number
from nlu.vocab import VOCAB_DIR, read_vocab

PERIOD_KEYS = frozenset({"this_week", "last_week", "this_month", "last_month", "today", "yesterday"})


class Period(NamedTuple):
    """A named period: `start` inclusive, `end` exclusive."""

    key: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class PeriodWords:
    key: str
    name_en: str
    name_zh: str
    pattern: re.Pattern[str]

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


@dataclass(frozen=True, slots=True)
class PeriodVocabulary:
    periods: tuple[PeriodWords, ...]  # in match order
    default: str

    def key_in(self, text: str) -> str:
        """The first period (in file order) the text names, else the default."""
        return next((p.key for p in self.periods if p.pattern.search(text)), self.default)

    def words(self, key: str) -> PeriodWords:
        return next(p for p in self.periods if p.key == key)


@cache
def period_vocabulary(vocab_dir: Path = VOCAB_DIR) -> PeriodVocabulary:
    """nlu/data/vocab/periods.yml, read and checked once."""
    vocab = read_vocab("periods", vocab_dir)
    periods = []
    for entry in vocab.sections("periods"):
        names = entry.section("names")
        try:
            pattern = re.compile("|".join(entry.strings("patterns")), re.I)
        except re.error as exc:
            raise VocabularyError(f"{entry.source}: bad pattern: {exc}") from exc
        periods.append(PeriodWords(entry.text("key"), names.text("en"), names.text("zh"), pattern))
    keys = [p.key for p in periods]
    default = vocab.text("default")
    if sorted(keys) != sorted(PERIOD_KEYS) or default not in PERIOD_KEYS:
        raise VocabularyError(f"{vocab.source}: periods must be exactly {sorted(PERIOD_KEYS)}, once each")
    return PeriodVocabulary(tuple(periods), default)


def parse_period(text: str, today: date) -> Period:
    """The period the text names; this week when it names none."""
    key = period_vocabulary().key_in(text)
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    tomorrow = today + timedelta(days=1)
    if key == "last_week":
        return Period(key, week_start - timedelta(days=7), week_start)
    if key == "this_month":
        return Period(key, month_start, tomorrow)
    if key == "last_month":
        return Period(key, (month_start - timedelta(days=1)).replace(day=1), month_start)
    if key == "yesterday":
        return Period(key, today - timedelta(days=1), today)
    if key == "today":
        return Period(key, today, tomorrow)
    return Period(key, week_start, tomorrow)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two spans of whole days to compare (ends exclusive): the period a question names, as far as it has
    gone, against the same span of the period before it.

    Today is not over, so it is in neither span. `period_end` is where the named period ends: later than
    `end` while the period is not complete. `clamped` when the period before is shorter than the span
    (March 1-30 against February 1-28/29). `instead_of` names the period asked about when it has no whole
    day yet (this month on the 1st, this week on a Monday, today): the last complete one is compared instead.
    """

    key: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    period_end: date
    clamped: bool = False
    instead_of: str | None = None

    @property
    def complete(self) -> bool:
        return self.end >= self.period_end


def _month_start(day: date, months_back: int = 0) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


def compare_period(key: str, today: date) -> Comparison:
    """The spans `key` compares on `today`: like with like.

    A week is compared with the week before, a month with the month before, a day with the same weekday a
    week before (weekly ordering makes neighbouring days unlike). A period not over yet is compared with
    the same days of the period before (December 1-5 against November 1-5; this week's Monday to Saturday
    against last week's), clamped to the end of the period before when that is shorter.
    """
    week = today - timedelta(days=today.weekday())
    month = _month_start(today)
    if key == "this_week" and today > week:
        return Comparison(
            key, week, today, week - timedelta(days=7), today - timedelta(days=7), week + timedelta(days=7)
        )
    if key == "this_month" and today > month:
        previous = _month_start(today, 1)
        same_days = previous + (today - month)
        return Comparison(
            key,
            month,
            today,
            previous,
            min(same_days, month),
            _month_start(today, -1),
            clamped=same_days > month,
        )
    if key in ("this_week", "this_month", "today"):
        last = {"this_week": "last_week", "this_month": "last_month", "today": "yesterday"}[key]
        done = compare_period(last, today)
        return Comparison(
            done.key,
            done.start,
            done.end,
            done.previous_start,
            done.previous_end,
            done.period_end,
            instead_of=key,
        )
    if key == "last_week":
        return Comparison(
            key, week - timedelta(days=7), week, week - timedelta(days=14), week - timedelta(days=7), week
        )
    if key == "last_month":
        return Comparison(
            key, _month_start(today, 1), month, _month_start(today, 2), _month_start(today, 1), month
        )
    if key == "yesterday":
        day = today - timedelta(days=1)
        return Comparison(key, day, today, day - timedelta(days=7), today - timedelta(days=7), today)
    raise ValueError(f"not a period: {key!r}")


def last_weeks(today: date, weeks: int) -> Comparison:
    """The `weeks` whole weeks of days before today, against the same number of weeks before them."""
    span = timedelta(weeks=weeks)
    return Comparison(f"last_{weeks}_weeks", today - span, today, today - 2 * span, today - span, today)


def period_name(key: str, language: str) -> str:
    """How a reply names the period: "last week" / "上周"."""
    return period_vocabulary().words(key).name(language)


_HORIZON_WEEKS = re.compile(
    r"(?:next|coming|following)\s+(\d{1,2})\s+weeks?|(\d{1,2})\s+weeks?\s+ahead", re.I
)
_HORIZON_WEEKS_ZH = re.compile(
    r"(?:未来|接下来|下|后)\s*(\d{1,2}|[一两二三四五六七八九十]{1,2})\s*(?:个)?(?:周|星期|礼拜)"
)
_HORIZON_FIXED: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"next\s+quarter|下个?季度|未来三个月", re.I), 13),
    (re.compile(r"next\s+(?:two|2)\s+months|未来两个月|下两个月", re.I), 9),
    (re.compile(r"next\s+month|coming\s+month|下个?月|未来一个月", re.I), 4),
    (re.compile(r"next\s+week|下周|下个?星期|下礼拜", re.I), 1),
)
MAX_HORIZON_WEEKS = 26


def horizon_weeks(text: str, default: int = 4) -> int:
    """How many weeks ahead a forecast question asks about: "next 6 weeks" -> 6, "下个月" -> 4."""
    m = _HORIZON_WEEKS.search(text)
    if m:
        weeks = int(m.group(1) or m.group(2))
    elif (z := _HORIZON_WEEKS_ZH.search(text)) is not None:
        weeks = zh_number(z.group(1)) or 0
    else:
        weeks = next((w for pattern, w in _HORIZON_FIXED if pattern.search(text)), default)
    return max(1, min(MAX_HORIZON_WEEKS, weeks or default))

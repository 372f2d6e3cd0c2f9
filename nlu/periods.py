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


def period_name(key: str, language: str) -> str:
    """How a reply names the period: "last week" / "上周"."""
    return period_vocabulary().words(key).name(language)

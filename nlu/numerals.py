"""Numbers and calendar words in both languages, one copy: Chinese numerals ("二十三", "两"), English
number words, weekdays, months and days relative to today. The tables are data, in
nlu/data/vocab/calendar.yml; this module reads them once and parses numbers with them."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from nlu.errors import VocabularyError
from nlu.vocab import VOCAB_DIR, Vocab, read_vocab


@dataclass(frozen=True, slots=True)
class CalendarWords:
    zh_digits: Mapping[str, int]
    zh_multipliers: Mapping[str, int]
    en_numbers: Mapping[str, int]
    weekdays_en: Mapping[str, int]
    weekdays_zh: Mapping[str, int]
    months_en: Mapping[str, int]
    relative_days_en: Mapping[str, int]
    relative_days_zh: Mapping[str, int]

    @property
    def zh_numeral_chars(self) -> str:
        """Every Chinese numeral character, for a regular expression's character class."""
        return "".join((*self.zh_digits, *self.zh_multipliers))


def _ints(vocab: Vocab, key: str) -> Mapping[str, int]:
    raw = vocab.data.get(key)
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError(f"{vocab.source}: {key!r} must be a non-empty mapping")
    try:
        table = {str(k): int(v) for k, v in raw.items()}
    except (TypeError, ValueError) as exc:
        raise VocabularyError(f"{vocab.source}: {key!r} must map words to whole numbers") from exc
    return MappingProxyType(table)


@cache
def calendar_words(vocab_dir: Path = VOCAB_DIR) -> CalendarWords:
    """nlu/data/vocab/calendar.yml, read and checked once."""
    vocab = read_vocab("calendar", vocab_dir)
    return CalendarWords(*(_ints(vocab, key) for key in CalendarWords.__slots__))


def zh_number(text: str) -> int | None:
    """A Chinese numeral or digits as a number: "三" 3, "十五" 15, "二十" 20, "一百二十" 120, "60" 60,
    "６０" 60 (NFKC); None when the text is not one."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    words = calendar_words()
    total, digit = 0, None
    for char in text:
        if char in words.zh_digits:
            if digit is not None and digit != 0:
                return None  # "二三": two digits in a row is no numeral here
            digit = words.zh_digits[char]
        elif char in words.zh_multipliers:
            total += (1 if digit is None else digit) * words.zh_multipliers[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def small_number(token: str) -> int | None:
    """A number written in digits, as an English word ("two", "a") or as a Chinese numeral."""
    lowered = token.strip().lower()
    if lowered in calendar_words().en_numbers:
        return calendar_words().en_numbers[lowered]
    return zh_number(lowered)

"""Date expressions (EN and ZH) resolved against an injected `today`; own rules, no dateparser."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from nlu.numerals import calendar_words, small_number
from nlu.spans import SpanSet

_WORDS = calendar_words()  # nlu/data/vocab/calendar.yml
_WEEKDAYS_EN = _WORDS.weekdays_en
_WEEKDAYS_ZH = _WORDS.weekdays_zh
_MONTHS = _WORDS.months_en
_RELATIVE_DAYS_EN = _WORDS.relative_days_en
_RELATIVE_DAYS_ZH = _WORDS.relative_days_zh
_ZH_NUM_CHARS = "".join(_WORDS.zh_digits)


def _alternatives(words: Mapping[str, int]) -> str:
    """The words as a regular expression's alternatives, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WD_EN = _alternatives(_WEEKDAYS_EN)
_MON = _alternatives(_MONTHS)
_L = r"(?<![A-Za-z0-9])"
_R = r"(?![A-Za-z0-9])"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(_L + r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _R)),
    ("zh_full", re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")),
    ("day_after_tomorrow", re.compile(_L + r"(?:the\s+)?day\s+after\s+tomorrow" + _R, re.I)),
    ("rel_en", re.compile(_L + r"(" + _alternatives(_RELATIVE_DAYS_EN) + r")" + _R, re.I)),
    ("rel_zh", re.compile(r"(" + _alternatives(_RELATIVE_DAYS_ZH) + r")")),
    ("in_days", re.compile(_L + r"in\s+(\d{1,3}|a|one|two|three)\s+(days?|weeks?)" + _R, re.I)),
    (
        "zh_in_days",
        re.compile(r"(\d{1,3}|[" + _ZH_NUM_CHARS + r"十]{1,3})\s*(天|周|个星期|星期)\s*(?:后|以后|之后)"),
    ),
    ("wd_en", re.compile(_L + r"(?:(next|this|last|coming|on)\s+)?(" + _WD_EN + r")" + _R, re.I)),
    ("wd_zh", re.compile(r"(下下|下个?|上个?|这个?|本)?\s*(?:周|星期|礼拜)([一二三四五六日天])")),
    (
        "mon_day",
        re.compile(_L + r"(" + _MON + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?" + _R, re.I),
    ),
    (
        "day_mon",
        re.compile(
            _L + r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + _MON + r")\.?(?:,?\s*(\d{4}))?" + _R, re.I
        ),
    ),
    ("next_week", re.compile(_L + r"(next|this)\s+week" + _R, re.I)),
    ("zh_week", re.compile(r"(下周|下星期|下个星期|本周|这周)(?![一二三四五六日天])")),
]


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: dt.date


def _week_start(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


def _weekday_date(today: dt.date, weekday: int, modifier: str) -> dt.date:
    modifier = modifier.lower()
    if modifier in ("next", "下", "下个"):
        return _week_start(today) + dt.timedelta(days=7 + weekday)
    if modifier == "下下":
        return _week_start(today) + dt.timedelta(days=14 + weekday)
    if modifier in ("last", "上", "上个"):
        return _week_start(today) - dt.timedelta(days=7 - weekday)
    if modifier in ("this", "这", "这个", "本"):
        return _week_start(today) + dt.timedelta(days=weekday)
    # bare weekday, "on", "coming": the next occurrence, today included
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _small_number(token: str) -> int:
    return small_number(token) or 0


def _resolve(kind: str, m: re.Match[str], today: dt.date) -> dt.date | None:
    g = m.groups()
    if kind == "iso":
        return _safe_date(int(g[0]), int(g[1]), int(g[2]))
    if kind == "zh_full":
        return _safe_date(int(g[0]) if g[0] else today.year, int(g[1]), int(g[2]))
    if kind == "day_after_tomorrow":
        return today + dt.timedelta(days=2)
    if kind == "rel_en":
        return today + dt.timedelta(days=_RELATIVE_DAYS_EN[g[0].lower()])
    if kind == "rel_zh":
        return today + dt.timedelta(days=_RELATIVE_DAYS_ZH[g[0]])
    if kind in ("in_days", "zh_in_days"):
        n = _small_number(g[0])
        unit = g[1].lower()
        days = n * 7 if unit.startswith(("week", "周", "个星期", "星期")) else n
        return today + dt.timedelta(days=days)
    if kind == "wd_en":
        return _weekday_date(today, _WEEKDAYS_EN[g[1].lower()], g[0] or "")
    if kind == "wd_zh":
        return _weekday_date(today, _WEEKDAYS_ZH[g[1]], g[0] or "")
    if kind == "mon_day":
        return _safe_date(int(g[2]) if g[2] else today.year, _MONTHS[g[0].lower()], int(g[1]))
    if kind == "day_mon":
        return _safe_date(int(g[2]) if g[2] else today.year, _MONTHS[g[1].lower()], int(g[0]))
    if kind == "next_week":
        offset = 7 if g[0].lower() == "next" else 0
        return _week_start(today) + dt.timedelta(days=offset)
    if kind == "zh_week":
        return _week_start(today) + dt.timedelta(days=0 if g[0] in ("本周", "这周") else 7)
    return None


_AMBIGUOUS_SHORT = {"mon", "sun", "sat", "wed", "fri", "tue", "thu", "may", "mar", "jun", "jul", "dec", "aug"}


def find_dates(text: str, today: dt.date) -> list[DateMatch]:
    """Every date expression in text, longest first, without overlaps."""
    found: list[DateMatch] = []
    taken = SpanSet()
    candidates: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            candidates.append((m.start(), m.end(), kind, m))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    for start, end, kind, m in candidates:
        if taken.overlaps(start, end):
            continue
        if (
            kind == "wd_en"
            and not m.group(1)
            and m.group(2).lower() in _AMBIGUOUS_SHORT
            and m.group(2).islower()
        ):
            continue  # "sun", "sat", "wed" in lower case are too often plain words
        value = _resolve(kind, m, today)
        if value is None:
            continue
        taken.add(start, end)
        found.append(DateMatch(start, end, m.group(0), value))
    return sorted(found, key=lambda d: d.start)

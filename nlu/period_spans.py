"""Any period a sales question names, as whole days against an injected `today` (issue 25): the named
periods of nlu/periods.py, this/last quarter and year, year to date, "Q3", "since October", "in November",
"the last 60 days", two dates; and what each is compared with (the span before, or a year before).

The rules are compare_period's (nlu/periods.py): today is not over, so it is in no span; a period not
over yet is the days of it so far ("this quarter so far"), compared with the same days of the period
before; a period with no whole day yet (this quarter on its first day) gives way to the last whole one,
and says so (`instead_of`). A week runs Monday to Sunday, a quarter is a calendar quarter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from nlu.dates import find_dates
from nlu.numerals import calendar_words, small_number
from nlu.periods import _month_start, compare_period, period_name, period_vocabulary

Kind = Literal["day", "week", "month", "quarter", "year", "days"]
MAX_DAYS = 3660  # "the last N days" beyond ten years is no sales period


@dataclass(frozen=True, slots=True)
class Span:
    """Days `start` .. `end` (exclusive) a question asks about; `period_end` is where the named period
    ends (after `end` while it is not over); `instead_of` the period asked about when it had no whole
    day yet, and the span is the last whole one instead."""

    key: str
    kind: Kind
    start: date
    end: date
    period_end: date
    name_en: str
    name_zh: str
    instead_of: str | None = None

    @property
    def partial(self) -> bool:
        return self.end < self.period_end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


@dataclass(frozen=True, slots=True)
class Found:
    """A span and where the text names it (`start` .. `end` characters; 0, 0 for the default)."""

    span: Span
    start: int
    end: int
    default: bool = False


_MONTHS_EN = tuple(
    max((w for w, n in calendar_words().months_en.items() if n == month), key=len).capitalize()
    for month in range(1, 13)
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_NUM = r"(\d{1,4}|[a-z]+|[" + calendar_words().zh_numeral_chars + r"]{1,4})"
_ZH_NUM = r"(\d{1,4}|[" + calendar_words().zh_numeral_chars + r"]{1,4})"
_MONTH_WORDS = "|".join(sorted(calendar_words().months_en, key=len, reverse=True))
_FULL_MONTHS = "|".join(m.lower() for m in _MONTHS_EN if m != "May")  # "may I ..."

_LAST_N = re.compile(
    r"\b(?:the\s+)?(?:last|past|previous|recent|trailing)\s+" + _NUM + r"\s+(days?|weeks?|months?)\b"
    r"|(?:最近|过去|近|前)\s*" + _ZH_NUM + r"\s*(天|日|周|个?星期|个?礼拜|个?月)",
    re.I,
)
_QUARTER = re.compile(
    r"\b(?:in\s+|during\s+)?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
    r"(?:\s*(?:of\s+)?(\d{4}))?\b"
    r"|(?:(\d{4})\s*年\s*)?第?([一二三四1-4])\s*季度",
    re.I,
)
_SINCE = re.compile(
    r"\bsince\s+(?:the\s+)?(?:start\s+of\s+|beginning\s+of\s+)?(" + _MONTH_WORDS + r")\b\.?"
    r"|(?:自从?|从)?\s*(\d{1,2}|["
    + calendar_words().zh_numeral_chars
    + r"]{1,3})\s*月份?\s*(?:以来|起|开始|至今)",
    re.I,
)
_MONTH = re.compile(
    r"\b(?:(?:in|during|for)\s+(" + _MONTH_WORDS + r")|(" + _FULL_MONTHS + r"))\b\.?(?:\s*,?\s*(\d{4}))?"
    r"|(?<![\d年月])(?:(\d{4})\s*年\s*)?(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?(?!\s*\d{0,2}\s*[日号])",
    re.I,
)
_NAMED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "this_quarter",
        re.compile(
            r"\b(?:this|current)\s+(?:quarter|qtr)\b|\bquarter\s+to\s+date\b|\bqtd\b|本季度|这个?季度|本季|当季",
            re.I,
        ),
    ),
    (
        "last_quarter",
        re.compile(r"\b(?:last|previous|past|prior)\s+(?:quarter|qtr)\b|上一?个?季度|上季", re.I),
    ),
    (
        "this_year",
        re.compile(
            r"\b(?:this|current)\s+year\b|\byear\s+to\s+date\b|\bytd\b|\bso\s+far\s+this\s+year\b"
            r"|今年以来|今年至今|年初至今|今年|本年度?",
            re.I,
        ),
    ),
    ("last_year", re.compile(r"\b(?:last|previous|prior)\s+year\b|去年|上一年|上年度", re.I)),
)
_CONNECTOR = re.compile(r"\b(?:between|from|to|and|through|until|till)\b|[-–—~～]|至|到|和|与", re.I)


def _quarter_start(day: date, back: int = 0) -> date:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return date(index // 4, index % 4 * 3 + 1, 1)


def _shift_year(day: date, years: int, *, end: bool = False) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes the 28th for a start,
    1 March for an (exclusive) end."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1) if end else date(day.year + years, 2, 28)


def _whole(key: str, kind: Kind, start: date, period_end: date, today: date, names: tuple[str, str]) -> Span:
    """The period `start` .. `period_end`, as far as it has gone by today (today excluded)."""
    end = min(period_end, today)
    en, zh = names
    if end < period_end:
        en, zh = f"{en} so far", f"{zh}至今"
    return Span(key, kind, start, end, period_end, en, zh)


def _month_names(start: date, today: date) -> tuple[str, str]:
    en = _MONTHS_EN[start.month - 1]
    if start.year != today.year:
        return f"{en} {start.year}", f"{start.year}年{start.month}月"
    return en, f"{start.month}月"


def named_span(key: str, today: date) -> Span:
    """A named period: this/last week, month, quarter, year, today, yesterday."""
    q = _quarter_start(today)
    if key == "this_quarter":
        if today == q:
            return replace(named_span("last_quarter", today), instead_of=key)
        return _whole(key, "quarter", q, _quarter_start(today, -1), today, ("this quarter", "本季度"))
    if key == "last_quarter":
        return _whole(key, "quarter", _quarter_start(today, 1), q, today, ("last quarter", "上季度"))
    if key == "this_year":
        first = date(today.year, 1, 1)
        if today == first:
            return replace(named_span("last_year", today), instead_of=key)
        return _whole(key, "year", first, date(today.year + 1, 1, 1), today, ("this year", "今年"))
    if key == "last_year":
        return _whole(
            key, "year", date(today.year - 1, 1, 1), date(today.year, 1, 1), today, ("last year", "去年")
        )
    spans = compare_period(key, today)
    kind: Kind = "week" if spans.key.endswith("week") else "month" if spans.key.endswith("month") else "day"
    en, zh = period_name(spans.key, "en"), period_name(spans.key, "zh")
    if spans.end < spans.period_end:
        en, zh = f"{en} so far", f"{zh}至今"
    return Span(spans.key, kind, spans.start, spans.end, spans.period_end, en, zh, spans.instead_of)


def _quarter(number: int, year: int | None, today: date) -> Span:
    if year is None:
        year = today.year if date(today.year, number * 3 - 2, 1) <= today else today.year - 1
    start = date(year, number * 3 - 2, 1)
    if start == _quarter_start(today):
        return named_span("this_quarter", today)
    period_end = _quarter_start(start, -1)
    names = (f"Q{number} {year}", f"{year}年第{'一二三四'[number - 1]}季度")
    return _whole(f"q{number}", "quarter", start, period_end, today, names)


def _month(month: int, year: int | None, today: date) -> Span:
    if year is None:
        year = today.year if month <= today.month else today.year - 1
    start = date(year, month, 1)
    if start == _month_start(today):
        return named_span("this_month", today)
    return _whole("month", "month", start, _month_start(start, -1), today, _month_names(start, today))


def _days(count: int, today: date) -> Span:
    count = max(1, min(MAX_DAYS, count))
    start = today - timedelta(days=count)
    return Span("last_n_days", "days", start, today, today, f"the last {count} days", f"最近{count}天")


def _last_n(m: re.Match[str], today: date) -> Span | None:
    raw, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    n = small_number(raw)
    if not n:
        return None
    unit = unit.lower()
    if unit.startswith(("week", "周", "星期", "个星期", "礼拜", "个礼拜")):
        return _days(7 * n, today)
    if unit.startswith(("month", "月", "个月")):
        first = _month_start(today, n)
        start = min(first + timedelta(days=today.day - 1), _month_start(today, n - 1) - timedelta(days=1))
        span = _days((today - start).days, today)
        return replace(span, name_en=f"the last {n} months", name_zh=f"最近{n}个月")
    return _days(n, today)


def _since(month: int, today: date) -> Span:
    year = today.year if month <= today.month else today.year - 1
    start = date(year, month, 1)
    if start == _month_start(today):
        return named_span("this_month", today)
    en, cn = _month_names(start, today)
    names = (f"the time since {en.replace(' ', ' 1, ', 1) if ' ' in en else en + ' 1'}", f"{cn}1日以来")
    return Span("since", "days", start, today, today, *names)


def _between(text: str, today: date) -> Found | None:
    dates = find_dates(text, today)
    if len(dates) < 2:
        return None
    first, second = dates[0], dates[1]
    if not _CONNECTOR.search(text[first.end : second.start]) or len(text[first.end : second.start]) > 12:
        return None
    start, last = sorted((first.value, second.value))
    if start >= today and not re.search(r"\d{4}", first.text):
        start, last = _shift_year(start, -1), _shift_year(last, -1)
    end = min(last + timedelta(days=1), today)
    if end <= start:
        return None
    en = f"{start.isoformat()} – {(last).isoformat()}"
    span = Span(
        "between",
        "days",
        start,
        end,
        last + timedelta(days=1),
        en,
        f"{start.isoformat()}至{last.isoformat()}",
    )
    return Found(span, first.start, second.end)


def find_span(text: str, today: date) -> Found | None:
    """The period the text names, and where; None when it names none."""
    if (between := _between(text, today)) is not None:
        return between
    if (m := _LAST_N.search(text)) is not None and (span := _last_n(m, today)) is not None:
        return Found(span, m.start(), m.end())
    if (m := _QUARTER.search(text)) is not None:
        number = int(m.group(1)) if m.group(1) else _ORDINALS.get((m.group(2) or "").lower(), 0)
        number = number or (small_number(m.group(5)) or 0 if m.group(5) else 0)
        year = m.group(3) or m.group(4)
        if 1 <= number <= 4:
            return Found(_quarter(number, int(year) if year else None, today), m.start(), m.end())
    if (m := _SINCE.search(text)) is not None:
        month = calendar_words().months_en.get(m.group(1).lower()) if m.group(1) else small_number(m.group(2))
        if month and 1 <= month <= 12:
            return Found(_since(month, today), m.start(), m.end())
    for key, pattern in _NAMED:
        if (m := pattern.search(text)) is not None:
            return Found(named_span(key, today), m.start(), m.end())
    for words in period_vocabulary().periods:
        if (m := words.pattern.search(text)) is not None:
            return Found(named_span(words.key, today), m.start(), m.end())
    if (m := _MONTH.search(text)) is not None:
        word = m.group(1) or m.group(2)
        month = calendar_words().months_en.get(word.lower()) if word else small_number(m.group(5))
        year = m.group(3) or m.group(4)
        if month and 1 <= month <= 12:
            return Found(_month(month, int(year) if year else None, today), m.start(), m.end())
    return None


def span_in(text: str, today: date, default: str = "this_month") -> Found:
    """The period the text names, else `default` (flagged, so a reply can say which it chose)."""
    found = find_span(text, today)
    return found if found is not None else Found(named_span(default, today), 0, 0, default=True)


def previous_span(span: Span) -> tuple[date, date]:
    """The span a "vs the period before" compares with: like with like.

    A whole month, quarter or year against the one before; one not over yet against the same days of the
    one before (clamped to its end); a day against the same weekday a week before; a week, or any run of
    days, against as many days just before it.
    """
    if span.kind == "day":
        return span.start - timedelta(days=7), span.end - timedelta(days=7)
    if span.kind in ("week", "days"):
        return span.start - timedelta(days=span.days), span.start
    if span.kind == "month":
        before = _month_start(span.start, 1)
    elif span.kind == "quarter":
        before = _quarter_start(span.start, 1)
    else:
        before = date(span.start.year - 1, 1, 1)
    if not span.partial:
        return before, span.start
    return before, min(before + timedelta(days=span.days), span.start)


def year_before_span(span: Span) -> tuple[date, date]:
    """The same days a year earlier: a week (or a day) 52 weeks back, so the weekdays match."""
    if span.kind in ("week", "day"):
        return span.start - timedelta(weeks=52), span.end - timedelta(weeks=52)
    return _shift_year(span.start, -1), _shift_year(span.end, -1, end=True)

"""How far a comparison of two spans of days moves by chance: the usual variation of a sales series.

The rule: the comparison asked about (say December 1-5 against November 1-5) is made again on each of the
NOISE_SHIFTS earlier days, both spans shifted back together by s days for every s from the span's length
on (so no shifted span overlaps the one being judged). Days without sales count as zero. A change is
beyond the usual variation when it is larger than NOISE_SIGMAS standard deviations of those earlier
changes. Eighty-four shifts are twelve weeks, every weekday twelve times, so a series ordered once a week
shows how much a span that misses (or catches) the order day moves: a window that happens to hold no
order day is then within the usual variation, not a collapse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from dialogue.backend import DailySales
from nlu.periods import Comparison

NOISE_SHIFTS = 84
NOISE_SIGMAS = 2.0
TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Band:
    """A change of revenue within +-revenue (of units within +-units) is usual variation."""

    revenue: float = 0.0
    units: float = 0.0


def history_start(spans: Comparison) -> date:
    """The first day the noise of `spans` needs."""
    length = (spans.end - spans.start).days
    return spans.previous_start - timedelta(days=length + NOISE_SHIFTS - 1)


def _band(series: np.ndarray, spans: Comparison, origin: date) -> float:
    """NOISE_SIGMAS standard deviations of the comparison made on the NOISE_SHIFTS days before."""
    total = np.concatenate(([0.0], np.cumsum(series)))
    length = (spans.end - spans.start).days
    shifts = np.arange(length, length + NOISE_SHIFTS)

    def sums(start: date, end: date) -> np.ndarray:
        a, b = (start - origin).days - shifts, (end - origin).days - shifts
        return np.asarray(total[b] - total[a])

    changes = sums(spans.start, spans.end) - sums(spans.previous_start, spans.previous_end)
    return float(NOISE_SIGMAS * np.std(changes))


def noise_bands(daily: Iterable[DailySales], spans: Comparison) -> dict[str, Band]:
    """The band of every key in `daily`, and of their total (key TOTAL); `daily` covers
    history_start(spans) to spans.end."""
    origin = history_start(spans)
    days = (spans.end - origin).days
    revenue: dict[str, np.ndarray] = {TOTAL: np.zeros(days)}
    units: dict[str, np.ndarray] = {TOTAL: np.zeros(days)}
    for line in daily:
        i = (line.day - origin).days
        if not 0 <= i < days:
            continue
        for key in (TOTAL, line.key):
            revenue.setdefault(key, np.zeros(days))[i] += float(line.revenue)
            units.setdefault(key, np.zeros(days))[i] += line.units
    return {
        key: Band(_band(revenue[key], spans, origin), _band(units[key], spans, origin)) for key in revenue
    }

"""SLA deadlines in business hours: the clock runs only on working days, between start and end.

Business hours are off by default, so the clock runs around the clock until an operator sets them.
(A small calendar walk over zoneinfo; the PyPI business-time libraries depend on pytz.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogue.settings import BusinessHoursSettings

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS = 3700  # a deadline further than ten years away is a configuration error


@dataclass(frozen=True, slots=True)
class BusinessHours:
    enabled: bool = False
    timezone: str = "UTC"
    days: frozenset[int] = frozenset(range(5))  # Monday is 0
    start: time = time(9, 0)
    end: time = time(18, 0)

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of business time after `moment` (plain addition when disabled)."""
        if not self.enabled or duration <= timedelta(0):
            return moment + duration
        if not self.days or self.start >= self.end:
            raise ValueError("business hours need at least one day and a start before the end")
        zone = ZoneInfo(self.timezone)
        here = moment.astimezone(zone)
        remaining = duration
        for _ in range(_MAX_DAYS):
            day = here.date()
            if day.weekday() in self.days:
                opens = datetime.combine(day, self.start, tzinfo=zone)
                closes = datetime.combine(day, self.end, tzinfo=zone)
                here = max(here, opens)
                if here < closes:
                    available = closes - here
                    if remaining <= available:
                        return (here + remaining).astimezone(UTC)
                    remaining -= available
            here = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        raise ValueError(f"no business time for {duration} within {_MAX_DAYS} days")


def business_hours(settings: BusinessHoursSettings) -> BusinessHours:
    end = time(23, 59, 59, 999999) if settings.end == "24:00" else time.fromisoformat(settings.end)
    return BusinessHours(
        enabled=settings.enabled,
        timezone=settings.timezone,
        days=frozenset(DAY_NAMES.index(d) for d in settings.days),
        start=time.fromisoformat(settings.start),
        end=end,
    )

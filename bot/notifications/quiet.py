"""Quiet hours: whether an instant falls in them, and when they end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.notifications.settings import QuietHours


def quiet_until(now: datetime, quiet: QuietHours | None) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None when `now` is not in quiet hours."""
    if quiet is None or quiet.start == quiet.end:
        return None
    local = now.astimezone(ZoneInfo(quiet.timezone))
    at = local.timetz().replace(tzinfo=None)
    if quiet.start < quiet.end:
        inside = quiet.start <= at < quiet.end
        end_day = local.date()
    else:  # spans midnight
        inside = at >= quiet.start or at < quiet.end
        end_day = local.date() + timedelta(days=1) if at >= quiet.start else local.date()
    if not inside:
        return None
    end = datetime.combine(end_day, quiet.end, tzinfo=ZoneInfo(quiet.timezone))
    return end.astimezone(UTC)

"""The SQL backend's sales analytics on the seeded demo data: daily sales add up to the period's sales."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.seed import seed_demo
from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from dialogue.clock import ManualClock

TODAY = date(2026, 12, 6)  # a Sunday


async def test_daily_sales_add_up_to_the_sales_of_the_span(engine: Any) -> None:
    sessionmaker = make_sessionmaker(engine)
    await seed_demo(sessionmaker, today=TODAY)
    backend = SqlBackend(sessionmaker, clock=ManualClock())
    start, end = TODAY - timedelta(days=60), TODAY
    for by in ("category", "product"):
        daily = await backend.daily_sales(start, end, by=by)
        assert daily and all(start <= line.day < end for line in daily)
        assert [(line.day, line.key) for line in daily] == sorted({(line.day, line.key) for line in daily})
        units: dict[str, int] = defaultdict(int)
        revenue: dict[str, Decimal] = defaultdict(Decimal)
        for line in daily:
            units[line.key] += line.units
            revenue[line.key] += line.revenue
        totals = await backend.sales_by(start, end, by=by)
        assert {s.key: (s.units, s.revenue) for s in totals} == {k: (units[k], revenue[k]) for k in units}
    week = await backend.daily_sales(date(2026, 9, 7), date(2026, 9, 14), by="category")
    monday = sum(line.revenue for line in week if line.day == date(2026, 9, 7))
    assert monday > sum(line.revenue for line in week if line.day != date(2026, 9, 7))  # weekly orders

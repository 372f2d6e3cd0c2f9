"""The analytics reads are computed once per data version and day: an import, a push or a stock update
(from this process or another) makes the next read fresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.analytics_cache import CachedSqlBackend
from bot.seed import seed_demo
from bot.storage.db import make_sessionmaker
from bot.storage.tables import CustomerIssueRow, CustomerRow, DataImportRow
from dialogue.clock import ManualClock

TODAY = date(2026, 12, 6)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def seeded(engine: Any) -> tuple[CachedSqlBackend, Any, ManualClock, Ticks]:
    sessionmaker = make_sessionmaker(engine)
    await seed_demo(sessionmaker, today=TODAY)
    clock, ticks = ManualClock(datetime(2026, 12, 6, 9, tzinfo=UTC)), Ticks()
    return CachedSqlBackend(sessionmaker, clock=clock, monotonic=ticks), sessionmaker, clock, ticks


async def test_a_second_asker_gets_the_figures_without_a_query(engine: Any) -> None:
    backend, _, _, _ = await seeded(engine)
    first = await backend.daily_sales(TODAY - timedelta(days=56), TODAY, by="category")
    again = await backend.daily_sales(TODAY - timedelta(days=56), TODAY, by="category")
    other = await backend.daily_sales(TODAY - timedelta(days=28), TODAY, by="category")
    assert first == again and first and other != first
    assert (backend.results.misses, backend.results.hits) == (2, 1)


async def test_an_import_by_another_process_is_seen_within_a_second(engine: Any) -> None:
    backend, sessionmaker, _, ticks = await seeded(engine)
    before = await backend.customer_profile("CUS-001")
    assert before is not None and "Late delivery of towels" not in before.open_issues
    async with sessionmaker() as s, s.begin():  # what `opsbot import` does, elsewhere
        s.add(CustomerIssueRow(customer_id="CUS-001", title="Late delivery of towels", status="open",
                               created_at=datetime(2026, 12, 6, 8, tzinfo=UTC)))  # fmt: skip
        s.add(DataImportRow(source="issues.csv", counts={}, imported_at=datetime(2026, 12, 6, 8, tzinfo=UTC)))
    assert await backend.customer_profile("CUS-001") == before  # the version read is a second old at most
    ticks.now += 1.5
    after = await backend.customer_profile("CUS-001")
    assert after is not None and "Late delivery of towels" in after.open_issues


async def test_the_names_a_rep_may_ask_about_are_read_once_per_data_version(engine: Any) -> None:
    backend, sessionmaker, _, ticks = await seeded(engine)
    names = await backend.sales_names()
    assert await backend.sales_names() == names  # every message of a rep asks: one query, not one each
    assert backend.results.hits == 1
    async with sessionmaker() as s, s.begin():  # a new customer, imported
        s.add(CustomerRow(id="CUS-900", name="Brand New Retail"))
        s.add(
            DataImportRow(source="customers.csv", counts={}, imported_at=datetime(2026, 12, 6, 8, tzinfo=UTC))
        )
    ticks.now += 1.5
    assert ("CUS-900", "Brand New Retail") in (await backend.sales_names()).customers


async def test_a_customer_named_again_is_found_without_a_query_until_the_data_changes(engine: Any) -> None:
    backend, sessionmaker, _, ticks = await seeded(engine)
    assert await backend.find_customer("Brand New Retail") is None
    acme = await backend.find_customer("ACME Corp")
    assert acme is not None and await backend.find_customer("ACME Corp") == acme
    assert backend.results.hits == 1
    async with sessionmaker() as s, s.begin():  # imported elsewhere
        s.add(CustomerRow(id="CUS-900", name="Brand New Retail"))
        s.add(
            DataImportRow(source="customers.csv", counts={}, imported_at=datetime(2026, 12, 6, 8, tzinfo=UTC))
        )
    ticks.now += 1.5
    found = await backend.find_customer("Brand New Retail")
    assert found is not None and found.id == "CUS-900"


async def test_a_stock_update_through_the_bot_shows_in_the_next_forecast(engine: Any) -> None:
    backend, _, _, _ = await seeded(engine)
    history = await backend.weekly_demand("AB-1020", end=TODAY, weeks=52)
    assert history is not None and history.stock != 7
    await backend.set_stock("SUP-001", "AB-1020", 7, changed_by="test", request_id="r-1")
    updated = await backend.weekly_demand("AB-1020", end=TODAY, weeks=52)
    assert updated is not None and updated.stock == 7 and updated.units == history.units


async def test_the_next_day_reads_again(engine: Any) -> None:
    backend, _, clock, _ = await seeded(engine)
    await backend.purchase_lines()
    await backend.purchase_lines()
    clock.advance(days=1)
    await backend.purchase_lines()
    assert (backend.results.misses, backend.results.hits) == (2, 1)

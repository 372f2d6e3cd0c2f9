"""How fast a sales rep's question is answered (issue 25) on a store of 100,000 orders (300,000 lines),
on SQLite and PostgreSQL.

    .venv/bin/python bench/sales_query_bench.py [--orders 100000] [--repeat 15] [--no-postgres] [--no-sqlite]

Loads the company of bench/import_bench.py with `opsbot import` (not timed), then asks each question
`--repeat` times after one warm-up, through SqlBackend, and prints the median and the slowest latency,
and the median CPU time of this process (SQLite runs in it: its CPU time is the query's, whatever the
load). PostgreSQL's tables are ANALYZEd after the import, as autovacuum would do.
Target: the heaviest under 300 ms. Other work on the machine skews the figures: note the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.import_bench import PG_URL, _migrate, _timed_import, write_company  # noqa: E402
from bot.storage.backend import SqlBackend  # noqa: E402
from bot.storage.db import make_engine, make_sessionmaker  # noqa: E402
from dialogue.clock import ManualClock  # noqa: E402
from dialogue.queries import DateRange, QueryFilter, SalesQuery  # noqa: E402
from tests.fakes.databases import fresh_postgres_database  # noqa: E402

AS_OF = date(2026, 6, 1)  # the company's orders run from 2024-01-01 to 2026-05-29
Q1 = DateRange(date(2026, 1, 1), date(2026, 4, 1))
Q4 = DateRange(date(2025, 10, 1), date(2026, 1, 1))
LAST_YEAR = DateRange(date(2025, 6, 1), date(2026, 6, 1))
YEAR_BEFORE = DateRange(date(2024, 6, 1), date(2025, 6, 1))


def questions(backend: SqlBackend) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    def ask(metric: str, period: DateRange, **kwargs: Any) -> Callable[[], Awaitable[Any]]:
        query = SalesQuery(metric=metric, period=period, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]
        return lambda: backend.sales_query(query)

    return [
        ("top 10 customers by revenue, Q1 vs Q4", ask("revenue", Q1, dimension="customer", compare_to=Q4)),
        (
            "customers whose revenue fell most, Q1 vs Q4",
            ask("revenue", Q1, dimension="customer", compare_to=Q4, rank="bottom", order_by="change"),
        ),
        (
            "revenue by category (lines), 12 months vs the year before",
            ask("revenue", LAST_YEAR, dimension="category", compare_to=YEAR_BEFORE),
        ),
        (
            "orders by product (lines), 12 months vs the year before",
            ask("orders", LAST_YEAR, dimension="product", compare_to=YEAR_BEFORE),
        ),
        ("suppliers by late orders, 12 months", ask("late_orders", LAST_YEAR, dimension="supplier")),
        (
            "suppliers by on-time rate, bottom 10, Q1",
            ask("on_time_rate", Q1, dimension="supplier", rank="bottom"),
        ),
        (
            "one category's revenue by customer, 12 months",
            ask("revenue", LAST_YEAR, dimension="customer", filters=(QueryFilter("category", "cat7"),)),
        ),
        ("customers quiet 60 days", lambda: backend.quiet_customers(as_of=AS_OF, days=60, limit=20)),
        ("names a question may use", backend.sales_names),
    ]


async def _measure(url: str, repeat: int) -> list[tuple[str, float, float, float]]:
    """(question, p50 ms, max ms, p50 CPU ms of this process: with SQLite the whole query, with
    PostgreSQL the client's share)."""
    engine = make_engine(url)
    backend = SqlBackend(make_sessionmaker(engine), clock=ManualClock())
    out = []
    try:
        for label, question in questions(backend):
            await question()  # warm-up: connection, statement cache
            times, cpu = [], []
            for _ in range(repeat):
                began, began_cpu = time.perf_counter(), time.process_time()
                await question()
                times.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            out.append((label, statistics.median(times), max(times), statistics.median(cpu)))
    finally:
        await engine.dispose()
    return out


async def _analyze(url: str) -> None:
    """Table statistics, as PostgreSQL's autovacuum gathers them within a minute of a bulk import:
    without them the planner takes 100,000 orders for 80 rows and sorts on disk."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def _run(label: str, url: str, folder: Path, repeat: int) -> None:
    asyncio.run(_migrate(url))
    seconds, report = _timed_import(url, folder)
    if not report.applied:
        raise SystemExit(f"{label}: import failed: {report.errors[:5]}")
    print(f"{label}: imported in {seconds:.0f} s", flush=True)
    if label == "postgresql":
        asyncio.run(_analyze(url))
    for question, p50, slowest, cpu in asyncio.run(_measure(url, repeat)):
        print(
            f"{label:10} {question:58} p50 {p50:7.1f} ms  max {slowest:7.1f} ms  cpu {cpu:7.1f} ms",
            flush=True,
        )


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="opsbot-sales-query-") as tmp:
        folder = Path(tmp) / "company"
        folder.mkdir()
        print(f"company: {write_company(folder, args.orders)}", flush=True)
        if not args.no_sqlite:
            _run("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", folder, args.repeat)
        if not args.no_postgres:
            with fresh_postgres_database(PG_URL, "sales_query_bench") as url:
                _run("postgresql", url, folder, args.repeat)
    print(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()

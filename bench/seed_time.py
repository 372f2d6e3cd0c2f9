"""How long the demo data takes to write (`opsbot db seed-demo`, and every test that runs the app on it).

    .venv/bin/python bench/seed_time.py [--runs 5] [--postgres]

Each run migrates a fresh database (not timed), then times `bot.seed.seed_demo` on it, dated 2026-12-07:
5 suppliers, 12 customers, 24 products, 864 orders with their lines, 73 invoices. Prints the median and the
spread of the runs. Other work on the machine skews the figures: note the load average (`uptime`) with them.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.seed import seed_demo
from bot.storage.db import make_engine
from bot.storage.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.databases import fresh_postgres_database

PG_SERVER = "postgresql+asyncpg://127.0.0.1:5432/postgres"


async def one_run(url: str) -> tuple[float, dict[str, int]]:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        started = time.perf_counter()
        counts = await seed_demo(sessionmaker, today=date(2026, 12, 7))
        return time.perf_counter() - started, counts
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (127.0.0.1:5432), not SQLite")
    args = parser.parse_args()
    seconds: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(args.runs):
        if args.postgres:
            with fresh_postgres_database(PG_SERVER, "seed_bench") as url:
                took, counts = asyncio.run(one_run(url))
        else:
            with tempfile.TemporaryDirectory() as folder:
                took, counts = asyncio.run(one_run(f"sqlite+aiosqlite:///{Path(folder) / 'seed.db'}"))
        seconds.append(took)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{platform.node()}: seed_demo on {database}, {args.runs} runs, rows {counts}")
    print(f"median {statistics.median(seconds):.3f} s, min {min(seconds):.3f} s, max {max(seconds):.3f} s")


if __name__ == "__main__":
    main()

"""The sales digest says what changed for suppliers that day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.dataio.apply import sync_engine
from bot.dataio.importer import run_import
from bot.jobs.digest import DigestSources, build_digest
from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from dialogue.clock import ManualClock
from tests.bot.dataio.company import COMPANY, write

DAY = date(2026, 3, 11)


@pytest.fixture
def sync_db(database: tuple[str, str | None]) -> Iterator[Engine]:
    url, schema = database
    engine = sync_engine(url, search_path=schema)
    yield engine
    engine.dispose()


async def test_the_digest_counts_the_changes_of_its_day(sync_db: Engine, engine: Any, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=datetime(2026, 3, 10, 8, tzinfo=UTC))
    company = {
        **COMPANY,
        "orders": [{**o, "status": "delivered", "delivered_at": "2026-03-11"} for o in COMPANY["orders"]],
        "invoices": [{**COMPANY["invoices"][0], "status": "paid", "paid_at": "2026-03-11"}],
    }
    run_import(sync_db, write(tmp_path / "v2", "jsonl", company), now=datetime(2026, 3, 11, 9, tzinfo=UTC))
    sm = make_sessionmaker(engine)
    now = datetime(2026, 3, 12, 8, tzinfo=UTC)
    sources = DigestSources(backend=SqlBackend(sm, clock=ManualClock(now)), sessionmaker=sm)

    digest = await build_digest(sources, day=DAY, tz="UTC", now=now)
    quiet_day = await build_digest(sources, day=date(2026, 3, 10), tz="UTC", now=now)

    assert digest.figures.changes == (("order_delivered", 2), ("invoice_paid", 1))
    assert "What changed: 2 delivered, 1 invoices paid" in digest.text
    assert ("What changed", "2 delivered, 1 invoices paid") in digest.card.fields
    assert quiet_day.figures.changes == () and "What changed" not in quiet_day.text

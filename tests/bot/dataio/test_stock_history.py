"""An import that changes a stock level leaves the same history as a stock update in the chat."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from bot.dataio.importer import run_import
from bot.storage.tables import InventoryChangeRow
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)


def stock(quantity: int, **extra: object) -> dict[str, object]:
    return {**COMPANY, "stock": [{**COMPANY["stock"][0], "quantity": quantity, **extra}]}


def history(engine: Engine) -> list[tuple[str, int, int, str, datetime]]:
    with engine.connect() as conn:
        rows = conn.execute(select(InventoryChangeRow).order_by(InventoryChangeRow.id)).all()
    return [(r.sku, r.old_quantity, r.new_quantity, r.changed_by, r.changed_at) for r in rows]


async def test_a_changed_quantity_is_written_to_the_stock_history_once(
    sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "v1", "csv"), now=NOW)
    assert history(sync_db) == []  # a new stock level has no old quantity: nothing changed yet

    run_import(sync_db, write(tmp_path / "v2", "csv"), now=NOW)
    assert history(sync_db) == []  # the same quantity again

    moved = run_import(sync_db, write(tmp_path / "v3", "csv", stock(900)), now=LATER)
    assert moved.counts["stock"].updated == 1
    assert history(sync_db) == [("TX-77-0345", 1200, 900, "import:stock.csv", LATER)]

    again = run_import(sync_db, write(tmp_path / "v4", "jsonl", stock(900)), now=LATER)
    assert again.counts["stock"].unchanged == 1
    assert len(history(sync_db)) == 1  # a re-import writes nothing


async def test_a_new_time_with_the_same_quantity_is_no_stock_change(sync_db: Engine, tmp_path: Path) -> None:
    run_import(
        sync_db, write(tmp_path / "v1", "jsonl", stock(1200, updated_at="2026-03-09T10:00:00Z")), now=NOW
    )
    later = stock(1200, updated_at="2026-03-10T10:00:00Z")
    report = run_import(sync_db, write(tmp_path / "v2", "jsonl", later), now=NOW, source="erp nightly")
    assert report.counts["stock"].updated == 1  # its time moved
    assert history(sync_db) == []

    fewer = stock(1150, updated_at="2026-03-10T12:00:00Z")
    run_import(sync_db, write(tmp_path / "v3", "jsonl", fewer), now=LATER, source="erp nightly")
    assert history(sync_db) == [("TX-77-0345", 1200, 1150, "import:erp nightly", LATER)]


async def test_an_import_with_errors_writes_no_stock_history(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "csv"), now=NOW)
    broken = {**stock(5), "orders": [{**COMPANY["orders"][0], "total": "lots"}]}
    report = run_import(sync_db, write(tmp_path / "v2", "csv", broken), now=LATER)
    assert not report.applied
    assert history(sync_db) == []

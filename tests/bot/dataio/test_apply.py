"""The apply pass on each database: what is counted as inserted, updated or unchanged, and what an
update means to a supplier (SQLite compares in Python, PostgreSQL copies and compares in SQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from bot.dataio.importer import run_import
from bot.notifications.changes import INVOICE_PAID, ORDER_ETA, ORDER_SHIPPED
from bot.storage.tables import InventoryRow, OrderLineRow, SupplierRow
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)


async def test_a_stock_level_without_a_time_changes_only_when_its_quantity_does(
    sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "v1", "csv"), now=NOW)

    same = run_import(sync_db, write(tmp_path / "v2", "csv"), now=LATER)
    more = {**COMPANY, "stock": [{**COMPANY["stock"][0], "quantity": 900}]}
    moved = run_import(sync_db, write(tmp_path / "v3", "csv", more), now=LATER)

    assert same.counts["stock"].as_dict() == {"inserted": 0, "updated": 0, "unchanged": 1}
    assert moved.counts["stock"].as_dict() == {"inserted": 0, "updated": 1, "unchanged": 0}
    with sync_db.connect() as conn:
        stock = conn.execute(select(InventoryRow)).one()
    assert (stock.quantity, stock.updated_at, stock.updated_by) == (900, LATER, "import:stock.csv")


async def test_updates_tell_the_supplier_what_changed_and_inserts_tell_nothing(
    sync_db: Engine, tmp_path: Path
) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    orders = [
        {**COMPANY["orders"][0], "status": "shipped", "eta": "2026-03-18"},  # the ETA of a shipped order
        {**COMPANY["orders"][1], "status": "shipped", "carrier": "SF Express"},
        {**COMPANY["orders"][1], "id": "SO/2026/00043"},  # new: no change for anyone
    ]
    invoices = [{**COMPANY["invoices"][0], "status": "paid", "paid_at": "2026-03-09"}]
    changed = {**COMPANY, "orders": orders, "invoices": invoices}

    report = run_import(sync_db, write(tmp_path / "v2", "jsonl", changed), now=NOW)

    assert report.counts["orders"].as_dict() == {"inserted": 1, "updated": 2, "unchanged": 0}
    assert report.counts["invoices"].as_dict() == {"inserted": 0, "updated": 1, "unchanged": 0}
    told = sorted((c.kind, c.entity_id, c.supplier_id, c.value) for c in report.changes)
    assert told == [
        (INVOICE_PAID, "RE-2026-0099", "4711", "paid"),
        (ORDER_ETA, "4500987654", "4711", "2026-03-18"),
        (ORDER_SHIPPED, "SO/2026/00042", "4712", "shipped"),
    ]
    shipped = next(c for c in report.changes if c.kind == ORDER_SHIPPED)
    assert shipped.facts == {"carrier": "SF Express"}
    paid = next(c for c in report.changes if c.kind == INVOICE_PAID)
    assert (paid.facts["amount"], paid.facts["paid_at"]) == ("1,360.00", "2026-03-09")


async def test_one_entity_in_two_files_is_applied_from_both(sync_db: Engine, tmp_path: Path) -> None:
    folder = write(tmp_path / "acme", "csv")
    extra = {"orders": [{**COMPANY["orders"][1], "id": "SO/2026/00044"}]}
    write(tmp_path / "extra", "jsonl", extra)
    (tmp_path / "extra" / "orders.jsonl").rename(folder / "orders.jsonl")
    lines = {"order_lines": [{**COMPANY["order_lines"][1], "order_id": "SO/2026/00044"}]}
    write(tmp_path / "more", "jsonl", lines)
    (tmp_path / "more" / "order_lines.jsonl").rename(folder / "order_lines.jsonl")

    report = run_import(sync_db, folder, now=NOW)

    assert report.applied, report.errors
    assert report.counts["orders"].inserted == 3
    assert report.counts["order_lines"].inserted == 3
    again = run_import(sync_db, folder, now=NOW)
    assert (again.counts["orders"].unchanged, again.counts["order_lines"].unchanged) == (3, 3)
    with sync_db.connect() as conn:
        assert len(conn.execute(select(OrderLineRow)).all()) == 3
        names = {s.id: s.name_zh for s in conn.execute(select(SupplierRow))}
    assert names["4711"] == "旭日纺织"

"""An operator imports their company from files: every row checked first, then all of it or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.dataio.importer import imports_recorded, run_import
from bot.storage.tables import InventoryRow, InvoiceRow, OrderLineRow, OrderRow, ProductRow, SupplierRow
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.__tablename__: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (SupplierRow, ProductRow, OrderRow, OrderLineRow, InvoiceRow, InventoryRow)
        }


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
async def test_a_small_company_imports_from_each_format(sync_db: Engine, tmp_path: Path, fmt: str) -> None:
    report = run_import(sync_db, write(tmp_path / "acme", fmt), now=NOW)

    assert report.errors == [] and report.applied
    assert report.counts["orders"].inserted == 2 and report.counts["order_lines"].inserted == 2
    with sync_db.connect() as conn:
        order = conn.execute(select(OrderRow).where(OrderRow.id == "SO/2026/00042")).one()
        supplier = conn.execute(select(SupplierRow).where(SupplierRow.id == "4712")).one()
        bag = conn.execute(select(ProductRow).where(ProductRow.sku == "TX-77-0345")).one()
        stock = conn.execute(select(InventoryRow)).one()
    assert (order.total, order.currency, order.supplier_id) == (Decimal("250.00"), "EUR", "4712")
    assert order.created_at == datetime(2026, 3, 5, 6, 0, tzinfo=UTC) and order.carrier is None
    assert supplier.name == "深圳明亮灯饰有限公司"  # a Chinese name is kept
    assert (bag.name_zh, bag.unit_price) == ("棉质手提袋", Decimal("3.40"))
    assert (stock.sku, stock.quantity, stock.updated_at) == ("TX-77-0345", 1200, NOW)
    assert imports_recorded(sync_db) == 1


async def test_importing_the_same_files_again_changes_nothing(sync_db: Engine, tmp_path: Path) -> None:
    folder = write(tmp_path / "acme", "csv")
    run_import(sync_db, folder, now=NOW)
    before = _counts(sync_db)

    again = run_import(sync_db, folder, now=datetime(2026, 3, 11, tzinfo=UTC))

    assert again.applied and _counts(sync_db) == before
    assert all(c.inserted == c.updated == 0 for c in again.counts.values())
    assert sum(c.unchanged for c in again.counts.values()) == sum(len(r) for r in COMPANY.values())


async def test_a_changed_row_is_updated_and_counted(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "v1", "jsonl"), now=NOW)
    changed = {**COMPANY, "orders": [{**COMPANY["orders"][1], "status": "shipped", "eta": "2026-03-20"}]}
    changed["order_lines"] = [{**COMPANY["order_lines"][1], "quantity": 250}]

    report = run_import(sync_db, write(tmp_path / "v2", "jsonl", changed), now=NOW)

    assert (report.counts["orders"].updated, report.counts["orders"].unchanged) == (1, 0)
    assert report.counts["order_lines"].updated == 1
    with sync_db.connect() as conn:
        order = conn.execute(select(OrderRow).where(OrderRow.id == "SO/2026/00042")).one()
        line = conn.execute(select(OrderLineRow).where(OrderLineRow.order_id == "SO/2026/00042")).one()
    assert (order.status, order.eta, line.quantity) == ("shipped", date(2026, 3, 20), 250)
    assert _counts(sync_db)["order_lines"] == 2


async def test_a_dry_run_checks_and_writes_nothing(sync_db: Engine, tmp_path: Path) -> None:
    report = run_import(sync_db, write(tmp_path / "acme", "xlsx"), now=NOW, dry_run=True)

    assert report.errors == [] and not report.applied
    assert report.validation.rows["orders"] == 2
    assert set(_counts(sync_db).values()) == {0} and imports_recorded(sync_db) == 0


async def test_orders_may_refer_to_suppliers_already_in_the_store(sync_db: Engine, tmp_path: Path) -> None:
    run_import(sync_db, write(tmp_path / "first", "csv"), now=NOW)
    later = {"orders": [{**COMPANY["orders"][0], "id": "4500987655"}]}

    report = run_import(sync_db, write(tmp_path / "later", "csv", later), now=NOW)

    assert report.errors == [] and report.counts["orders"].inserted == 1

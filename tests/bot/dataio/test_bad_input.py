"""A bad row is reported with its file, row and field, and nothing of the import is applied."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.dataio.importer import run_import
from bot.storage.tables import OrderRow, SupplierRow
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _errors(report: object) -> set[tuple[str, int, str]]:
    return {(e.file, e.row, e.field) for e in report.errors}  # type: ignore[attr-defined]


def _stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            int(conn.execute(select(func.count()).select_from(SupplierRow)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(OrderRow)).scalar_one()),
        )


async def test_bad_rows_are_reported_and_nothing_is_applied(sync_db: Engine, tmp_path: Path) -> None:
    folder = write(tmp_path / "acme", "csv")
    (folder / "orders.csv").write_text(
        "id,supplier_id,customer_id,status,created_at,total\n"
        "4500987654,4711,C-0042,shipped,2026-03-02T09:30:00Z,1360.00\n"
        "4500987655,9999,C-0042,confirmed,2026-03-06T09:00:00Z,10\n"  # unknown supplier
        "4500987654,4711,C-0042,shipped,2026-03-02T09:30:00Z,1360.00\n"  # duplicate id
        "4500987656,4711,C-0042,lost,2026-03-06T09:00:00Z,ten\n"  # bad status, wrong type
        '4500987657,4711,"C-0042\n',  # malformed
        encoding="utf-8",
    )

    report = run_import(sync_db, folder, now=NOW)

    assert not report.applied
    assert _errors(report) == {
        ("orders.csv", 3, "supplier_id"),
        ("orders.csv", 4, "id"),
        ("orders.csv", 5, "status"),
        ("orders.csv", 5, "total"),
        ("orders.csv", 6, ""),
        ("order_lines.csv", 3, "order_id"),  # its order, SO/2026/00042, is no longer in orders.csv
    }
    assert "unknown supplier '9999'" in next(e.reason for e in report.errors if e.row == 3)
    assert _stored(sync_db) == (0, 0)  # the good suppliers file was not applied either


async def test_an_unreadable_workbook_and_an_unknown_column(sync_db: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "suppliers.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "customers.csv").write_text("id,name,colour\nC-1,ACME,red\n", encoding="utf-8")
    (folder / "order.csv").write_text("id\n1\n", encoding="utf-8")  # names no entity

    report = run_import(sync_db, folder, now=NOW)

    assert _errors(report) == {
        ("suppliers.xlsx", 0, ""),
        ("customers.csv", 1, "colour"),
        ("order.csv", 0, ""),
    }
    assert not report.applied


async def test_an_invoice_must_be_for_an_order_of_its_supplier(sync_db: Engine, tmp_path: Path) -> None:
    company = {**COMPANY, "invoices": [{**COMPANY["invoices"][0], "supplier_id": "4712"}]}

    report = run_import(sync_db, write(tmp_path / "acme", "jsonl", company), now=NOW)

    assert _errors(report) == {("invoices.jsonl", 1, "order_id")}
    assert "belongs to supplier '4711'" in report.errors[0].reason


async def test_a_json_line_that_is_not_json(sync_db: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "suppliers.jsonl").write_text(
        '{"id": "1", "name": "A"}\n{"id": "2", "name":\n', encoding="utf-8"
    )

    report = run_import(sync_db, folder, now=NOW)

    assert _errors(report) == {("suppliers.jsonl", 2, "")} and _stored(sync_db) == (0, 0)

"""PostgreSQL: a first bulk load skips the row-by-row foreign key checks, and checks them all at the end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, func, select, text

from bot.dataio import pg_copy
from bot.dataio.entities import BY_NAME
from bot.dataio.importer import run_import
from bot.storage.tables import OrderLineRow, OrderRow
from tests.bot.dataio.company import COMPANY, write

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def postgres_only(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("the bulk path is PostgreSQL's")


def foreign_keys(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND connamespace = (SELECT oid FROM pg_namespace "
                "WHERE nspname = current_schema())"
            )
        ).all()
    return {(r[0], r[1]) for r in rows}


async def test_a_first_bulk_load_keeps_every_foreign_key(
    sync_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = foreign_keys(sync_db)
    assert ("order_lines", "FOREIGN KEY (order_id) REFERENCES orders(id)") in before
    monkeypatch.setattr(pg_copy, "BULK_ROWS", 1)  # the company is small: take the bulk path anyway
    report = run_import(sync_db, write(tmp_path / "acme", "csv"), now=NOW)
    assert report.applied, report.errors
    assert report.counts["order_lines"].inserted == 2
    assert foreign_keys(sync_db) == before
    again = run_import(sync_db, write(tmp_path / "acme", "csv"), now=NOW)  # tables not empty: row by row
    assert again.counts["order_lines"].unchanged == 2 and foreign_keys(sync_db) == before


async def test_a_wrong_reference_that_got_past_the_checks_still_applies_nothing(
    sync_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_lines = {k: v for k, v in COMPANY.items() if k not in ("order_lines", "invoices", "stock")}
    assert run_import(sync_db, write(tmp_path / "acme", "jsonl", without_lines), now=NOW).applied
    monkeypatch.setattr(pg_copy, "BULK_ROWS", 1)
    lines = [("4500987654", "TX-77-0345", 1, 3), ("NO-SUCH-ORDER", "TX-77-0345", 1, 3)]
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation, match="order_lines_order_id_fkey"),
        sync_db.begin() as conn,
    ):
        pg_copy.copy_rows(conn, BY_NAME["order_lines"], [lines])
    with sync_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OrderLineRow)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(OrderRow)).scalar_one() == 2
    assert ("order_lines", "FOREIGN KEY (order_id) REFERENCES orders(id)") in foreign_keys(sync_db)


async def test_an_import_leaves_the_planner_fresh_statistics(sync_db: Engine, tmp_path: Path) -> None:
    def estimated_rows() -> dict[str, float]:  # pg_class.reltuples: set by ANALYZE, -1 before any
        with sync_db.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
                    "AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
                    "AND relname IN ('orders', 'order_lines', 'invoices')"
                )
            ).all()
        return {r[0]: float(r[1]) for r in rows}

    report = run_import(sync_db, write(tmp_path / "acme", "csv"), now=NOW)
    assert report.applied, report.errors
    with sync_db.connect() as conn:
        lines = conn.execute(select(func.count()).select_from(OrderLineRow)).scalar_one()
    assert estimated_rows()["order_lines"] == lines  # the planner knows what was just written

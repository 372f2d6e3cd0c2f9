"""The operator's commands for their own data: import, the schemas, a clean start without the demo."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from bot import serve
from bot.cli import app
from bot.config import load_config
from bot.storage.tables import OrderRow, SupplierRow
from tests.bot.dataio.company import write

runner = CliRunner()


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("OPSBOT_APP__VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("OPSBOT_CONFIG", raising=False)
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.setattr(serve, "ensure_models", lambda *a, **k: None)  # no training in these tests
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return path


def _ids(path: Path, table: type) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(select(table.id))}  # type: ignore[attr-defined]
    engine.dispose()
    return found


def test_import_prints_the_counts_and_a_second_import_changes_nothing(db_file: Path, tmp_path: Path) -> None:
    folder = write(tmp_path / "acme", "csv")

    first = runner.invoke(app, ["import", str(folder)])
    again = runner.invoke(app, ["import", str(folder)])

    assert first.exit_code == 0, first.output
    assert "│ orders      │ 2    │ 2        │ 0       │ 0         │" in first.output
    assert "│ orders      │ 2    │ 0        │ 0       │ 2         │" in again.output
    assert _ids(db_file, OrderRow) == {"4500987654", "SO/2026/00042"}


def test_a_bad_file_gets_an_error_table_and_a_non_zero_exit(db_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "orders.csv"
    bad.write_text(
        "id,supplier_id,customer_id,status,created_at,total\n"
        "1,S-9,C-1,shipped,2026-03-01,1\n"
        "2,S-9,C-1,lost,2026-03-01,1\n",
        "utf-8",
    )

    result = runner.invoke(app, ["import", str(bad)])

    assert result.exit_code == 1
    assert "nothing was imported" in result.output and "unknown supplier 'S-9'" in result.output
    assert "orders.csv │ 3   │ status" in result.output
    assert _ids(db_file, OrderRow) == set()


def test_dry_run_writes_nothing(db_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "--dry-run", str(write(tmp_path / "acme", "jsonl"))])

    assert result.exit_code == 0 and "dry run: nothing written" in result.output
    assert _ids(db_file, SupplierRow) == set()


def test_schema_check_says_the_committed_schemas_are_current(repo_root: Path) -> None:
    result = runner.invoke(app, ["data", "schema", "--check", "--out", str(repo_root / "docs" / "schemas")])
    assert result.exit_code == 0, result.output


def test_setup_seeds_the_demo_into_an_empty_database(db_file: Path) -> None:
    asyncio.run(serve.setup_demo(load_config(None)))
    assert "SUP-001" in _ids(db_file, SupplierRow)


def test_setup_seeds_no_demo_once_an_import_was_run(db_file: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", str(write(tmp_path / "acme", "csv"))]).exit_code == 0

    asyncio.run(serve.setup_demo(load_config(None)))

    assert _ids(db_file, SupplierRow) == {"4711", "4712"}


def test_reset_demo_removes_the_demo_and_keeps_the_imported_company(db_file: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "seed-demo"]).exit_code == 0
    assert runner.invoke(app, ["import", str(write(tmp_path / "acme", "xlsx"))]).exit_code == 0

    result = runner.invoke(app, ["db", "reset-demo", "--yes"])

    assert result.exit_code == 0, result.output
    assert _ids(db_file, SupplierRow) == {"4711", "4712"}
    assert _ids(db_file, OrderRow) == {"4500987654", "SO/2026/00042"}
    engine = create_engine(f"sqlite:///{db_file}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OrderRow)).scalar_one() == 2
    engine.dispose()
    assert "no demo data" in runner.invoke(app, ["db", "reset-demo", "--yes"]).output

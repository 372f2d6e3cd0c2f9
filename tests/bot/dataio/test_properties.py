"""Properties over generated rows: valid rows import and read back equal; a corrupted field is named."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.dataio.entities import BY_NAME
from bot.dataio.importer import run_import
from bot.dataio.validate import EmptyStore, validate
from bot.storage.tables import OrderRow

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
ids = st.text(st.characters(codec="utf-8", exclude_categories=("C", "Z")), min_size=1, max_size=32)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
orders = st.fixed_dictionaries(
    {
        "id": ids,
        "status": st.sampled_from(["pending_confirmation", "confirmed", "shipped", "delivered", "cancelled"]),
        "created_at": st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
        "total": money,
        "currency": st.sampled_from(["USD", "EUR", "CNY"]),
        "eta": st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1)),
        "carrier": st.none() | st.text(st.characters(codec="utf-8", exclude_categories=("C",)), max_size=64),
    }
)
SUPPLIER = {"id": "供应商-1", "name": "旭日纺织"}
CUSTOMER = {"id": "C/1", "name": "ACME"}


def _jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows), "utf-8")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(orders, min_size=1, max_size=8, unique_by=lambda r: r["id"].strip()))
async def test_valid_generated_orders_import_and_read_back_equal(
    sync_db: Engine, tmp_path_factory: object, rows: list[dict[str, object]]
) -> None:
    folder: Path = tmp_path_factory.mktemp("company")  # type: ignore[attr-defined]
    _jsonl(folder / "suppliers.jsonl", [SUPPLIER])
    _jsonl(folder / "customers.jsonl", [CUSTOMER])
    _jsonl(folder / "orders.jsonl", [{**r, "supplier_id": "供应商-1", "customer_id": "C/1"} for r in rows])

    report = run_import(sync_db, folder, now=NOW)

    assert report.errors == [] and report.applied
    with sync_db.connect() as conn:
        stored = {o.id: o for o in conn.execute(select(OrderRow))}
    for row in rows:
        order = stored[str(row["id"]).strip()]
        assert (order.status, order.created_at, order.total) == (
            row["status"],
            row["created_at"],
            row["total"],
        )
        assert (order.eta, order.currency) == (row["eta"], row["currency"])
        carrier = str(row["carrier"] or "").strip() or None  # a blank value is a missing one
        assert order.carrier == carrier


CORRUPTIONS = {
    "status": "lost",
    "created_at": "31/12/2026",
    "total": "12,50",
    "currency": "dollars",
    "eta": "tomorrow",
    "id": "",
}


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(orders, min_size=1, max_size=6, unique_by=lambda r: r["id"].strip()), data=st.data())
def test_any_single_corrupted_field_is_reported_with_its_row_and_field(
    rows: list[dict[str, object]], data: st.DataObject
) -> None:
    import tempfile

    victim = data.draw(st.integers(0, len(rows) - 1))
    field = data.draw(st.sampled_from(sorted(CORRUPTIONS)))
    lines = [{**r, "supplier_id": "S", "customer_id": "C"} for r in rows]
    lines[victim][field] = CORRUPTIONS[field]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.jsonl"
        _jsonl(path, lines)
        _jsonl(Path(tmp) / "suppliers.jsonl", [{"id": "S", "name": "S"}])
        _jsonl(Path(tmp) / "customers.jsonl", [{"id": "C", "name": "C"}])
        entities = [(Path(tmp) / f"{n}.jsonl", BY_NAME[n]) for n in ("suppliers", "customers", "orders")]
        result = validate(entities, EmptyStore())

    assert {(e.file, e.row, e.field) for e in result.errors} == {("orders.jsonl", victim + 1, field)}
    assert result.rows.get("orders", 0) == len(rows) - 1
    assert isinstance(rows[0]["total"], Decimal)

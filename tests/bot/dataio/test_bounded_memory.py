"""A file of any size is checked in flat memory: what later rows are checked against is kept on disk.

The check goes by batches; these tests make the batches tiny, so that duplicates and references
cross many batch boundaries, and expect exactly what one batch for the whole file finds.
"""

from __future__ import annotations

import csv
import tempfile
import tracemalloc
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.dataio import apply, readers
from bot.dataio import validate as check
from bot.dataio.entities import BY_NAME, Entity
from bot.dataio.importer import run_import
from bot.dataio.spill_index import encode
from bot.dataio.validate import EmptyStore, RowError, validate


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)


def _files(folder: Path, *names: str) -> list[tuple[Path, Entity]]:
    """The files of `folder` in the order the import checks them (each entity after those it names)."""
    return [(folder / name, BY_NAME[name.split(".")[0]]) for name in names]


def _orders(folder: Path, orders: int) -> list[tuple[Path, Entity]]:
    """A company of `orders` orders, each with two lines."""
    folder.mkdir()
    _csv(folder / "suppliers.csv", ["id", "name"], [["S1", "One"], ["S2", "Two"]])
    _csv(folder / "customers.csv", ["id", "name"], [["C1", "ACME"]])
    _csv(
        folder / "products.csv",
        ["sku", "supplier_id", "name", "category", "unit_price"],
        [["P1", "S1", "Bag", "bags", "3.40"], ["P2", "S2", "Bulb", "lighting", "1.25"]],
    )
    _csv(
        folder / "orders.csv",
        ["id", "supplier_id", "customer_id", "status", "created_at", "total"],
        [
            [f"{4500000000 + n}", f"S{n % 2 + 1}", "C1", "confirmed", "2026-03-02", "10.00"]
            for n in range(orders)
        ],
    )
    _csv(
        folder / "order_lines.csv",
        ["order_id", "sku", "quantity", "unit_price"],
        [[f"{4500000000 + n}", sku, 2, "3.40"] for n in range(orders) for sku in ("P1", "P2")],
    )
    return _files(folder, "suppliers.csv", "customers.csv", "products.csv", "orders.csv", "order_lines.csv")


def _peak_while_checking(files: list[tuple[Path, Entity]]) -> int:
    tracemalloc.start()
    try:
        result = validate(files, EmptyStore())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.ok, result.errors[:3]
    return peak


def test_ten_times_the_rows_take_no_more_memory_to_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "BATCH", 200)
    small = _orders(tmp_path / "small", 1_000)  # 3,000 orders and lines
    large = _orders(tmp_path / "large", 10_000)  # 30,000

    small_peak, large_peak = _peak_while_checking(small), _peak_while_checking(large)

    # the keys of 30,000 rows alone, held in Python, took more than 4 MB
    assert large_peak < small_peak * 1.5 + 256_000, (small_peak, large_peak)


async def test_ten_times_the_rows_take_no_more_memory_to_import(
    sync_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "BATCH", 200)
    monkeypatch.setattr(apply, "BATCH", 200)  # the checked rows go to disk 200 at a time
    small = tmp_path / "small"
    _orders(small, 500)  # 1,500 orders and lines
    large = tmp_path / "large"
    _orders(large, 5_000)  # 15,000
    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

    peaks = []
    for folder in (small, large):  # read, check, keep and write: the whole import, into the store
        tracemalloc.start()
        try:
            report = run_import(sync_db, folder, now=now)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert report.applied, report.errors[:3]

    # the large company holds the small one's orders (unchanged) and 4,500 more
    assert report.counts["order_lines"].as_dict() == {"inserted": 9_000, "updated": 0, "unchanged": 1_000}
    assert peaks[1] < peaks[0] * 1.5 + 512_000, peaks


class _Store:
    """Records already in the store: (entity, key) -> supplier."""

    def __init__(self, owners: dict[tuple[str, str], str]) -> None:
        self._owners = owners
        self.looked_up: list[int] = []

    def owners(self, entity: str, keys: Collection[str]) -> dict[str, str]:
        self.looked_up.append(len(keys))
        return {k: self._owners[(entity, k)] for k in keys if (entity, k) in self._owners}


def _troubled_company(folder: Path) -> list[tuple[Path, Entity]]:
    folder.mkdir()
    _csv(folder / "suppliers.csv", ["id", "name"], [["S1", "One"], ["S2", "Two"]])
    _csv(folder / "customers.csv", ["id", "name"], [["C1", "ACME"]])
    _csv(
        folder / "products.csv",
        ["sku", "supplier_id", "name", "category", "unit_price"],
        [["P1", "S1", "Bag", "bags", "1"], ["P2", "S2", "Bulb", "lighting", "1"]]
        + [[f"P{n}", "S1", "Bag", "bags", "1"] for n in range(3, 8)],
    )
    order = ["confirmed", "2026-03-02", "10.00"]
    _csv(
        folder / "orders.csv",
        ["id", "supplier_id", "customer_id", "status", "created_at", "total"],
        [
            ["O1", "S1", "C1", *order],  # row 2
            ["O2", "S1", "C1", *order],
            ["O3", "S2", "C1", *order],
            ["O4", "S1", "C1", "lost", "2026-03-02", "10.00"],  # row 5: a bad status
            ["O1", "S1", "C1", *order],  # row 6: a duplicate, three batches after the first
            ["O5", "S9", "C1", *order],  # row 7: no such supplier
            ["O6", "S1", "C1", *order],
        ],
    )
    (folder / "orders.jsonl").write_text(
        '{"id": "O2", "supplier_id": "S2", "customer_id": "C1", "status": "confirmed",'
        ' "created_at": "2026-03-02", "total": "1"}\n',
        encoding="utf-8",
    )  # a duplicate of orders.csv row 3
    _csv(
        folder / "order_lines.csv",
        ["order_id", "sku", "quantity", "unit_price"],
        [
            ["O1", "P1", 1, "1"],  # row 2
            ["O1", "P2", 1, "1"],
            *[["X9", f"P{n}", 1, "1"] for n in range(1, 8)],  # rows 4 to 10: an order in neither the
            # import nor the store
            ["O1", "P1", 2, "1"],  # row 11: a duplicate of row 2
            ["ST-1", "P1", 1, "1"],  # row 12: an order of the store
            ["O6", "Q7", 1, "1"],  # row 13: no such product
        ],
    )
    _csv(
        folder / "invoices.csv",
        ["id", "order_id", "supplier_id", "amount", "status", "issued_at", "due_date"],
        [
            ["I1", "O1", "S1", "10", "open", "2026-03-03", "2026-04-02"],
            ["I2", "O3", "S1", "10", "open", "2026-03-03", "2026-04-02"],  # row 3: O3 is S2's, in the import
            [
                "I3",
                "ST-1",
                "S1",
                "10",
                "open",
                "2026-03-03",
                "2026-04-02",
            ],  # row 4: ST-1 is S2's, in the store
            ["I4", "ST-2", "S1", "10", "open", "2026-03-03", "2026-04-02"],  # row 5: not in the store either
        ],
    )
    names = ("suppliers.csv", "customers.csv", "products.csv", "orders.csv", "orders.jsonl")
    return _files(folder, *names, "order_lines.csv", "invoices.csv")


X9 = "unknown order 'X9' (in neither the import nor the store)"
EXPECTED = [
    RowError("orders.csv", 5, "status", "Input should be 'pending_confirmation', 'confirmed', "
             "'shipped', 'delivered' or 'cancelled'"),
    RowError("orders.csv", 6, "id", "duplicate 'O1' (first at row 2)"),
    RowError("orders.jsonl", 1, "id", "duplicate 'O2' (first at orders.csv row 3)"),
    RowError("order_lines.csv", 11, "order_id/sku", "duplicate 'O1/P1' (first at row 2)"),
    RowError("invoices.csv", 3, "order_id", "order id 'O3' belongs to supplier 'S2'"),
    RowError("orders.csv", 7, "supplier_id", "unknown supplier 'S9' (in neither the import nor the store)"),
    *[
        RowError("order_lines.csv", row, "order_id", X9) for row in range(4, 9)
    ],
    RowError("order_lines.csv", 8, "order_id", "… and 2 more rows like this"),
    RowError("invoices.csv", 4, "order_id", "order id 'ST-1' belongs to supplier 'S2'"),
    RowError("invoices.csv", 5, "order_id", "unknown order 'ST-2' (in neither the import nor the store)"),
    RowError("order_lines.csv", 13, "sku", "unknown product 'Q7' (in neither the import nor the store)"),
]  # fmt: skip


@pytest.mark.parametrize("batch", [1, 2, 3, 100_000])
def test_duplicates_and_references_are_found_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(check, "BATCH", batch)
    monkeypatch.setattr(check, "STORE_LOOKUPS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the index lives while checking
    store = _Store({("orders", "ST-1"): "S2"})

    result = validate(_troubled_company(tmp_path / "acme"), store)

    assert result.errors == EXPECTED
    assert result.rows == {
        "suppliers": 2, "customers": 1, "products": 7, "orders": 5, "order_lines": 11, "invoices": 4,
    }  # fmt: skip
    assert store.looked_up == [1, 1, 1, 1, 1]  # S9; X9, ST-1, ST-2; Q7: each id once
    assert [p.name for p in tmp_path.iterdir()] == ["acme"]  # the index is gone


def _suppliers(folder: Path, name: str, text: str) -> list[tuple[Path, Entity]]:
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return _files(folder, name)


def test_a_json_array_on_one_line_is_a_row_error_not_a_line_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_LINE", 100)
    one_line = "[" + ", ".join(f'{{"id": "S{n}", "name": "Supplier {n}"}}' for n in range(40)) + "]\n"
    files = _suppliers(tmp_path / "acme", "suppliers.jsonl", one_line + '{"id": "S1", "name": "One"}\n')

    result = validate(files, EmptyStore())

    too_long = "a line longer than 100 characters (is this a file of rows, one per line?)"
    assert result.errors == [RowError("suppliers.jsonl", 1, "", too_long)]
    assert result.rows == {"suppliers": 1}  # the line after it is read


def test_a_csv_file_without_line_breaks_is_refused_at_its_first_long_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_LINE", 100)
    rows = "".join(f"S{n},Supplier {n}\r" for n in range(3)) + ",".join(["S9"] * 60) + "\n"
    files = _suppliers(tmp_path / "acme", "suppliers.csv", "id,name\n" + rows + "S8,Eight\n")

    result = validate(files, EmptyStore())

    too_long = "a line longer than 100 characters (is this a file of rows, one per line?)"
    assert result.errors == [RowError("suppliers.csv", 5, "", too_long)]
    assert result.rows == {"suppliers": 3}  # the rows before it were checked


def test_a_headerless_blob_is_refused_at_row_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_LINE", 100)
    files = _suppliers(tmp_path / "acme", "suppliers.csv", "x" * 1000)

    result = validate(files, EmptyStore())

    too_long = "a line longer than 100 characters (is this a file of rows, one per line?)"
    assert result.errors == [RowError("suppliers.csv", 1, "", too_long)]


def test_keys_of_several_parts_stay_apart_on_disk_whatever_they_hold() -> None:
    keys = [("A", "B"), ("A\x1fB", "C"), ("A", "B\x1fC"), ("\x1e", "x"), ("1:A", ""), ("", "1:A")]

    texts = [encode(key) for key in keys]

    assert len(set(texts)) == len(keys)
    assert texts[0] == "A\x1fB"  # the usual case: the parts joined

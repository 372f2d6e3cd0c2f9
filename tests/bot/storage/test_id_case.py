"""An imported id keeps its own case: `so/2026/00042` is found as stored (the gazetteer hands the
stored spelling over whatever the user typed), and the demo's upper-case ids typed in lower case
(`po-1001`) are still found, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from bot.storage.tables import CustomerRow, InventoryRow, InvoiceRow, OrderRow, ProductRow, SupplierRow
from dialogue.clock import ManualClock

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def seeded(engine: Any) -> SqlBackend:
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        s.add(SupplierRow(id="4711", name="旭日纺织"))
        s.add(CustomerRow(id="c-9", name="ACME"))
        await s.flush()
        s.add(ProductRow(sku="led/9w/e27", supplier_id="4711", name="Bulb", category="Lighting",
                         unit_price=Decimal("2.00")))  # fmt: skip
        s.add_all(
            [
                OrderRow(id="so/2026/00042", supplier_id="4711", customer_id="c-9", status="confirmed",
                         created_at=NOW, total=Decimal("20.00"), currency="USD"),
                OrderRow(id="PO-1001", supplier_id="4711", customer_id="c-9", status="confirmed",
                         created_at=NOW, total=Decimal("20.00"), currency="USD"),
            ]
        )  # fmt: skip
        await s.flush()
        s.add(InvoiceRow(id="re-2026-0099", order_id="so/2026/00042", supplier_id="4711",
                         amount=Decimal("20.00"), currency="USD", status="open", issued_at=NOW.date(),
                         due_date=NOW.date()))  # fmt: skip
        s.add(InventoryRow(sku="led/9w/e27", quantity=5, updated_at=NOW, updated_by="import"))
    return SqlBackend(sm, clock=ManualClock(NOW))


async def test_ids_are_found_in_the_case_they_were_imported_in(engine: Any) -> None:
    backend = await seeded(engine)
    order = await backend.get_order("4711", "so/2026/00042")  # the gazetteer hands over the stored spelling
    assert order is not None and order.id == "so/2026/00042"
    assert (await backend.get_order("4711", "po-1001")) is not None  # the demo's habit: capitals
    assert (await backend.get_invoice("4711", "re-2026-0099")) is not None
    assert [i.id for i in await backend.invoices_for_order("4711", "so/2026/00042")] == ["re-2026-0099"]
    assert (await backend.get_product("led/9w/e27")) is not None
    stock = await backend.get_stock("4711", "led/9w/e27")
    assert stock is not None and stock.quantity == 5
    change = await backend.set_stock("4711", "led/9w/e27", 8, changed_by="t", request_id="r1")
    assert change is not None and change.sku == "led/9w/e27" and change.new_quantity == 8
    assert (await backend.find_customer("c-9")) is not None


async def test_another_suppliers_id_is_still_not_found(engine: Any) -> None:
    backend = await seeded(engine)
    assert await backend.get_order("SUP-001", "so/2026/00042") is None


async def test_a_name_is_matched_as_written_not_as_a_like_pattern(engine: Any) -> None:
    backend = await seeded(engine)
    assert (await backend.find_customer("acm")) is not None  # a part of the name still finds it
    for phrase in ("%", "_", "A%E", "AC_E", "\\"):
        assert await backend.find_customer(phrase) is None, phrase

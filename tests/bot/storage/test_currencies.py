"""Amounts in different currencies are never added together: a customer with EUR and USD orders, a
period's summary and its sales per category, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.storage.backend import SqlBackend
from bot.storage.db import make_sessionmaker
from bot.storage.tables import CustomerRow, OrderLineRow, OrderRow, ProductRow, SupplierRow
from dialogue.clock import ManualClock
from dialogue.money import Amounts

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


async def seeded(engine: Any) -> SqlBackend:
    """Two suppliers; ACME buys in USD from one and in EUR from the other; one EUR order is cancelled."""
    sm = make_sessionmaker(engine)
    async with sm.begin() as s:
        s.add_all([SupplierRow(id="SUP-1", name="Sunrise"), SupplierRow(id="SUP-2", name="Rhein GmbH")])
        s.add(CustomerRow(id="CUS-1", name="ACME"))
        await s.flush()
        s.add_all(
            [
                ProductRow(sku="TW-1", supplier_id="SUP-1", name="Towel", category="Home Textiles",
                           unit_price=Decimal("10.00")),
                ProductRow(sku="VL-1", supplier_id="SUP-2", name="Valve", category="Industrial",
                           unit_price=Decimal("25.00"), currency="EUR"),
            ]
        )  # fmt: skip
        await s.flush()

        def order(
            oid: str, supplier: str, day: int, total: str, currency: str, status: str = "delivered"
        ) -> OrderRow:
            return OrderRow(id=oid, supplier_id=supplier, customer_id="CUS-1", status=status,
                            created_at=datetime(2026, 11, day, 9, tzinfo=UTC), total=Decimal(total),
                            currency=currency)  # fmt: skip

        s.add_all(
            [
                order("PO-1", "SUP-1", 3, "1200.00", "USD"),
                order("PO-2", "SUP-2", 4, "300.00", "EUR"),
                order("PO-3", "SUP-2", 5, "50.00", "EUR"),
                order("PO-4", "SUP-2", 6, "999.00", "EUR", "cancelled"),
            ]
        )
        await s.flush()
        s.add_all(
            [
                OrderLineRow(order_id="PO-1", sku="TW-1", quantity=120, unit_price=Decimal("10.00")),
                OrderLineRow(order_id="PO-2", sku="VL-1", quantity=12, unit_price=Decimal("25.00")),
                OrderLineRow(order_id="PO-3", sku="VL-1", quantity=2, unit_price=Decimal("25.00")),
                OrderLineRow(order_id="PO-4", sku="VL-1", quantity=40, unit_price=Decimal("24.00")),
            ]
        )
    return SqlBackend(sm, clock=ManualClock(NOW))


async def test_a_customer_profile_has_a_lifetime_value_per_currency(engine: Any) -> None:
    profile = await (await seeded(engine)).customer_profile("CUS-1")
    assert profile is not None
    assert profile.lifetime_value == Amounts((("USD", Decimal("1200.00")), ("EUR", Decimal("350.00"))))
    assert profile.order_count == 4


async def test_a_sales_summary_has_revenue_per_currency_and_ranks_by_the_main_one(engine: Any) -> None:
    summary = await (await seeded(engine)).sales_summary(date(2026, 11, 1), date(2026, 12, 1))
    assert summary.order_count == 3
    assert summary.revenue.items == (("USD", Decimal("1200.00")), ("EUR", Decimal("350.00")))
    assert summary.top_suppliers == (
        ("Sunrise", Amounts((("USD", Decimal("1200.00")),))),
        ("Rhein GmbH", Amounts((("EUR", Decimal("350.00")),))),
    )
    assert [(name, a.items) for name, a in summary.top_categories] == [
        ("Home Textiles", (("USD", Decimal("1200.00")),)),
        ("Industrial", (("EUR", Decimal("350.00")),)),
    ]


async def test_sales_per_category_and_day_keep_their_currency(engine: Any) -> None:
    backend = await seeded(engine)
    lines = await backend.sales_by(date(2026, 11, 1), date(2026, 12, 1), by="category")
    assert [(s.key, s.currency, s.units, s.revenue) for s in lines] == [
        ("Home Textiles", "USD", 120, Decimal("1200.00")),
        ("Industrial", "EUR", 14, Decimal("350.00")),
    ]
    daily = await backend.daily_sales(date(2026, 11, 1), date(2026, 12, 1), by="product")
    assert {(d.day.day, d.key, d.currency) for d in daily} == {(3, "TW-1", "USD"), (4, "VL-1", "EUR"),
                                                             (5, "VL-1", "EUR")}  # fmt: skip

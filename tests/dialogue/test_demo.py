"""The demo data file: what README.md's "Demo data" section promises, and a consistent data set."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dialogue.demo import DemoDataError, load_demo, order_total

TODAY = date(2026, 11, 23)


def test_the_documented_fixed_part() -> None:
    demo = load_demo(TODAY)
    po1001 = demo.order("PO-1001")
    assert (po1001.supplier_id, po1001.status, po1001.carrier) == ("SUP-001", "shipped", "DHL Express")
    assert po1001.tracking_number == "JD014600003721" and po1001.eta == TODAY + timedelta(days=3)
    assert demo.order("PO-1002").status == "pending_confirmation"
    assert demo.order("PO-1003").status == "delivered"
    po2001 = demo.order("PO-2001")
    assert (po2001.supplier_id, po2001.status, po2001.carrier) == ("SUP-002", "shipped", "FedEx")
    invoices = {i.id: i for i in demo.invoices}
    assert invoices["INV-2001"].status == "paid" and invoices["INV-2001"].paid_at == TODAY - timedelta(days=3)
    assert invoices["INV-2002"].status == "scheduled"
    assert invoices["INV-2002"].scheduled_date == TODAY + timedelta(days=10)
    assert dict(demo.stock) == {"AB-1020": 120, "KX-550": 0}
    industries = {c.name: c.industry for c in demo.customers}
    assert industries["ACME Corp"] == "retail" and industries["Globex Industries"] == "manufacturing"
    assert (len(demo.suppliers), len(demo.customers), len(demo.products)) == (5, 12, 24)
    assert {s.id: s.name for s in demo.suppliers}["SUP-002"] == "Huaqiang Electronics"


def test_totals_are_their_lines_and_invoices_bill_their_order() -> None:
    demo = load_demo(TODAY)
    for order in demo.orders:
        assert order.total == order_total([line for line in demo.lines if line.order_id == order.id])
    assert demo.order("PO-1001").total == Decimal("4999.00")  # one negotiated line price
    for invoice in demo.invoices:
        order = demo.order(invoice.order_id)
        assert (invoice.amount, invoice.supplier_id) == (order.total, order.supplier_id)
    skus = {p.sku for p in demo.products}
    suppliers = {s.id for s in demo.suppliers}
    assert {line.sku for line in demo.lines} <= skus and {sku for sku, _ in demo.stock} <= skus
    assert {p.supplier_id for p in demo.products} <= suppliers


def test_dates_follow_the_day() -> None:
    later = load_demo(TODAY + timedelta(days=7))
    assert later.order("PO-1001").created_at.date() == TODAY + timedelta(days=1)


def test_a_bad_file_is_reported_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "demo.yml"
    bad.write_text("products: []\norders:\n  - {id: PO-1, supplier: S, customer: C, status: shipped}\n")
    with pytest.raises(DemoDataError, match=r"orders\[0\]: missing 'created'|orders\[0\]: 'lines'"):
        load_demo(TODAY, bad)
    with pytest.raises(DemoDataError, match="absent"):
        load_demo(TODAY, tmp_path / "absent.yml")

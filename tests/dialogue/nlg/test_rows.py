"""A table's rows as a list, for the places that cannot show a table."""

from __future__ import annotations

from dialogue.nlg.rows import rows_as_list, with_rows


def test_rows_read_as_bullets_in_the_header_language() -> None:
    invoices = (("Invoice", "Amount", "Status"), ("INV-1", "USD 10.00", "open"), ("INV-2", "-", "paid"))
    assert rows_as_list(invoices) == "• INV-1 — Amount: USD 10.00, Status: open\n• INV-2 — Status: paid"
    zh = (("发票", "金额", "状态"), ("INV-1", "USD 10.00", "未付款"))
    assert rows_as_list(zh) == "• INV-1 — 金额：USD 10.00，状态：未付款"
    top = (("Top sellers", "Revenue"), ("Sunrise Textiles (supplier)", "USD 2,440.00"))
    assert rows_as_list(top) == "• Sunrise Textiles (supplier): USD 2,440.00"


def test_with_rows_adds_the_list_under_the_text_and_nothing_without_rows() -> None:
    table = (("SKU", "Stock"), ("AB-1020", "120"))
    assert with_rows("Your stock:", table) == "Your stock:\n• AB-1020: 120"
    assert with_rows("Hello.", ()) == "Hello." and with_rows("Hi.", (("SKU", "Stock"),)) == "Hi."

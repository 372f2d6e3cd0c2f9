from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dialogue.nlg.catalog import Catalog
from dialogue.nlg.corpus import Corpus
from dialogue.nlg.lexicalize import Lexicalizer, format_date, format_money, format_percent, format_quantity
from nlu.types import Money


def test_money_per_language() -> None:
    assert format_money(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert format_money(Decimal("1234.5"), "EUR", "en") == "EUR 1,234.50"
    assert format_money(Decimal("1234.5"), "USD", "zh") == "1,234.50 美元"
    assert format_money(Decimal("1234.5"), "CNY", "zh") == "¥1,234.50"


def test_dates_quantities_percent() -> None:
    day = dt.date(2026, 11, 25)
    assert format_date(day, "en") == "Nov 25, 2026"
    assert format_date(day, "zh") == "2026年11月25日"
    assert format_quantity(450, "en") == "450 units"
    assert format_quantity(1, "en") == "1 unit"
    assert format_quantity(1200, "zh") == "1,200件"
    assert format_percent(0.873) == "87%"
    assert format_percent(87) == "87%"


@pytest.fixture()
def lexicalizer(corpus: Corpus) -> Lexicalizer:
    return Lexicalizer(corpus.catalog, corpus.products)


def test_fill_formats_by_fact_kind(lexicalizer: Lexicalizer) -> None:
    facts = {
        "invoice_id": "INV-2001",
        "amount": Money(Decimal("1234.50"), "USD"),
        "due_date": dt.date(2026, 11, 25),
    }
    en = lexicalizer.fill("Invoice [invoice_id] for [amount] is due on [due_date].", facts, "en")
    assert en == "Invoice INV-2001 for $1,234.50 is due on Nov 25, 2026."
    zh = lexicalizer.fill("发票 [invoice_id]（金额 [amount]）到期日为 [due_date]。", facts, "zh")
    assert zh == "发票 INV-2001（金额 1,234.50 美元）到期日为 2026年11月25日。"


def test_fill_quantity_status_and_plain_numbers(lexicalizer: Lexicalizer) -> None:
    assert (
        lexicalizer.fill("Set [sku] to [qty]?", {"sku": "AB-1020", "qty": 450}, "en")
        == "Set AB-1020 to 450 units?"
    )
    assert lexicalizer.fill("[sku] 库存 [qty]", {"sku": "AB-1020", "qty": 450}, "zh") == "AB-1020 库存 450件"
    assert lexicalizer.fill("[status]", {"status": "pending_confirmation"}, "en") == "pending confirmation"
    assert lexicalizer.fill("[status]", {"status": "pending_confirmation"}, "zh") == "待确认"
    assert lexicalizer.fill("[amount]", {"amount": Decimal("99")}, "en") == "$99.00"
    assert lexicalizer.fill("[confidence]", {"confidence": 0.91}, "zh") == "91%"


def test_product_values_are_localized(lexicalizer: Lexicalizer) -> None:
    facts = {"material": "stainless steel", "features": "leak-proof lid, dishwasher safe", "name": "Harbor"}
    assert lexicalizer.fill("[material]: [features]", facts, "zh") == "不锈钢: 防漏盖、可用洗碗机清洗"
    assert lexicalizer.fill("[features]", facts, "en") == "leak-proof lid and dishwasher safe"
    assert lexicalizer.fill("[name]", facts, "zh") == "Harbor"


def test_unfilled_placeholder_is_left_visible(catalog: Catalog) -> None:
    assert Lexicalizer(catalog).fill("Order [order_id]", {}, "en") == "Order [order_id]"

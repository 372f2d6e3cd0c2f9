from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest

from nlu.entities import EntityExtractor
from nlu.types import Entity, KnownName, Money

TODAY = dt.date(2026, 3, 4)  # a Wednesday


class Names:
    def known_names(self) -> Sequence[KnownName]:
        return [
            KnownName("customer", "cust-acme", "ACME Corp"),
            KnownName("customer", "cust-globex", "Globex Corporation", aliases=("Globex",)),
            KnownName("customer", "cust-initech", "Initech"),
            KnownName("supplier", "sup-hongda", "宏达贸易有限公司"),
            KnownName("supplier", "sup-sunrise", "Sunrise Textiles Ltd"),
        ]


@pytest.fixture
def extractor() -> EntityExtractor:
    return EntityExtractor(name_lookup=Names(), clock=lambda: TODAY, fuzzy_threshold=85)


def values(entities: Sequence[Entity], type_: str) -> list[object]:
    return [e.value for e in entities if e.type == type_]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status of po-31337?", ["PO-31337"]),
        ("where is my PO 4471", ["PO-4471"]),
        ("PO-1001 shipped?", ["PO-1001"]),
        ("hi, checking on po#9931", ["PO-9931"]),
        ("tracking number for #30098 please", ["PO-30098"]),
        ("采购单7781到哪了", ["PO-7781"]),
        ("订单号 1188 查一下", ["PO-1188"]),
        ("when will order 2290 ship", ["PO-2290"]),
        ("purchase order 3321 confirmed?", ["PO-3321"]),
        ("order no. 5521 status", ["PO-5521"]),
        ("where is my order", []),
    ],
)
def test_order_ids(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert values(extractor.extract(text), "order_id") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("has invoice INV-2231 been paid", ["INV-2231"]),
        ("when will I get paid for invoice 2231", ["INV-2231"]),
        ("status of inv 5567", ["INV-5567"]),
        ("发票2231付款了吗", ["INV-2231"]),
        ("发票号3301的钱还没收到", ["INV-3301"]),
        ("were both invoices 2231 and 2232 paid", ["INV-2231", "INV-2232"]),
        ("invoice #8832?", ["INV-8832"]),
    ],
)
def test_invoice_ids(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    entities = extractor.extract(text)
    assert values(entities, "invoice_id") == expected
    assert values(entities, "order_id") == []
    assert values(entities, "sku") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stock for AB-1020 is now 450", ["AB-1020"]),
        ("kx550 300件", ["KX-550"]),
        ("SKU LP-4410 qty 75", ["LP-4410"]),
        ("AB-1020库存更新为450", ["AB-1020"]),
        ("products similar to ab-1020", ["AB-1020"]),
        ("PO-1001 and INV-2231", []),
        ("USD300 is the price", []),
        ("revenue in Q3", []),
    ],
)
def test_skus(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert values(extractor.extract(text), "sku") == expected


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("we have 450 units of SKU TR-220", 450, "units"),
        ("update inventory KX-550 to 1,200 pcs", 1200, "pcs"),
        ("KT-410现在有300件", 300, "pcs"),
        ("stock is now 450", 450, "units"),
        ("stock for AB-1020 is now 450", 450, "units"),
        ("AB-1020: 450", 450, "units"),
        ("set RD-101 to 0", 0, "units"),
        ("新到了1000箱MK-200", 1000, "cartons"),
        ("AB-1020库存更新为450", 450, "units"),
    ],
)
def test_quantities(extractor: EntityExtractor, text: str, value: int, unit: str) -> None:
    quantities = extractor.extract(text)
    found = [(e.value, e.unit) for e in quantities if e.type == "quantity"]
    assert found == [(value, unit)]


def test_quantity_does_not_take_sku_digits(extractor: EntityExtractor) -> None:
    entities = extractor.extract("how much stock of AB-1020 do you show")
    assert values(entities, "quantity") == []


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("when will the $1,200.50 be transferred", "1200.50", "USD"),
        ("USD 300 please", "300", "USD"),
        ("¥5000 deducted", "5000", "CNY"),
        ("这笔5000元的款", "5000", "CNY"),
        ("€250 fee", "250", "EUR"),
        ("the 12k USD payment", "12000", "USD"),
        ("RMB 8,800", "8800", "CNY"),
    ],
)
def test_money(extractor: EntityExtractor, text: str, amount: str, currency: str) -> None:
    assert values(extractor.extract(text), "money") == [Money(Decimal(amount), currency)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deliver tomorrow", dt.date(2026, 3, 5)),
        ("can you pay next monday", dt.date(2026, 3, 9)),
        ("by this friday", dt.date(2026, 3, 6)),
        ("arrives Dec 3", dt.date(2026, 12, 3)),
        ("arrives 3rd of December 2027", dt.date(2027, 12, 3)),
        ("3月5日到货", dt.date(2026, 3, 5)),
        ("下周一发货", dt.date(2026, 3, 9)),
        ("明天能到吗", dt.date(2026, 3, 5)),
        ("due 2026-12-01", dt.date(2026, 12, 1)),
        ("paid yesterday?", dt.date(2026, 3, 3)),
        ("in 3 days", dt.date(2026, 3, 7)),
        ("the day after tomorrow", dt.date(2026, 3, 6)),
    ],
)
def test_dates(extractor: EntityExtractor, text: str, expected: dt.date) -> None:
    assert values(extractor.extract(text), "date") == [expected]


def test_dates_follow_the_injected_clock() -> None:
    extractor = EntityExtractor(clock=lambda: dt.date(2030, 1, 1))
    assert values(extractor.extract("tomorrow"), "date") == [dt.date(2030, 1, 2)]


@pytest.mark.parametrize(
    ("text", "type_", "value", "matched"),
    [
        ("tell me about customer ACME", "customer", "cust-acme", "ACME"),
        ("info on globex please", "customer", "cust-globex", "globex"),
        ("which industry is Initec in", "customer", "cust-initech", "Initec"),
        ("宏达贸易的联系人", "supplier", "sup-hongda", "宏达贸易"),
        ("hello from Sunrise Textiles", "supplier", "sup-sunrise", "Sunrise Textiles"),
    ],
)
def test_fuzzy_names(extractor: EntityExtractor, text: str, type_: str, value: str, matched: str) -> None:
    entity = next(e for e in extractor.extract(text) if e.type == type_)
    assert entity.value == value
    assert entity.text == matched
    assert text[entity.start : entity.end] == matched


def test_no_fuzzy_false_positives(extractor: EntityExtractor) -> None:
    entities = extractor.extract("where is my order, any news about the shipment?")
    assert [e for e in entities if e.type in ("customer", "supplier")] == []


def test_spans_match_text(extractor: EntityExtractor) -> None:
    text = "PO 4471 for AB-1020: 450 pcs, invoice 2231 of $1,200 due next monday for ACME"
    entities = extractor.extract(text)
    assert {e.type for e in entities} >= {
        "order_id",
        "sku",
        "quantity",
        "invoice_id",
        "money",
        "date",
        "customer",
    }
    for e in entities:
        assert text[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("text", "type_", "value"),
    [
        ("where is PO\u20111001", "order_id", "PO-1001"),  # non-breaking hyphen
        ("where is PO\u20131001", "order_id", "PO-1001"),  # en dash
        ("where is PO\u20141001", "order_id", "PO-1001"),  # em dash
        ("ＰＯ－１００１到哪了", "order_id", "PO-1001"),
        ("ＩＮＶ－２００２付款了吗", "invoice_id", "INV-2002"),
        ("ＡＢ－１０２０库存", "sku", "AB-1020"),
        ("AB\u20111020 stock", "sku", "AB-1020"),
        ("订单\u30001188查一下", "order_id", "PO-1188"),  # ideographic space
        ("¥５０００ deducted", "money", Money(Decimal(5000), "CNY")),
    ],
)
def test_dashes_and_full_width_forms(
    extractor: EntityExtractor, text: str, type_: str, value: object
) -> None:
    entities = extractor.extract(text)
    assert values(entities, type_) == [value]
    for e in entities:
        assert text[e.start : e.end] == e.text  # offsets index the text as written


def test_full_width_quantity(extractor: EntityExtractor) -> None:
    entities = extractor.extract("ＫＴ－４１０现在有４５０件")
    assert [(e.value, e.unit, e.text) for e in entities if e.type == "quantity"] == [(450, "pcs", "４５０件")]
    assert values(entities, "sku") == ["KT-410"]


def test_control_characters_are_spaces(extractor: EntityExtractor) -> None:
    text = "PO-1001\x00status\x07 of\x1binvoice 2231"
    entities = extractor.extract(text)
    assert values(entities, "order_id") == ["PO-1001"]
    assert values(entities, "invoice_id") == ["INV-2231"]
    assert extractor.extract("\x00\x00") == ()


def test_a_long_list_keeps_the_first_entities() -> None:
    text = "status please: " + ", ".join(f"PO-{n}" for n in range(100_001, 105_000))
    assert len(text) > 40_000
    entities = EntityExtractor(clock=lambda: TODAY).extract(text)
    assert len(entities) == 50
    assert [e.value for e in entities[:2]] == ["PO-100001", "PO-100002"]
    assert entities[-1].value == "PO-100050"


def test_ids_are_found_in_the_whole_message_other_entities_in_its_head() -> None:
    filler = "lorem ipsum " * 1000  # 12,000 characters
    extractor = EntityExtractor(clock=lambda: TODAY)
    entities = extractor.extract(filler + "where is PO-4471, $500 due tomorrow")
    assert values(entities, "order_id") == ["PO-4471"]
    assert values(entities, "money") == values(entities, "date") == []  # past entity_scan_chars
    assert values(extractor.extract("$500 due tomorrow " + filler), "money") == [Money(Decimal(500))]


def test_limits_are_configurable() -> None:
    extractor = EntityExtractor(clock=lambda: TODAY, max_chars=20, scan_chars=10, max_entities=1)
    entities = extractor.extract("$5 and $6 for PO-1001 and PO-1002 and PO-1003")
    assert [e.value for e in entities] == [Money(Decimal(5))]
    assert values(extractor.extract("x" * 25 + " PO-1001"), "order_id") == []

"""Invoice and payment conversations."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from nlu.types import Money
from tests.fakes.backend import TODAY
from tests.fakes.conversation import Conversation


async def test_paid_invoice() -> None:
    reply = await Conversation().one("was invoice INV-2001 paid?")
    assert reply.outcome == "invoice_paid"
    assert reply.facts == {
        "invoice_id": "INV-2001",
        "amount": Money(Decimal("2440.00"), "USD"),
        "paid_date": TODAY - timedelta(days=3),
    }


async def test_scheduled_invoice_in_chinese() -> None:
    reply = await Conversation().one("发票 INV-2002 什么时候付款？")
    assert reply.outcome == "invoice_scheduled"
    assert reply.language == "zh"
    assert reply.facts["scheduled_date"] == TODAY + timedelta(days=10)
    assert reply.facts["amount"] == Money(Decimal("4999.00"), "USD")


async def test_overdue_invoice() -> None:
    reply = await Conversation(supplier_id="SUP-002").one("invoice 2101 payment?")
    assert reply.outcome == "invoice_overdue"
    assert reply.facts["due_date"] == TODAY - timedelta(days=2)


async def test_another_suppliers_invoice_is_not_found() -> None:
    chat = Conversation()
    assert (await chat.one("invoice INV-2101 paid?")).outcome == "invoice_not_found"
    assert (await chat.one("invoice INV-9999 paid?")).facts == {"invoice_id": "INV-9999"}


async def test_invoices_of_a_po() -> None:
    reply = await Conversation().one("payment for PO-1001?")
    assert reply.outcome == "invoice_scheduled"
    assert reply.facts["invoice_id"] == "INV-2002"
    other = await Conversation().one("payment for PO-2001?")
    assert other.outcome == "order_not_found"


async def test_open_invoices_list_with_table() -> None:
    chat = Conversation()
    chat.backend.invoices["INV-2003"] = chat.backend.invoices["INV-2002"].__class__(
        "INV-2003", "PO-1002", "SUP-001", Decimal("120.50"), "USD", "open", TODAY - timedelta(days=1),
        TODAY + timedelta(days=29),
    )  # fmt: skip
    reply = await chat.one("my open invoices")
    assert reply.outcome == "invoice_list"
    assert reply.facts["count"] == 2
    assert set(reply.facts) == {"count"}  # the invoices are the table, not a block of the text
    assert reply.table[0] == ("Invoice", "Amount", "Status", "Date")
    assert [row[0] for row in reply.table[1:]] == ["INV-2003", "INV-2002"]  # most recent first
    assert reply.table[1] == ("INV-2003", "USD 120.50", "open", f"due {TODAY + timedelta(days=29)}")
    assert reply.table[2][2:] == ("payment scheduled", f"scheduled {TODAY + timedelta(days=10)}")


async def test_open_invoices_at_most_five() -> None:
    chat = Conversation()
    template = chat.backend.invoices["INV-2002"]
    for n in range(8):
        chat.backend.invoices[f"INV-50{n}"] = template.__class__(
            f"INV-50{n}", "PO-1001", "SUP-001", Decimal(100 + n), "USD", "open", TODAY - timedelta(days=n),
            TODAY + timedelta(days=30),
        )  # fmt: skip
    reply = await chat.one("which invoices are unpaid?")
    assert reply.facts["count"] == 5
    assert len(reply.table) == 6
    assert reply.table[1][0] == "INV-500"


async def test_open_invoices_in_chinese_and_none_open() -> None:
    reply = await Conversation().one("我的未付发票")
    assert reply.outcome == "invoice_list" and reply.language == "zh"
    assert reply.table[0] == ("发票", "金额", "状态", "日期")
    assert reply.table[1][2] == "已安排付款" and reply.table[1][3].startswith("计划付款 ")
    none = await Conversation(supplier_id="SUP-003").one("any open invoices?")
    assert none.outcome == "invoice_none_open"

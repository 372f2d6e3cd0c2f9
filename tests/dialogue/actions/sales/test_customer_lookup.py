"""customer_lookup: a customer's profile, asked on Slack by a sales rep."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from nlu.types import Money
from tests.dialogue.actions.sales.chat import sales_chat


async def test_customer_lookup_in_english() -> None:
    reply = await sales_chat().one("tell me about ACME Corp")
    assert reply.outcome == "customer_profile"
    assert reply.facts["customer_name"] == "ACME Corp"
    assert reply.facts["contact_name"] == "Sarah Miller"
    assert reply.facts["email"] == "sarah.miller@acme.example"
    assert reply.facts["lifetime_value"] == Money(Decimal("7439.00"), "USD")
    assert reply.facts["order_count"] == 2
    assert "Damaged towels" in str(reply.facts["open_issues"])
    assert reply.table[0] == ("Order", "Date", "Status", "Total")
    assert reply.table[1][0] == "PO-1001" and reply.facts["shown_orders"] == len(reply.table) - 1


async def test_customer_lookup_in_chinese() -> None:
    reply = await sales_chat().one("查一下 Globex 客户")
    assert reply.outcome == "customer_profile" and reply.language == "zh"
    assert reply.facts["customer_name"] == "Globex Industries"
    assert any(row[2] == "待确认" for row in reply.table[1:])
    assert reply.facts["open_issues"] == "• 无"


async def test_unknown_customer() -> None:
    reply = await sales_chat().one("tell me about Wonka Chocolate")
    assert reply.outcome == "customer_not_found"
    assert reply.facts == {"customer_name": "Wonka Chocolate"}


async def test_a_customer_with_eur_and_usd_orders_gets_one_figure_per_currency() -> None:
    chat = sales_chat()
    order = chat.backend.orders["PO-1003"]  # ACME's other order is USD 4,999.00
    chat.backend.orders["PO-1003"] = replace(order, currency="EUR")
    reply = await chat.one("tell me about ACME Corp")
    assert reply.facts["lifetime_value"] == "$4,999.00 + EUR 2,440.00"
    assert "$4,999.00 + EUR 2,440.00" in reply.text
    assert "7,439" not in reply.text  # never the two added together
    assert ("PO-1003", "2026-10-24", "delivered", "EUR 2,440.00") in reply.table


async def test_a_chinese_profile_names_each_currency() -> None:
    chat = sales_chat()
    order = chat.backend.orders["PO-1003"]
    chat.backend.orders["PO-1003"] = replace(order, currency="EUR")
    reply = await chat.one("查一下 ACME Corp 客户")
    assert reply.facts["lifetime_value"] == "4,999.00 美元 + 2,440.00 欧元"
    assert "7,439" not in reply.text
